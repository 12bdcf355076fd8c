package io.etcdj.server;

import io.etcdj.peer.JoinClient;
import io.etcdj.peer.JoinRequest;
import io.etcdj.peer.PeerListener;
import io.etcdj.store.EtcdException;
import io.etcdj.store.Event;
import io.etcdj.store.Watcher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A member whose disk is full or fails: it refuses writes at once with a clear error 300, keeps
 * serving reads and watches, a leader hands over to a follower, and once the disk works again it
 * resumes by itself; nothing acknowledged is lost.
 */
class EtcdNodeDiskTest {
    private static final IOException FULL = new IOException("No space left on device");

    @TempDir
    Path dir;
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> started = new ArrayList<>();

    @AfterEach
    void theNodesNeverStopped() throws Exception {
        for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).close();
        }
        assertEquals(List.of(), failures);
    }

    private record Started(EtcdNode node, FailingStorage storage) {}

    private Started start(String name, int peerPort, boolean join) throws IOException {
        FailingStorage[] storage = new FailingStorage[1];
        EtcdNode node = EtcdNode.start(new EtcdNode.Settings(name, "http://127.0.0.1:" + peerPort,
                "http://127.0.0.1:4001", dir.resolve(name).resolve("log"), 10, 5, 20, 9, join, null,
                dir.resolve(name).resolve("snapshot"), 1000, 16 << 10), Clock.systemUTC(), failures::add,
                (wal, snapshots) -> storage[0] = new FailingStorage(wal, snapshots));
        return new Started(node, storage[0]);
    }

    private static Event set(EtcdNode node, String key, String value) throws Exception {
        return (Event) node.propose(new Command.Set(key, false, value, null)).get(10, TimeUnit.SECONDS);
    }

    private static EtcdException refused(CompletableFuture<?> future) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(10, TimeUnit.SECONDS));
        return assertInstanceOf(EtcdException.class, e.getCause());
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out waiting until " + what);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
        }
    }

    @Test
    void aFullDiskRefusesWritesAtOnceServesReadsAndWatchesAndResumesByItself() throws Exception {
        List<Event> acked = new ArrayList<>();
        Started s = start("node0", 7001, false);
        try (EtcdNode node = s.node()) {
            acked.add(set(node, "/before", "1"));
            List<Event> watched = new CopyOnWriteArrayList<>();
            Watcher watcher = node.store().watch("/during", false, 0, watched::add);

            s.storage().fail(FULL);
            // the write that meets the full disk: its outcome is unknown, and the client is told so
            EtcdException first = refused(node.propose(new Command.Set("/during", false, "maybe", null)));
            assertEquals(EtcdException.RAFT_INTERNAL, first.code());
            assertTrue(first.errorCause().startsWith("the disk of this machine is full (No space left on device)"),
                    first.errorCause());
            // later writes are refused at once, without waiting for a deadline
            long started = System.nanoTime();
            EtcdException later = refused(node.propose(new Command.Set("/refused", false, "no", null)));
            long refusedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertEquals("the disk of this machine is full (No space left on device): writes are refused until it "
                    + "has space again", later.errorCause());
            assertEquals(500, later.httpStatus());
            assertTrue(refusedMillis < 1000, refusedMillis + " ms");
            assertNotNull(node.writesRefused());
            assertEquals(EtcdException.RAFT_INTERNAL, refused(node.linearizableRead()).code());
            // plain reads are served from the store
            assertEquals("1", node.store().get("/before", false, false).node().value());

            s.storage().heal();
            await("writes are taken again", () -> node.writesRefused() == null);
            acked.add(set(node, "/after", "2"));
            // the write held while the disk was full was persisted once it could be, then applied
            assertEquals("maybe", node.store().get("/during", false, false).node().value());
            await("the watch saw it", () -> !watched.isEmpty());
            assertEquals("/during", watched.get(0).node().key());
            watcher.cancel();
            assertTrue(s.storage().failedPersists() >= 1);
        }
        try (EtcdNode node = start("node0", 7001, false).node()) {
            for (Event e : acked) {
                assertEquals(e.node().value(), node.store().get(e.node().key(), false, false).node().value());
            }
        }
    }

    @Test
    void anIoErrorStallsTheSameWayWithItsOwnCause() throws Exception {
        Started s = start("node0", 7001, false);
        try (EtcdNode node = s.node()) {
            set(node, "/a", "1");
            s.storage().fail(new IOException("Input/output error"));
            refused(node.propose(new Command.Set("/b", false, "2", null)));
            EtcdException e = refused(node.propose(new Command.Set("/c", false, "3", null)));
            assertEquals("the disk of this machine cannot be written (Input/output error): writes are refused until "
                    + "it can be written again", e.errorCause());
            s.storage().heal();
            await("writes are taken again", () -> node.writesRefused() == null);
            assertEquals("4", set(node, "/d", "4").node().value());
        }
    }

    @Test
    void aStalledLeaderHandsOverAndCatchesUpOnceItsDiskWorks() throws Exception {
        int[] ports = {freePort(), freePort(), freePort()};
        List<Started> members = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Started m = start("node" + i, ports[i], i > 0);
            started.add(m.node());
            PeerListener listener = new PeerListener(m.node(), null);
            listener.start("127.0.0.1", ports[i]);
            started.add(listener);
            members.add(m);
            if (i > 0) {
                try (JoinClient joiner = new JoinClient(null, Duration.ofSeconds(5), Duration.ofMillis(100))) {
                    long index = joiner.join(List.of("http://127.0.0.1:" + ports[0]),
                            JoinRequest.of("node" + i, "http://127.0.0.1:" + ports[i], "http://127.0.0.1:4001"), 20);
                    await("node" + i + " caught up", () -> m.node().appliedIndex() >= index);
                }
            }
        }
        EtcdNode leader = members.get(0).node();
        assertTrue(leader.isLeader());
        List<Event> acked = new ArrayList<>();
        acked.add(set(leader, "/before", "1"));
        await("every member applied it", () -> members.stream().allMatch(m -> m.node().appliedIndex()
                >= acked.get(0).index()));

        members.get(0).storage().fail(FULL);
        long stalledAt = System.nanoTime();
        refused(leader.propose(new Command.Set("/during", false, "x", null)));
        await("another member leads", () -> members.get(1).node().isLeader() || members.get(2).node().isLeader());
        long handOverMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stalledAt);
        EtcdNode next = members.get(1).node().isLeader() ? members.get(1).node() : members.get(2).node();
        // the election timeout is 200 to 400 ms: a hand-over takes much less than waiting it out twice
        assertTrue(handOverMillis < 2000, handOverMillis + " ms");
        assertTrue(!leader.isLeader());
        for (int i = 0; i < 5; i++) {
            acked.add(set(next, "/new/" + i, "v" + i));
        }
        assertNotNull(leader.writesRefused());
        assertEquals("1", leader.store().get("/before", false, false).node().value());

        members.get(0).storage().heal();
        long last = acked.get(acked.size() - 1).index();
        await("the old leader caught up", () -> leader.store().index() >= last);
        assertNull(leader.writesRefused());
        for (Event e : acked) {
            assertEquals(e.node().value(), leader.store().get(e.node().key(), false, false).node().value());
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
