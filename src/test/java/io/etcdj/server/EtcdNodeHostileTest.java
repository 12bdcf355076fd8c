package io.etcdj.server;

import io.etcdj.raft.Entry;
import io.etcdj.raft.EntryType;
import io.etcdj.raft.Membership;
import io.etcdj.raft.Message;
import io.etcdj.raft.Snapshot;
import io.etcdj.raft.SnapshotMetadata;
import io.etcdj.store.Event;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A single member fed messages that cannot come from a member of its cluster, or that do not fit
 * its state: it drops them and keeps serving, and nothing it acknowledged is lost on restart.
 */
class EtcdNodeHostileTest {
    @TempDir
    Path dir;
    private final List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void theNodeNeverStopped() {
        assertEquals(List.of(), failures);
    }

    private EtcdNode start(boolean snapshots) throws Exception {
        return EtcdNode.start(new EtcdNode.Settings("node0", "http://127.0.0.1:7001", "http://127.0.0.1:4001",
                dir.resolve("log"), 10, 5, 20, 9, false, null,
                snapshots ? dir.resolve("snapshot") : null, 100, 16 << 10), Clock.systemUTC(), failures::add);
    }

    private static Event set(EtcdNode node, String key, String value) throws Exception {
        return (Event) node.propose(new Command.Set(key, false, value, null)).get(10, TimeUnit.SECONDS);
    }

    private static List<Message> lies() {
        long huge = Long.MAX_VALUE / 2;
        byte[] garbage = "not a store".getBytes(StandardCharsets.UTF_8);
        Entry forged = new Entry(huge, huge, EntryType.NORMAL, garbage);
        return List.of(
                new Message.Heartbeat("node0", "node0", huge, huge, 1),
                new Message.Heartbeat("stranger", "node0", huge, huge, 1),
                new Message.AppendRequest("stranger", "node0", huge, huge - 1, huge, List.of(forged), huge),
                new Message.AppendRequest("node0", "node0", 5, 0, 0, List.of(), 1_000),
                new Message.VoteRequest("stranger", "node0", huge, false, huge, huge, true),
                new Message.VoteResponse("node0", "node0", huge, false, true),
                new Message.AppendResponse("stranger", "node0", 1, true, huge, 0, 0),
                new Message.HeartbeatResponse("stranger", "node0", huge, huge),
                new Message.TimeoutNow("stranger", "node0", huge),
                new Message.TimeoutNow("node0", "node0", huge),
                new Message.Heartbeat("stranger", "somebody-else", 1, 1, 1));
    }

    @Test
    void messagesFromStrangersOrFromItselfAreDroppedAndTheNodeKeepsItsLeadership() throws Exception {
        List<Event> acked = new ArrayList<>();
        try (EtcdNode node = start(true)) {
            acked.add(set(node, "/before", "1"));
            long term = node.raftTerm();
            // when every kind of lying message arrives, several times over
            for (int round = 0; round < 3; round++) {
                for (Message m : lies()) {
                    node.receive(m);
                }
                acked.add(set(node, "/round" + round, "v"));
            }
            // then it still leads in the same term and takes writes
            assertTrue(node.isLeader());
            assertEquals(term, node.raftTerm());
        }
        // and a restart finds every acknowledged write
        try (EtcdNode node = start(true)) {
            for (Event e : acked) {
                assertEquals(e.node().value(), node.store().get(e.node().key(), false, false).node().value());
            }
            set(node, "/after-restart", "ok");
        }
    }

    @Test
    void aSnapshotOfGarbageIsRefusedBeforeItReachesTheCore() throws Exception {
        try (EtcdNode node = start(true)) {
            set(node, "/kept", "yes");
            Snapshot garbage = new Snapshot(new SnapshotMetadata(1_000, 1_000, Membership.of("node0", "x")),
                    "{\"garbage\":".getBytes(StandardCharsets.UTF_8));
            // a member's name, so that only the data can give it away
            assertThrows(IllegalArgumentException.class,
                    () -> node.receive(new Message.InstallSnapshot("x", "node0", 1_000, garbage)));
            assertEquals("yes", set(node, "/kept", "yes").node().value());
            assertTrue(node.isLeader());
        }
    }

    @Test
    void aSnapshotSentToAMachineWithoutSnapshotsIsRefused() throws Exception {
        try (EtcdNode node = start(false)) {
            set(node, "/a", "1");
            Snapshot any = new Snapshot(new SnapshotMetadata(10, 10, Membership.of("node0")), new byte[0]);
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> node.receive(new Message.InstallSnapshot("x", "node0", 10, any)));
            assertTrue(refused.getMessage().contains("-snapshot=false"), refused.getMessage());
            set(node, "/b", "2");
        }
    }
}
