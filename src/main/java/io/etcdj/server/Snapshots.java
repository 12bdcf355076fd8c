package io.etcdj.server;

import io.etcdj.raft.Membership;
import io.etcdj.raft.Snapshot;
import io.etcdj.raft.SnapshotMetadata;
import io.etcdj.wal.SnapshotDirectory;
import io.etcdj.wal.SnapshotRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * When to take snapshots of the store and where they go: every {@code snapshotCount} applied
 * entries, written by a thread of its own so the node loop only pays for serializing the store.
 */
final class Snapshots implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Snapshots.class);

    private final SnapshotDirectory directory;
    private final int every;
    private final SnapshotRecord newest;
    private final ExecutorService writer;
    private volatile Snapshot latest;
    private volatile long lastIndex;
    private volatile boolean writing;

    private Snapshots(SnapshotDirectory directory, int every, SnapshotRecord newest) {
        this.directory = directory;
        this.every = every;
        this.newest = newest;
        this.writer = directory == null ? null : Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "snapshot-writer");
            t.setDaemon(true);
            return t;
        });
    }

    /** Opens the snapshot directory (null: snapshots off) and finds the newest valid snapshot. */
    static Snapshots open(Path dir, int every) throws IOException {
        if (dir == null) {
            return new Snapshots(null, every, null);
        }
        SnapshotDirectory directory = SnapshotDirectory.open(dir);
        SnapshotDirectory.Loaded loaded = directory.loadNewest();
        for (SnapshotDirectory.Skipped skipped : loaded.skipped()) {
            LOG.warn("skipping snapshot {}: {}", skipped.file(), skipped.reason());
        }
        return new Snapshots(directory, every, loaded.snapshot());
    }

    int every() {
        return every;
    }

    boolean enabled() {
        return directory != null;
    }

    /** The newest valid snapshot found at start, or null. */
    SnapshotRecord newest() {
        return newest;
    }

    /** The node started from this snapshot. */
    void restored(SnapshotRecord record) {
        latest = toRaft(record);
        lastIndex = record.index();
    }

    boolean due(long appliedIndex) {
        return directory != null && !writing && appliedIndex - lastIndex >= every;
    }

    /**
     * Writes the snapshot on the writer thread; then {@code whenSaved} gets the snapshot before it
     * (null for the first), up to which the log may now be dropped.
     */
    void saveInBackground(Snapshot snapshot, long pauseMicros, Consumer<Snapshot> whenSaved) {
        writing = true;
        lastIndex = snapshot.index();
        writer.execute(() -> {
            long started = System.nanoTime();
            try {
                directory.save(toRecord(snapshot));
                LOG.info("snapshot at index {} saved: {} bytes, store serialized in {} ms, written in {} ms",
                        snapshot.index(), snapshot.data().length, pauseMicros / 1000,
                        (System.nanoTime() - started) / 1_000_000);
                Snapshot previous = latest;
                latest = snapshot;
                whenSaved.accept(previous);
            } catch (IOException | RuntimeException e) {
                LOG.error("cannot save the snapshot at index {}: {}", snapshot.index(), e.toString());
            } finally {
                writing = false;
            }
        });
    }

    /** Saves a snapshot received from the leader, before the log is reset to continue it. */
    void install(Snapshot snapshot) throws IOException {
        directory.save(toRecord(snapshot));
        latest = snapshot;
        lastIndex = snapshot.index();
    }

    static Snapshot toRaft(SnapshotRecord r) {
        return new Snapshot(new SnapshotMetadata(r.index(), r.term(), Membership.of(r.members())), r.data());
    }

    private static SnapshotRecord toRecord(Snapshot s) {
        return new SnapshotRecord(s.index(), s.term(), s.metadata().membership().members(), new byte[0], s.data());
    }

    @Override
    public void close() {
        if (writer != null) {
            writer.shutdown();
            try {
                writer.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
