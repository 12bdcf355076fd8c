package io.etcdj.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Our etcdctl, run as a process against a 1-machine and a 3-machine cluster: every command, in
 * each output format, with the error lines and exit codes of etcdctl v2, and with a dead endpoint
 * first in {@code --peers}.
 */
class EtcdctlIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyKeyCommandInEveryFormatOnOneMachine() throws Exception {
        try (EtcdCluster cluster = EtcdCluster.start(1)) {
            cluster.showLogsOnFailure(() -> {
                Ctl ctl = new Ctl(List.of("--peers", cluster.machine(0).clientUrl()));

                // set, in the three formats
                assertOutput(ctl.run("set", "/k", "v1"), "v1\n");
                JsonNode set = json(ctl.run("-o", "json", "set", "/k", "v2"));
                assertEquals("set", set.get("action").asText());
                assertEquals("v2", set.get("node").get("value").asText());
                assertTrue(set.has("prevNode"), "the Go client's JSON always has prevNode");
                assertTrue(set.get("node").get("nodes").isNull(), "and nodes: null for a key");
                long index = set.get("node").get("modifiedIndex").asLong();
                assertOutput(ctl.run("-o", "extended", "get", "/k"), "Key: /k\nCreated-Index: " + index
                        + "\nModified-Index: " + index + "\nTTL: 0\nIndex: " + index + "\n\nv2\n");
                JsonNode ttl = json(ctl.run("-o", "json", "set", "--ttl", "100", "/t", "x"));
                assertEquals(100, ttl.get("node").get("ttl").asLong());
                assertTrue(ttl.get("node").has("expiration"));

                // get: a missing key, a directory
                Etcdctl.Result missing = ctl.run("get", "/nokey");
                assertEquals(4, missing.exit(), missing.toString());
                assertTrue(missing.err().matches("Error:  100: Key not found \\(/nokey\\) \\[\\d+]\n"), missing.err());

                // compare-and-swap
                Etcdctl.Result cas = ctl.run("set", "--swap-with-value", "wrong", "/k", "v3");
                assertEquals(4, cas.exit());
                assertTrue(cas.err().startsWith("Error:  101: Compare failed ([wrong != v2]"), cas.err());
                assertOutput(ctl.run("set", "--swap-with-value", "v2", "/k", "v3"), "v3\n");
                long v3Index = json(ctl.run("-o", "json", "get", "/k")).get("node").get("modifiedIndex").asLong();
                assertOutput(ctl.run("set", "--swap-with-index", Long.toString(v3Index), "/k", "v4"), "v4\n");
                assertOutput(ctl.runWithInput("from stdin", "set", "/stdin"), "from stdin\n");

                // mk, mk --in-order, update
                assertOutput(ctl.run("mk", "/new", "n"), "n\n");
                Etcdctl.Result exists = ctl.run("mk", "/new", "again");
                assertEquals(4, exists.exit());
                assertTrue(exists.err().matches("Error:  105: Key already exists \\(/new\\) \\[\\d+]\n"), exists.err());
                JsonNode queued = json(ctl.run("-o", "json", "mk", "--in-order", "/queue", "job1"));
                assertEquals("create", queued.get("action").asText());
                assertTrue(queued.get("node").get("key").asText().startsWith("/queue/"));
                assertOutput(ctl.run("update", "/new", "u"), "u\n");
                assertEquals(4, ctl.run("update", "/absent", "u").exit());

                // mkdir, setdir, updatedir: silent in simple format
                assertOutput(ctl.run("mkdir", "/dir"), "");
                JsonNode dir = json(ctl.run("-o", "json", "mkdir", "/dir2"));
                assertTrue(dir.get("node").get("dir").asBoolean());
                assertEquals("", dir.get("node").get("value").asText());
                assertOutput(ctl.run("setdir", "/dir3"), "");
                Etcdctl.Result updated = ctl.run("-o", "extended", "updatedir", "--ttl", "50", "/dir3");
                assertEquals(0, updated.exit(), updated.toString());
                assertTrue(updated.out().contains("\nTTL: 50\n"), updated.out());
                assertEquals(4, ctl.run("updatedir", "/nodir").exit());
                Etcdctl.Result isDir = ctl.run("get", "/dir");
                assertEquals(1, isDir.exit());
                assertEquals("/dir: is a directory\n", isDir.err());

                // ls
                assertOutput(ctl.run("set", "/dir/a", "1"), "1\n");
                assertOutput(ctl.run("mkdir", "/dir/sub"), "");
                assertOutput(ctl.run("set", "/dir/sub/b", "2"), "2\n");
                assertOutput(ctl.run("ls", "--sort", "/dir"), "/dir/a\n/dir/sub\n");
                assertOutput(ctl.run("ls", "--sort", "-p", "--recursive", "/dir"), "/dir/a\n/dir/sub/\n/dir/sub/b\n");
                assertOutput(ctl.run("ls", "/k"), "/k\n");
                JsonNode listing = json(ctl.run("-o", "json", "ls", "--sort", "/dir"));
                assertEquals(2, listing.get("node").get("nodes").size());
                assertTrue(ctl.run("-o", "extended", "ls", "/dir").out().startsWith("Key: /dir\n"));
                Etcdctl.Result root = ctl.run("ls");
                assertTrue(root.out().lines().toList().containsAll(List.of("/k", "/dir", "/queue")), root.out());

                // rm and rmdir
                Etcdctl.Result notEmpty = ctl.run("rmdir", "/dir");
                assertEquals(4, notEmpty.exit());
                assertTrue(notEmpty.err().startsWith("Error:  108: Directory not empty (/dir)"), notEmpty.err());
                assertEquals(4, ctl.run("rm", "/dir").exit(), "a directory needs --dir or --recursive");
                Etcdctl.Result removed = ctl.run("-o", "extended", "rm", "/dir/a");
                assertEquals(0, removed.exit(), removed.toString());
                assertTrue(removed.out().startsWith("Key: /dir/a\n"), removed.out());
                assertEquals(0, ctl.run("rm", "/new").exit());
                assertEquals(4, ctl.run("get", "/new").exit());
                assertOutput(ctl.run("rm", "--dir", "/dir2"), "");
                assertOutput(ctl.run("rmdir", "/dir3"), "");
                assertOutput(ctl.run("rm", "--recursive", "/dir"), "");
                assertEquals(4, ctl.run("get", "/dir/sub/b").exit());
            });
        }
    }

    @Test
    void watchExecWatchMembersAndHealthOnOneMachine() throws Exception {
        Path dir = Files.createTempDirectory("etcdctl-it-");
        try (EtcdCluster cluster = EtcdCluster.start(1)) {
            cluster.showLogsOnFailure(() -> {
                // Four etcdctl JVMs start at once below; on a busy machine their first request (the
                // endpoint sync) may take longer than the default timeouts (2 s, 5 s in all).
                Ctl ctl = new Ctl(List.of("--peers", cluster.machine(0).clientUrl(), "--timeout", "20s",
                        "--total-timeout", "60s"));
                long before = json(ctl.run("-o", "json", "set", "/w/start", "0")).get("node").get("modifiedIndex").asLong();

                // A watch from an index sees the change whether it comes before or after it starts.
                Process watch = Etcdctl.start(dir.resolve("watch.out"), ctl.args("watch", "--after-index",
                        Long.toString(before), "/w/x"));
                Process forever = Etcdctl.start(dir.resolve("forever.out"), ctl.args("-o", "json", "watch",
                        "--forever", "--recursive", "--after-index", Long.toString(before), "/w"));
                Path execOut = dir.resolve("exec.out");
                Process exec = Etcdctl.start(dir.resolve("exec.stdout"), ctl.args("exec-watch", "--after-index",
                        Long.toString(before), "/w/x", "--", "sh", "-c",
                        "echo \"$ETCD_WATCH_ACTION $ETCD_WATCH_KEY $ETCD_WATCH_VALUE\" >> " + execOut));
                try {
                    assertOutput(ctl.run("set", "/w/x", "first"), "first\n");
                    assertOutput(ctl.run("set", "/w/y", "second"), "second\n");
                    assertTrue(watch.waitFor(60, java.util.concurrent.TimeUnit.SECONDS),
                            () -> "watch ends after one change: " + readQuietly(Etcdctl.stderrOf(dir.resolve("watch.out"))));
                    assertEquals(0, watch.exitValue(), () -> "watch: " + readQuietly(Etcdctl.stderrOf(dir.resolve("watch.out"))));
                    assertEquals("first\n", Files.readString(dir.resolve("watch.out")));
                    String both = awaitLines(dir.resolve("forever.out"), 4);
                    List<String> lines = both.lines().toList();
                    assertEquals("[set] /w/x", lines.get(0));
                    assertEquals("first", JSON.readTree(lines.get(1)).get("node").get("value").asText());
                    assertEquals("[set] /w/y", lines.get(2));
                    assertEquals("set /w/x first\n", awaitLines(execOut, 1));
                    assertTrue(forever.isAlive() && exec.isAlive(), "--forever and exec-watch keep watching");
                } finally {
                    watch.destroyForcibly();
                    forever.destroyForcibly();
                    exec.destroyForcibly();
                }

                String name = cluster.name(0);
                Etcdctl.Result members = ctl.run("member", "list");
                assertEquals(0, members.exit(), members.toString());
                assertTrue(members.out().matches("\\S+: name=" + name + " peerURLs=" + cluster.machine(0).peerUrl()
                        + " clientURLs=" + cluster.machine(0).clientUrl() + " isLeader=true\n"), members.out());

                Etcdctl.Result health = ctl.run("cluster-health");
                assertEquals(0, health.exit(), health.toString());
                assertTrue(health.out().endsWith("is healthy: got healthy result from " + cluster.machine(0).clientUrl()
                        + "\ncluster is healthy\n"), health.out());
            });
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void usageHelpAndUnreachableEndpoints() {
        Etcdctl.Result help = Etcdctl.run("--help");
        assertEquals(0, help.exit());
        for (String command : List.of("get", "set", "mk", "mkdir", "setdir", "update", "updatedir", "rm", "rmdir", "ls",
                "watch", "exec-watch", "member", "cluster-health")) {
            assertTrue(help.out().contains("\n  " + command + " "), command + " in\n" + help.out());
        }
        Etcdctl.Result rmHelp = Etcdctl.run("help", "rm");
        assertTrue(rmHelp.out().contains("--with-value") && rmHelp.out().contains("--recursive"), rmHelp.out());
        Etcdctl.Result version = Etcdctl.run("--version");
        assertEquals("etcdctl version: 0.2.0\nAPI version: 2\n", version.out());

        Etcdctl.Result unknownFlag = Etcdctl.run("--nosuch", "get", "/x");
        assertEquals(1, unknownFlag.exit());
        assertTrue(unknownFlag.err().contains("'--nosuch'"), unknownFlag.err());
        Etcdctl.Result badFormat = Etcdctl.run("-o", "yaml", "get", "/x");
        assertEquals(1, badFormat.exit());
        assertTrue(badFormat.err().contains("--output") && badFormat.err().contains("yaml"), badFormat.err());
        Etcdctl.Result badDuration = Etcdctl.run("--timeout", "soon", "get", "/x");
        assertTrue(badDuration.err().contains("--timeout"), badDuration.err());
        Etcdctl.Result noKey = Etcdctl.run("--peers", Etcdctl.deadEndpoint(), "--no-sync", "get");
        assertEquals(1, noKey.exit());
        assertEquals("Error:  key required\n", noKey.err());

        String dead = Etcdctl.deadEndpoint();
        Etcdctl.Result syncFails = Etcdctl.run("--peers", dead, "get", "/x");
        assertEquals(2, syncFails.exit(), "no endpoint to sync with: a connection error");
        assertTrue(syncFails.err().startsWith("Error:  client: etcd cluster is unavailable or misconfigured; error #0: "
                + "dial tcp " + dead.substring("http://".length()) + ": connect: connection refused"), syncFails.err());
        Etcdctl.Result requestFails = Etcdctl.run("--no-sync", "--peers", dead, "get", "/x");
        assertEquals(4, requestFails.exit());
    }

    @Test
    void threeMachinesThroughADeadEndpointAndAFollower() throws Exception {
        try (EtcdCluster cluster = EtcdCluster.start(3)) {
            cluster.showLogsOnFailure(() -> {
                int leader = cluster.leader(Duration.ofSeconds(20));
                int follower = (leader + 1) % 3;
                String dead = Etcdctl.deadEndpoint();
                String peers = dead + "," + cluster.machine(follower).clientUrl();
                for (List<String> global : List.of(List.of("--peers", peers), List.of("--no-sync", "-C", peers))) {
                    Ctl ctl = new Ctl(global);
                    // A write sent to a follower is redirected to the leader and followed.
                    assertOutput(ctl.run("set", "/c/k", "v"), "v\n");
                    assertOutput(ctl.run("get", "--quorum", "/c/k"), "v\n");
                    assertOutput(ctl.run("mk", "/c/m" + global.size(), "m"), "m\n");
                    assertOutput(ctl.run("update", "/c/k", "w"), "w\n");
                    assertTrue(ctl.run("-o", "extended", "get", "/c/k").out().endsWith("\n\nw\n"));
                    assertOutput(ctl.run("mkdir", "/c/d"), "");
                    assertOutput(ctl.run("rmdir", "/c/d"), "");
                    assertOutput(ctl.run("ls", "--sort", "/c"), "/c/k\n/c/m" + global.size() + "\n");
                    assertEquals(0, ctl.run("rm", "/c/m" + global.size()).exit());
                    assertEquals(0, ctl.run("rm", "--recursive", "/c").exit());

                    Etcdctl.Result members = ctl.run("member", "list");
                    assertEquals(0, members.exit(), members.toString());
                    List<String> lines = members.out().lines().toList();
                    assertEquals(3, lines.size(), members.out());
                    assertEquals(1, lines.stream().filter(l -> l.endsWith("isLeader=true")).count(), members.out());
                    assertTrue(lines.stream().anyMatch(l -> l.contains("peerURLs=" + cluster.machine(leader).peerUrl()
                            + " ") && l.endsWith("isLeader=true")), members.out());
                }

                Ctl ctl = new Ctl(List.of("--peers", peers));
                Etcdctl.Result healthy = ctl.run("cluster-health");
                assertEquals(0, healthy.exit(), healthy.toString());
                assertEquals(3, healthy.out().lines().filter(l -> l.contains(" is healthy: ")).count(), healthy.out());

                int other = (leader + 2) % 3;
                cluster.kill(other);
                Etcdctl.Result degraded = ctl.run("cluster-health");
                assertEquals(5, degraded.exit(), degraded.toString());
                assertTrue(degraded.out().endsWith("cluster is degraded\n"), degraded.out());
                assertTrue(degraded.out().contains("failed to check the health of member"), degraded.out());
                assertOutput(ctl.run("set", "/after", "kill"), "kill\n");
            });
        }
    }

    /** etcdctl with the same global flags each time. */
    private record Ctl(List<String> global) {
        String[] args(String... args) {
            List<String> all = new java.util.ArrayList<>(global);
            all.addAll(List.of(args));
            return all.toArray(new String[0]);
        }

        Etcdctl.Result run(String... args) {
            return Etcdctl.run(args(args));
        }

        Etcdctl.Result runWithInput(String stdin, String... args) {
            return Etcdctl.runWithInput(stdin, args(args));
        }
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            return "(" + file + " unreadable: " + e.getMessage() + ")";
        }
    }

    private static void assertOutput(Etcdctl.Result result, String out) {
        assertEquals(0, result.exit(), result.toString());
        assertEquals(out, result.out(), result.toString());
    }

    private static JsonNode json(Etcdctl.Result result) throws Exception {
        assertEquals(0, result.exit(), result.toString());
        assertFalse(result.out().isEmpty(), result.toString());
        return JSON.readTree(result.out());
    }

    private static String awaitLines(Path file, int lines) {
        return EtcdCluster.poll(Duration.ofSeconds(60), lines + " lines in " + file, () -> {
            try {
                String text = Files.exists(file) ? Files.readString(file) : "";
                return text.lines().count() >= lines ? text : null;
            } catch (java.io.IOException e) {
                return null;
            }
        });
    }
}
