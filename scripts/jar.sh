# Sourced by ./etcd and ./etcdctl: makes sure target/etcdj.jar is built and newer than the sources.
# Sets $jar. The first run (or a run after the sources changed) builds it with Maven and says so;
# Maven's own output goes to target/build.log and is shown only when the build fails.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/target/etcdj.jar"

# The server's JVM options beyond the archive's (scripts/bench-startup starts it with the same
# ones): none today. Scaling the JIT's compile thresholds saved a quarter of an empty start's CPU
# but halved the 3-machine rate 40 s into a load (docs/performance.md, "Start-up and warm-up").
etcdj_server_jvm_opts=()

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

# Class-data sharing: scripts/cds-archive records, from a short training run, the classes the
# server and etcdctl load, so that later starts map them instead of loading them from the jar.
# $1: the archive's default path. ETCDJ_CDS=0 turns it off; $2, when set, names an archive to use
# as it is (never made here). The archive is made (once per jar, under the build lock) when the
# default one is missing or older than the jar; when that fails, a marker stops further tries
# until the jar changes. Sets the array cds_opts: empty when no usable archive is there, so the
# JVM starts as it would without. The JVM checks the archive against the jar itself and skips a
# stale one silently, but it crashes on a truncated or overwritten one instead of ignoring it:
# the companion file NAME.size holds the archive's length, inode and modification time as
# scripts/cds-archive installed it, and the archive is used only when all three still match. That
# stat costs nothing, where -XX:+VerifySharedSpaces (checksumming the archives at every start)
# cost about 30 ms of CPU; what it alone would catch is a disk flipping bits in place.
etcdj_cds() {
  local archive=$1 override=${2:-}
  cds_opts=()
  [ "${ETCDJ_CDS:-1}" != 0 ] || return 0
  if [ -n "$override" ]; then
    archive=$override
  elif { [ ! "$archive" -nt "$jar" ] || ! etcdj_cds_intact "$archive"; } && [ ! "$archive.failed" -nt "$jar" ]; then
    (
      flock 9
      if { [ ! "$archive" -nt "$jar" ] || ! etcdj_cds_intact "$archive"; } && [ ! "$archive.failed" -nt "$jar" ]; then
        echo "$(basename "$0"): making the class-data archives for quicker starts (several seconds, once per build)..." >&2
        if ! "$root/scripts/cds-archive" "$jar" >"$root/target/cds.log" 2>&1; then
          touch "$archive.failed"
          echo "$(basename "$0"): could not make them (see $root/target/cds.log); starting without" >&2
        fi
      fi
    ) 9>"$root/target/.build.lock" || true
  fi
  etcdj_cds_intact "$archive" || return 0
  cds_opts=(-XX:SharedArchiveFile="$archive" -Xshare:auto -Xlog:cds=off -Xlog:cds+dynamic=off)
  # Netty's epoll library as scripts/cds-archive unpacked it beside the archive, while it comes
  # from this jar: Netty then loads it from there instead of copying it out of the jar. The JDK's
  # own default directories follow, so that any other library is found where it was before.
  local native_dir=${archive%.jsa}-native
  if [ -f "$native_dir/jar.stamp" ] && [ "$(stat -c '%s %Y' "$jar")" = "$(cat "$native_dir/jar.stamp" 2>/dev/null)" ]; then
    cds_opts+=(-Djava.library.path="$native_dir:/usr/java/packages/lib:/usr/lib64:/lib64:/lib:/usr/lib")
  fi
}

# True when the archive is there and its length, inode and modification time are those recorded
# beside it when it was installed (see scripts/cds-archive): not cut short, replaced or rewritten.
etcdj_cds_intact() {
  [ -f "$1" ] && [ -f "$1.size" ] || return 1
  [ "$(stat -c '%s %i %Y' "$1" 2>/dev/null)" = "$(cat "$1.size" 2>/dev/null)" ]
}
