# Sourced by ./etcd and ./etcdctl: makes sure target/etcdj.jar is built and newer than the sources.
# Sets $jar. The first run (or a run after the sources changed) builds it with Maven and says so;
# Maven's own output goes to target/build.log and is shown only when the build fails.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/target/etcdj.jar"

etcdj_jar_stale() {
  [ ! -f "$jar" ] && return 0
  [ -n "$(find "$root/pom.xml" "$root/src/main" -newer "$jar" -print -quit 2>/dev/null)" ]
}

# $1: the command's name, for its messages.
etcdj_ensure_jar() {
  local tool="$1"
  etcdj_jar_stale || return 0
  command -v mvn >/dev/null 2>&1 || {
    echo "$tool: $jar is missing and Maven (mvn) is not installed; install Maven and Java 17 to build it" >&2
    exit 1
  }
  mkdir -p "$root/target"
  (
    flock 9
    if etcdj_jar_stale; then
      if [ -f "$jar" ]; then
        echo "$tool: the sources changed since the jar was built; rebuilding it with Maven (about a minute)..." >&2
      else
        echo "$tool: first run: building the jar with Maven (about a minute; later runs start at once)..." >&2
      fi
      if ! mvn -B -q -Dstyle.color=never -f "$root/pom.xml" -DskipTests package > "$root/target/build.log" 2>&1; then
        # Debian's Maven prints colour resets even in batch mode: strip every escape sequence.
        sed 's/\x1b\[[0-9;]*[A-Za-z]//g' "$root/target/build.log" | tail -n 40 >&2
        echo "$tool: the build failed (above; whole log in $root/target/build.log)" >&2
        exit 1
      fi
      echo "$tool: built $jar" >&2
    fi
  ) 9>"$root/target/.build.lock" || exit 1
}
