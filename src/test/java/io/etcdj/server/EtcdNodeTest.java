package io.etcdj.server;

import io.etcdj.store.EtcdException;
import io.etcdj.store.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

class EtcdNodeTest {
    @TempDir
    Path dir;

    private final List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();

    @org.junit.jupiter.api.AfterEach
    void theNodeLoopNeverFailed() {
        assertEquals(List.of(), failures);
    }

    private EtcdNode start() throws Exception {
        return EtcdNode.start(new EtcdNode.Settings("node0", "http://127.0.0.1:7001", "http://127.0.0.1:4001",
                dir.resolve("log"), 10, 5, 20, 9, false, null,
                dir.resolve("snapshot"), 100, 16 << 10), Clock.systemUTC(), failures::add);
    }

    private static Event set(EtcdNode node, String key, String value) throws Exception {
        return (Event) node.propose(new Command.Set(key, false, value, null)).get(10, TimeUnit.SECONDS);
    }

    @Test
    void aFreshNodeRegistersItselfAtIndexOneSoTheFirstWriteGetsIndexTwo() throws Exception {
        try (EtcdNode node = start()) {
            Event first = set(node, "/foo", "bar");
            assertEquals(2, first.index());
            assertEquals("etcd=http%3A%2F%2F127.0.0.1%3A4001&raft=http%3A%2F%2F127.0.0.1%3A7001",
                    node.store().get("/_etcd/machines/node0", false, false).node().value());
            assertEquals(List.of("http://127.0.0.1:4001"), node.clientUrls());
            assertTrue(node.isLeader());
            assertEquals("http://127.0.0.1:7001", node.leaderPeerUrl());
        }
    }

    @Test
    void aRestartedNodeServesEveryAcknowledgedWriteWithItsIndexes() throws Exception {
        List<Event> acked = new ArrayList<>();
        try (EtcdNode node = start()) {
            for (int i = 0; i < 50; i++) {
                acked.add(set(node, "/k/" + i, "v" + i));
            }
        }
        try (EtcdNode node = start()) {
            // the store is complete before start() returns, without waiting for an election
            assertEquals(acked.get(acked.size() - 1).index(), node.store().index());
            for (Event e : acked) {
                Event got = node.store().get(e.node().key(), false, false);
                assertEquals(e.node().value(), got.node().value());
                assertEquals(e.node().modifiedIndex(), got.node().modifiedIndex());
            }
            assertEquals(acked.get(acked.size() - 1).index() + 1, set(node, "/after", "restart").index());
        }
    }

    @Test
    void aWriteIsAnsweredBeforeTheWatchersItWakesAreTold() throws Exception {
        try (EtcdNode node = start()) {
            set(node, "/warm", "up");
            CompletableFuture<CompletableFuture<Object>> write = new CompletableFuture<>();
            List<Boolean> answeredFirst = new java.util.concurrent.CopyOnWriteArrayList<>();
            for (int i = 0; i < 1000; i++) {
                // the applier tells the watchers; the write's future is known once propose returns
                node.store().watch("/w", false, 0, event -> answeredFirst.add(write.join().isDone()));
            }

            write.complete(node.propose(new Command.Set("/w", false, "x", null)));

            Event event = (Event) write.get().get(10, TimeUnit.SECONDS);
            assertEquals("x", event.node().value());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (answeredFirst.size() < 1000 && System.nanoTime() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
            assertEquals(1000, answeredFirst.size());
            assertFalse(answeredFirst.contains(false), "a watcher was told before the write was answered");
        }
    }

    @Test
    void concurrentWritesShareFsyncs() throws Exception {
        try (EtcdNode node = start()) {
            set(node, "/warm", "up");
            long before = node.logSyncs();
            List<CompletableFuture<Object>> writes = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                writes.add(node.propose(new Command.Set("/c/" + i, false, "x", null)));
            }
            CompletableFuture.allOf(writes.toArray(new CompletableFuture[0])).get(30, TimeUnit.SECONDS);
            long syncs = node.logSyncs() - before;
            assertTrue(syncs < 2000, "2000 writes took " + syncs + " fsyncs");
        }
    }

