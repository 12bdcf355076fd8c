package io.etcdj.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.etcdj.raft.Membership;
import io.etcdj.raft.Snapshot;
import io.etcdj.raft.SnapshotMetadata;
import io.etcdj.wal.SnapshotDirectory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class SnapshotsTest {
    private static final int EVERY = 10;

    @TempDir
    Path dir;

    private final Logger logger = (Logger) LoggerFactory.getLogger(Snapshots.class);
    private final BlockingQueue<ILoggingEvent> logged = new LinkedBlockingQueue<>();
    private final AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
            logged.add(event);
        }
    };
    private Level levelBefore;

    @BeforeEach
    void captureTheLog() {
        levelBefore = logger.getLevel();
        logger.setLevel(Level.INFO);
        logger.setAdditive(false); // kept here, not printed
        appender.start();
        logger.addAppender(appender);
    }

    @AfterEach
    void releaseTheLog() {
        logger.detachAppender(appender);
        logger.setAdditive(true);
        logger.setLevel(levelBefore);
    }

    private static SnapshotMetadata meta(long index) {
        return new SnapshotMetadata(index, 1, Membership.of("node0"));
    }

    private static Snapshot snapshot(long index, String data) {
        return new Snapshot(meta(index), data.getBytes(StandardCharsets.UTF_8));
    }

    /** The next log line of the given level that contains {@code text}, waiting for it to come. */
    private ILoggingEvent awaitLog(Level level, String text) throws InterruptedException {
        while (true) {
            ILoggingEvent event = logged.poll(30, TimeUnit.SECONDS);
            assertNotNull(event, "no log line with " + text);
            if (event.getLevel() == level && event.getFormattedMessage().contains(text)) {
                return event;
            }
        }
    }

    private static void assertOneLineWithoutStackTrace(ILoggingEvent event) {
        assertNull(event.getThrowableProxy(), event.getFormattedMessage());
        assertFalse(event.getFormattedMessage().contains("\n"), event.getFormattedMessage());
    }

    private List<String> files(Path snapshotDir) throws IOException {
        try (Stream<Path> s = Files.list(snapshotDir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aStoreThatCannotBeSerializedIsLoggedInOneLineAndTriedAgainLater() throws Exception {
        // given snapshots due every ten entries
        Path snapshotDir = dir.resolve("snap");
        try (Snapshots snapshots = Snapshots.open(snapshotDir, EVERY)) {
            assertTrue(snapshots.due(10));

            // when serializing the store fails
            snapshots.take(meta(10), () -> frozen(() -> {
                throw new IllegalStateException("boom");
            }), previous -> { });

            // then it is one warning, and the next try comes after another ten entries
            ILoggingEvent warning = awaitLog(Level.WARN, "cannot take a snapshot at index 10");
            assertOneLineWithoutStackTrace(warning);
            assertTrue(warning.getFormattedMessage().contains("boom"), warning.getFormattedMessage());
            assertFalse(snapshots.due(19));
            assertTrue(snapshots.due(20));

            // and that one is saved
            CompletableFuture<Snapshot> saved = new CompletableFuture<>();
            snapshots.take(meta(20), () -> frozen(() -> "state".getBytes(StandardCharsets.UTF_8)), saved::complete);
            assertNull(saved.get(30, TimeUnit.SECONDS)); // the first: no snapshot before it
            assertEquals(List.of(String.format("%016x-%016x.snap", 20, 1)), files(snapshotDir));
        }
    }

    @Test
    void aSnapshotThatCannotBeWrittenIsLoggedInOneLineAndTriedAgainLater() throws Exception {
        // given a snapshot directory that has become a file
        Path snapshotDir = dir.resolve("snap");
        try (Snapshots snapshots = Snapshots.open(snapshotDir, EVERY)) {
            Files.delete(snapshotDir);
            Files.write(snapshotDir, new byte[0]);

            // when a snapshot is saved
            CompletableFuture<Snapshot> firstSaved = new CompletableFuture<>();
            snapshots.saveInBackground(snapshot(10, "first"), 0, firstSaved::complete);

            // then it is one warning, nothing is thrown or reported saved, and the next is due later
            assertOneLineWithoutStackTrace(awaitLog(Level.WARN, "cannot save the snapshot at index 10"));
            assertFalse(firstSaved.isDone());
            assertFalse(snapshots.due(19));
            assertTrue(snapshots.due(20));

            // and once the disk is back, the next try is saved
            Files.delete(snapshotDir);
            Files.createDirectory(snapshotDir);
            CompletableFuture<Snapshot> saved = new CompletableFuture<>();
            snapshots.saveInBackground(snapshot(20, "second"), 0, saved::complete);
            assertNull(saved.get(30, TimeUnit.SECONDS));
            assertEquals(List.of(String.format("%016x-%016x.snap", 20, 1)), files(snapshotDir));
        }
    }

    @Test
    void aLocalSnapshotOvertakenByAnInstalledOneIsDroppedNotSavedOverIt() throws Exception {
        // given the writer busy (held in the callback of a first save) with a second save queued
        Path snapshotDir = dir.resolve("snap");
        try (Snapshots snapshots = Snapshots.open(snapshotDir, EVERY)) {
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Void> holding = new CompletableFuture<>();
            snapshots.saveInBackground(snapshot(10, "local-10"), 0, previous -> {
                holding.complete(null);
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            holding.get(30, TimeUnit.SECONDS);
            CompletableFuture<Snapshot> localSaved = new CompletableFuture<>();
            snapshots.saveInBackground(snapshot(20, "local-20"), 0, localSaved::complete);

            // when the leader's newer snapshot is installed meanwhile
            snapshots.install(snapshot(30, "leader-30"));
            release.countDown();

            // then the older local one is dropped, and the newest on disk is the leader's
            awaitLog(Level.INFO, "snapshot at index 20 dropped: one at index 30 is already saved");
            assertFalse(localSaved.isDone());
            assertEquals("leader-30", new String(SnapshotDirectory.open(snapshotDir).loadNewest().snapshot().data(),
                    StandardCharsets.UTF_8));
        }
    }

    @Test
    void installsAndBackgroundSavesAtTheSameIndexesNeverCollide() throws Exception {
        // given large snapshots saved in the background while the node loop installs others at the
        // same indexes
        Path snapshotDir = dir.resolve("snap");
        char[] fill = new char[256 << 10];
        try (Snapshots snapshots = Snapshots.open(snapshotDir, EVERY)) {
            for (int round = 1; round <= 20; round++) {
                long index = round * 10L;
                Arrays.fill(fill, (char) ('a' + round % 26));
                String local = "local " + new String(fill);
                snapshots.saveInBackground(snapshot(index, local), 0, previous -> { });
                snapshots.install(snapshot(index, "leader " + new String(fill)));
            }
        }

        // then every file left is a whole snapshot under its own name, and no temporary file remains
        SnapshotDirectory.Loaded loaded = SnapshotDirectory.open(snapshotDir).loadNewest();
        assertEquals(200, loaded.index());
        assertEquals(List.of(), loaded.skipped());
        assertTrue(new String(loaded.snapshot().data(), StandardCharsets.UTF_8).endsWith("u".repeat(1000)));
        for (String name : files(snapshotDir)) {
            assertTrue(name.matches("[0-9a-f]{16}-[0-9a-f]{16}\\.snap"), name);
        }
        assertEquals(SnapshotDirectory.DEFAULT_KEEP, files(snapshotDir).size());
    }

    private static Snapshots.Frozen frozen(Supplier<byte[]> serialize) {
        return new Snapshots.Frozen() {
            @Override
            public byte[] serialize() {
                return serialize.get();
            }

            @Override
            public void release() {
            }
        };
    }
}
