package io.etcdj.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.etcdj.peer.PeerFrames;
import io.etcdj.raft.Entry;
import io.etcdj.raft.EntryType;
import io.etcdj.raft.Membership;
import io.etcdj.raft.Message;
import io.etcdj.raft.Message.AppendRequest;
import io.etcdj.raft.Message.AppendResponse;
import io.etcdj.raft.Message.Heartbeat;
import io.etcdj.raft.Message.HeartbeatResponse;
import io.etcdj.raft.Message.InstallSnapshot;
import io.etcdj.raft.Message.TimeoutNow;
import io.etcdj.raft.Message.VoteRequest;
import io.etcdj.raft.Message.VoteResponse;
import io.etcdj.raft.Snapshot;
import io.etcdj.raft.SnapshotMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Nothing a peer or a stranger sends to the peer port takes a machine down: garbage, Raft
 * streams in wrong names, well-formed frames that lie (every message kind, absurd terms and
 * indexes, a commit index far beyond the log, snapshots of garbage, truncated snapshot
 * streams), hostile {@code /join} and {@code /remove} bodies. After each case every machine
 * must answer a read and the cluster take a write within a bounded time; at the end every
 * machine is killed with SIGKILL and restarted, and every acknowledged write must be there.
 * All cases run; the failures are listed together at the end.
 */
@Timeout(600)
class HostilePeerIT {
    private static final Duration RECOVER = Duration.ofSeconds(20);
    private static final long HUGE = 1L << 40;

    private interface Case {
        void run() throws Exception;
    }

    @Test
    void aSingleMachineSurvivesHostilePeers() throws Exception {
        try (EtcdCluster cluster = EtcdCluster.start(1)) {
            cluster.showLogsOnFailure(() -> survive(cluster, 0, true));
        }
    }

    @Test
    void aClusterOfThreeSurvivesHostilePeers() throws Exception {
        try (EtcdCluster cluster = EtcdCluster.start(3)) {
            cluster.showLogsOnFailure(() -> {
                // Followers and the leader differ in what they accept: attack one of each.
                survive(cluster, cluster.follower(), false);
                survive(cluster, cluster.leader(), true);
            });
        }
    }

    /**
     * Runs every case against machine {@code target}. A snapshot of garbage in a member's name
     * goes last and only when {@code last}: if the node installs it, the machine cannot restart.
     */
    private void survive(EtcdCluster cluster, int target, boolean last) throws Exception {
        Map<String, JsonNode> written = new LinkedHashMap<>();
        List<String> failures = new ArrayList<>();
        for (Map.Entry<String, Case> c : cases(cluster, target, last).entrySet()) {
            String name = c.getKey();
            int leaderBefore = cluster.leader();
            try {
                c.getValue().run();
                written.put(name, assertAlive(cluster, name, leaderBefore));
            } catch (Exception | AssertionError e) {
                failures.add(name + ": " + e);
                System.out.println("HostilePeerIT: " + cluster.name(target) + " case '" + name + "' failed: " + e);
                for (int i = 0; i < cluster.size(); i++) {
                    if (!cluster.machine(i).isAlive()) {
                        System.out.println(cluster.machine(i).logTail(3000));
                        try {
                            cluster.restart(i);
                        } catch (RuntimeException e2) {
                            failures.add(name + ": " + cluster.name(i) + " does not restart: " + e2.getMessage().lines().findFirst().orElse(""));
                        }
                    }
                }
            }
        }
        // Finally every acknowledged write survives SIGKILL of every machine.
        try {
            cluster.killAll();
            cluster.restartAll();
            for (int i = 0; i < cluster.size(); i++) {
                for (Map.Entry<String, JsonNode> w : written.entrySet()) {
                    String key = w.getValue().path("key").asText().substring(1);
                    JsonNode node = cluster.awaitValue(i, key, w.getValue().path("value").asText(), RECOVER);
                    assertEquals(w.getValue().path("modifiedIndex").asLong(), node.path("modifiedIndex").asLong(),
                            cluster.name(i) + " " + key);
                }
            }
        } catch (RuntimeException | AssertionError e) {
            failures.add("after SIGKILL and restart: " + e.toString().lines().findFirst().orElse(""));
        }
        assertTrue(failures.isEmpty(), failures.size() + " hostile cases took " + cluster.name(target)
                + " or the cluster down:\n  " + String.join("\n  ", failures));
    }