    @Test
    void aFailedCommandAnswersTheStoreErrorAndDoesNotAdvanceTheIndex() throws Exception {
        try (EtcdNode node = start()) {
            set(node, "/file", "v");
            long index = node.store().index();
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> node.propose(new Command.Set("/file/below", false, "v", null)).get(10, TimeUnit.SECONDS));
            assertEquals(104, ((EtcdException) e.getCause()).code());
            assertEquals(index, node.store().index());
        }
    }

    @Test
    void anExpiringKeyIsRemovedByTheLeaderThroughTheLog() throws Exception {
        try (EtcdNode node = start()) {
            Event created = (Event) node.propose(new Command.Set("/ttl", false, "v",
                    Instant.now().plusMillis(200))).get(10, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (node.store().index() == created.index() && System.nanoTime() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
            }
            EtcdException gone = assertThrows(EtcdException.class, () -> node.store().get("/ttl", false, false));
            assertEquals(100, gone.code());
            assertEquals(created.index() + 1, node.store().index());
        }
        try (EtcdNode node = start()) {
            // the expiry was a logged command: it happens again on replay, at the same index
            assertThrows(EtcdException.class, () -> node.store().get("/ttl", false, false));
        }
    }

    /** Bytes under {@code dir}; files that vanish while being counted (old snapshots) count 0. */
    private static long sizeOf(Path dir) {
        java.io.File[] children = dir.toFile().listFiles();
        long total = 0;
        for (java.io.File f : children == null ? new java.io.File[0] : children) {
            total += f.isDirectory() ? sizeOf(f.toPath()) : f.length();
        }
        return total;
    }

    @Test
    void aRestartedNodeComesBackFromItsNewestSnapshotAndTheLogAfterIt() throws Exception {
        List<Event> acked = new ArrayList<>();
        try (EtcdNode node = start()) {
            for (int i = 0; i < 1050; i++) {
                acked.add(set(node, "/s/" + (i % 300), "v" + i));
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (System.nanoTime() < deadline && snapshotFiles().size() < 3) {
                java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
            }
        }
        List<Path> snaps = snapshotFiles();
        assertEquals(3, snaps.size(), "the newest three snapshots are kept: " + snaps);
        try (EtcdNode node = start()) {
            assertEquals(acked.get(acked.size() - 1).index(), node.store().index());
            for (Event e : acked.subList(acked.size() - 300, acked.size())) {
                Event got = node.store().get(e.node().key(), false, false);
                assertEquals(e.node().value(), got.node().value());
                assertEquals(e.node().modifiedIndex(), got.node().modifiedIndex());
            }
        }
    }

    @Test
    void aSnapshotImageThatDoesNotDecodeStopsTheStartEveryTime() throws Exception {
        try (EtcdNode node = start()) {
            for (int i = 0; i < 250; i++) {
                set(node, "/s/" + i, "v" + i);
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (System.nanoTime() < deadline && snapshotFiles().isEmpty()) {
                java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
            }
        }
        // the newest snapshot file is whole (its checksum holds) but its store image is garbage
        io.etcdj.wal.SnapshotDirectory snapshots = io.etcdj.wal.SnapshotDirectory.open(dir.resolve("snapshot"));
        io.etcdj.wal.SnapshotRecord newest = snapshots.loadNewest().snapshot();
        assertNotNull(newest);
        snapshots.save(new io.etcdj.wal.SnapshotRecord(newest.index(), newest.term(), newest.members(),
                newest.context(), "{\"version\":2,".getBytes(java.nio.charset.StandardCharsets.UTF_8)));

        // the node is built while the image decodes; the decoder's refusal is what the start
        // throws, and again on a second start
        for (int attempt = 0; attempt < 2; attempt++) {
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, this::start);
            assertTrue(refused.getMessage().startsWith("not a valid store snapshot"), refused.getMessage());
        }
    }

    @Test
    void diskUseStaysBoundedUnderALongWriteLoadOnAFixedSetOfKeys() throws Exception {
        try (EtcdNode node = start()) {
            long[] most = new long[4];
            for (int round = 0; round < 80; round++) {
                List<CompletableFuture<Object>> writes = new ArrayList<>();
                for (int i = 0; i < 250; i++) {
                    writes.add(node.propose(new Command.Set("/fixed/" + (i % 50), false, "value-" + round + "-" + i, null)));
                }
                CompletableFuture.allOf(writes.toArray(new CompletableFuture[0])).get(30, TimeUnit.SECONDS);
                most[round / 20] = Math.max(most[round / 20], sizeOf(dir));
            }
            // snapshots (three kept, each with the 1000-event history) and the log since the older
            // one: the same after 20,000 writes as after 5,000
            assertTrue(most[3] <= most[0] * 3 / 2, "grew from " + most[0] + " to " + most[3] + " bytes");
            assertTrue(most[3] < 1_500_000, "the data dir grew to " + most[3] + " bytes");
        }
    }

    private List<Path> snapshotFiles() throws java.io.IOException {
        Path snapshots = dir.resolve("snapshot");
        if (!java.nio.file.Files.isDirectory(snapshots)) {
            return List.of();
        }
        try (var files = java.nio.file.Files.list(snapshots)) {
            return files.filter(f -> f.toString().endsWith(".snap")).sorted().toList();
        }
    }
}