    /** Every machine answers a read, and the cluster has a leader that takes a write. */
    private JsonNode assertAlive(EtcdCluster cluster, String caseName, int leaderBefore) {
        for (int i = 0; i < cluster.size(); i++) {
            assertTrue(cluster.machine(i).isAlive(), cluster.name(i) + " died");
            int m = i;
            EtcdCluster.poll(RECOVER, cluster.name(i) + " to answer a read", () -> {
                int status = cluster.get(m, "hostile").status();
                return status == 200 || status == 404 ? status : null;
            });
        }
        String key = "hostile/" + caseName.replaceAll("[^A-Za-z0-9]+", "-");
        JsonNode node = cluster.set(key, "survived");
        int leaderAfter = cluster.leader(RECOVER);
        if (leaderAfter != leaderBefore) {
            System.out.println("HostilePeerIT: case '" + caseName + "' moved the leader from " + cluster.name(leaderBefore)
                    + " to " + cluster.name(leaderAfter));
        }
        for (int i = 0; i < cluster.size(); i++) {
            assertTrue(cluster.machine(i).isAlive(), cluster.name(i) + " died after the write");
        }
        return node;
    }

    private Map<String, Case> cases(EtcdCluster cluster, int target, boolean withGarbageFromAMember) {
        PeerImpostor peer = new PeerImpostor(cluster.machine(target).peerPort());
        String self = cluster.name(target);
        String url = cluster.machine(target).peerUrl();
        List<String> others = new ArrayList<>();
        for (int i = 0; i < cluster.size(); i++) {
            if (i != target) {
                others.add(cluster.name(i));
            }
        }
        String member = others.isEmpty() ? null : others.get(0);
        String otherMember = others.size() < 2 ? null : others.get(1);
        String stranger = "intruder";
        String strangerUrl = "http://127.0.0.1:1";
        Random random = new Random(42);
        Map<String, Case> cases = new LinkedHashMap<>();

        cases.put("garbage bytes", () -> {
            byte[] garbage = new byte[64 << 10];
            random.nextBytes(garbage);
            peer.raw(garbage);
        });
        cases.put("an endless request line", () -> peer.raw(("GET /" + "a".repeat(100_000)).getBytes(StandardCharsets.US_ASCII)));
        cases.put("garbage after an upgrade", () -> {
            byte[] garbage = new byte[64 << 10];
            random.nextBytes(garbage);
            peer.stream(stranger, strangerUrl, self, List.of(garbage));
        });
        cases.put("a frame length of 4 GiB", () -> peer.stream(stranger, null, self,
                List.of(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 1, 5})));
        cases.put("every message kind from a stranger", () ->
                peer.stream(stranger, strangerUrl, self, PeerImpostor.frames(everyKind(stranger, self, 1 << 20))));
        cases.put("every message kind from the machine itself", () ->
                peer.stream(self, url, self, PeerImpostor.frames(everyKind(self, self, HUGE))));
        cases.put("a heartbeat naming the machine itself with a huge term and commit", () ->
                peer.stream(self, null, self, PeerImpostor.frames(List.of(new Heartbeat(self, self, HUGE, HUGE, 0)))));
        cases.put("absurd terms and indexes", () -> peer.stream(stranger, null, self, PeerImpostor.frames(List.of(
                new Heartbeat(stranger, self, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE),
                new VoteRequest(stranger, self, -1, false, -1, -1, true),
                new AppendRequest(stranger, self, Long.MAX_VALUE, Long.MAX_VALUE - 1, 1,
                        List.of(new Entry(Long.MAX_VALUE, 1, EntryType.NORMAL, new byte[3])), Long.MAX_VALUE)))));
        cases.put("messages for another machine", () ->
                peer.stream(stranger, null, self, PeerImpostor.frames(everyKind(stranger, "elsewhere", 3))));
        cases.put("a snapshot of garbage in one frame from a stranger", () -> peer.stream(stranger, null, self,
                PeerImpostor.frames(List.of(garbageSnapshot(stranger, self, random)))));
        cases.put("a chunked snapshot of garbage from a stranger", () -> {
            InstallSnapshot s = garbageSnapshot(stranger, self, random);
            peer.stream(stranger, null, self, List.of(PeerFrames.snapshotHead(s, s.snapshot().data().length),
                    PeerFrames.snapshotChunk(s.snapshot().data())));
        });
        cases.put("truncated snapshot streams", () -> {
            InstallSnapshot s = garbageSnapshot(stranger, self, random);
            peer.stream(stranger, null, self, List.of(PeerFrames.snapshotHead(s, 1 << 20),
                    PeerFrames.snapshotChunk(new byte[100])));
            peer.stream(stranger, null, self, List.of(PeerFrames.snapshotChunk(new byte[100])));
            peer.stream(stranger, null, self, List.of(PeerFrames.snapshotHead(s, 10), PeerFrames.snapshotHead(s, 10)));
            peer.stream(stranger, null, self, List.of(PeerFrames.snapshotHead(s, Integer.MAX_VALUE - 8)));
        });
        cases.put("streams in bad names", () -> {
            for (String bad : new String[] {"", "a/b", "..", "a\u0001b", "x".repeat(5000)}) {
                String status = peer.stream(bad, null, self, List.of());
                assertTrue(status.startsWith("HTTP/1.1 400"), "stream from '" + bad + "': " + status);
            }
            assertTrue(peer.stream("b", "file:///etc/passwd", self, List.of()).startsWith("HTTP/1.1 400"));
        });
        cases.put("hostile join bodies", () -> {
            List<String> bodies = List.of("{\"name\": ", "not json", "[".repeat(100_000),
                    "{\"name\":" + "{\"a\":".repeat(1000) + "1" + "}".repeat(1001),
                    "{\"name\":\"a/b\",\"raftURL\":\"http://h:7001\",\"etcdURL\":\"http://h:4001\"}",
                    "{\"name\":\"../x\",\"raftURL\":\"http://h:7001\",\"etcdURL\":\"http://h:4001\"}",
                    "{\"name\":\"ok\u0000\",\"raftURL\":\"http://h:7001\",\"etcdURL\":\"http://h:4001\"}",
                    "{\"name\":\"ok\",\"raftURL\":\"gopher://h\",\"etcdURL\":\"http://h:4001\"}",
                    "{\"minVersion\":" + "9".repeat(100_000) + "}");
            for (String body : bodies) {
                String status = peer.http("POST", "/join", body.getBytes(StandardCharsets.UTF_8));
                assertTrue(status.startsWith("HTTP/1.1 4") || status.startsWith("HTTP/1.1 5"),
                        "join " + body.substring(0, Math.min(40, body.length())) + ": " + status);
            }
            String huge = peer.http("POST", "/join", new byte[8 << 20]);
            assertTrue(huge.isEmpty() || huge.startsWith("HTTP/1.1 413"), "a huge join: " + huge);
        });
        cases.put("hostile remove requests", () -> {
            for (String target2 : new String[] {"/remove/a%2Fb", "/remove/..", "/remove/a%00b", "/remove/" + "x".repeat(3000),
                    "/remove/ghost"}) {
                String status = peer.http("DELETE", target2, new byte[0]);
                assertTrue(!status.isEmpty(), "no answer to DELETE " + target2);
            }
        });
        if (member != null) {
            cases.put("every message kind lying in a member's name", () ->
                    peer.stream(member, null, self, PeerImpostor.frames(impossibleFrom(member, self))));
            cases.put("a heartbeat from a member with a commit far beyond the log", () -> peer.stream(member, null, self,
                    PeerImpostor.frames(List.of(new Heartbeat(member, self, 1, HUGE, 0), new Heartbeat(member, self, HUGE, HUGE, 0)))));
            cases.put("a stranger's frames on a member's stream", () ->
                    peer.stream(member, null, self, PeerImpostor.frames(everyKind(stranger, self, HUGE))));
            cases.put("the machine's own name on a member's stream", () ->
                    peer.stream(member, null, self, PeerImpostor.frames(everyKind(self, self, HUGE))));
            if (otherMember != null) {
                cases.put("another member's frames on a member's stream", () ->
                        peer.stream(member, null, self, PeerImpostor.frames(everyKind(otherMember, self, HUGE))));
            }
        }
        if (member != null && withGarbageFromAMember) {
            // Last: without the node's check of snapshot data, this one persists garbage.
            cases.put("a snapshot of garbage from a member", () -> peer.stream(member, null, self,
                    PeerImpostor.frames(List.of(garbageSnapshot(member, self, random)))));
        }
        return cases;
    }

    /** One message of every kind, with absurd numbers. */
    private static List<Message> everyKind(String from, String to, long n) {
        return List.of(
                new VoteRequest(from, to, n, false, n, n, true),
                new VoteRequest(from, to, n, true, n, n, false),
                new VoteResponse(from, to, n, false, true),
                new AppendRequest(from, to, n, n, n, List.of(new Entry(n + 1, n, EntryType.NORMAL, new byte[] {1, 2})), n),
                new AppendResponse(from, to, n, true, n, n, n),
                new Heartbeat(from, to, n, n, n),
                new HeartbeatResponse(from, to, n, n),
                new InstallSnapshot(from, to, n, new Snapshot(new SnapshotMetadata(n, n, Membership.of(from)), new byte[] {9})),
                new TimeoutNow(from, to, n));
    }

    /** A member's name on messages no member could send. */
    private static List<Message> impossibleFrom(String member, String to) {
        return List.of(
                new VoteRequest(member, to, 5, false, 10, 6, false),
                new VoteResponse(member, to, HUGE, false, true),
                new AppendRequest(member, to, 3, 1, 1, List.of(new Entry(5, 3, EntryType.NORMAL, new byte[1])), 1),
                new AppendRequest(member, to, 3, 1, 1, List.of(new Entry(2, 4, EntryType.NORMAL, new byte[1])), 1),
                new AppendRequest(member, to, 3, 1, 1, List.of(new Entry(2, 3, EntryType.CONF_CHANGE, new byte[] {1, 0, 127, 0, 0, 0})), 1),
                new AppendRequest(member, to, (1L << 62) + 1, 0, 0, List.of(), 0),
                new AppendResponse(member, to, 1, true, HUGE, 0, 0),
                new HeartbeatResponse(member, to, 1, HUGE),
                new InstallSnapshot(member, to, 3, new Snapshot(new SnapshotMetadata(HUGE, 3, Membership.EMPTY), new byte[1])),
                new InstallSnapshot(member, to, 3, new Snapshot(new SnapshotMetadata(HUGE, 4, Membership.of(member)), new byte[1])),
                new InstallSnapshot(member, to, 3, new Snapshot(new SnapshotMetadata(Long.MAX_VALUE, 3, Membership.of(member)),
                        new byte[1])));
    }

    private static InstallSnapshot garbageSnapshot(String from, String to, Random random) {
        byte[] data = new byte[200_000];
        random.nextBytes(data);
        return new InstallSnapshot(from, to, HUGE, new Snapshot(new SnapshotMetadata(HUGE, HUGE,
                Membership.of(from, to)), data));
    }
}
