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
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * When to take snapshots of the store and where they go: every {@code snapshotCount} applied
 * entries, serialized and written by a thread of its own, so the node loop only pays for freezing
 * the store (see {@link io.etcdj.store.FrozenStore}), which does not grow with it.
 *
 * <p>A snapshot that cannot be taken (the store does not serialize, the disk write fails) is
 * logged in one line, saying how far the log has grown since the last good snapshot (it cannot be
 * compacted meanwhile), and tried again once {@code snapshotCount} more entries are applied; it is
 * never fatal, since the log still holds everything. A failed save leaves no temporary file. Saves never overlap: the writer thread's and
 * {@link #install}'s (a leader's snapshot, on the node loop) take turns, and a local snapshot that
 * an installed one has overtaken is dropped rather than saved over it.
 */
final class Snapshots implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Snapshots.class);

    private final SnapshotDirectory directory;
    private final int every;
    private final SnapshotRecord newest;
    private final ExecutorService writer;
    /** Held for every save to the directory, and while {@link #latest} changes with one. */
    private final Object saving = new Object();
    /** The newest snapshot saved (or restored from), or null. */
    private volatile Snapshot latest;
    /** Index of the newest snapshot taken or tried: the next is due {@code every} entries after it. */
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

    /** The store frozen at the snapshot's index: serialized on the writer thread, or released unused. */
    interface Frozen {
        byte[] serialize();

        void release();
    }

    /**
     * Freezes the store with {@code freeze} on the calling thread (the node loop, where the store
     * holds still; the only pause it sees), then serializes it and saves the snapshot on the
     * writer thread, as {@link #saveInBackground} does. When freezing or serializing throws, that
     * is logged in one line and the snapshot is tried again after {@code every} more entries;
     * nothing is thrown.
     */
    void take(SnapshotMetadata meta, Supplier<Frozen> freeze, Consumer<Snapshot> whenSaved) {
        long started = System.nanoTime();
        Frozen frozen;
        try {
            frozen = freeze.get();
        } catch (RuntimeException e) {
            cannotTake(meta.index(), e);
            return;
        }
        long pauseMicros = (System.nanoTime() - started) / 1000;
        writing = true;
        lastIndex = Math.max(lastIndex, meta.index());
        try {
            writer.execute(() -> {
                long serializing = System.nanoTime();
                byte[] data;
                try {
                    data = frozen.serialize();
                } catch (RuntimeException | OutOfMemoryError e) {
                    // Out of memory included: what the serialization allocated is garbage again once it fails.
                    writing = false;
                    cannotTake(meta.index(), e);
                    return;
                }
                write(new Snapshot(meta, data), pauseMicros, (System.nanoTime() - serializing) / 1000, whenSaved);
            });
        } catch (RejectedExecutionException e) {
            writing = false;
            frozen.release();
            LOG.warn("snapshot at index {} not taken: snapshots are closed", meta.index());
        }
    }

    private void cannotTake(long index, Throwable e) {
        lastIndex = Math.max(lastIndex, index);
        LOG.warn("cannot take a snapshot at index {} ({}), will try again after {} more entries: {}",
                index, growth(index), every, e.toString());
    }

    /**
     * Writes the snapshot on the writer thread; then {@code whenSaved} gets the snapshot before it
     * (null for the first), up to which the log may now be dropped. A failed write is logged in one
     * line, {@code whenSaved} is not called, and the next snapshot is due after {@code every} more
     * entries. A snapshot older than one installed meanwhile is dropped, without {@code whenSaved}.
     */
    void saveInBackground(Snapshot snapshot, long pauseMicros, Consumer<Snapshot> whenSaved) {
        writing = true;
        lastIndex = Math.max(lastIndex, snapshot.index());
        try {
            writer.execute(() -> write(snapshot, pauseMicros, pauseMicros, whenSaved));
        } catch (RejectedExecutionException e) {
            writing = false;
            LOG.warn("snapshot at index {} not saved: snapshots are closed", snapshot.index());
        }
    }

    private void write(Snapshot snapshot, long pauseMicros, long serializeMicros, Consumer<Snapshot> whenSaved) {
        long started = System.nanoTime();
        Snapshot previous = null;
        boolean saved = false;
        Exception failure = null;
        try {
            synchronized (saving) {
                previous = latest;
                if (previous == null || previous.index() < snapshot.index()) {
                    directory.save(toRecord(snapshot));
                    latest = snapshot;
                    saved = true;
                }
            }
        } catch (IOException | RuntimeException e) {
            failure = e;
        } finally {
            writing = false;
        }
        if (failure != null) {
            LOG.warn("cannot save the snapshot at index {} ({}), will try again after {} more entries: {}",
                    snapshot.index(), growth(snapshot.index()), every, failure.toString());
        } else if (!saved) {
            LOG.info("snapshot at index {} dropped: one at index {} is already saved", snapshot.index(),
                    previous.index());
        } else {
            LOG.info("snapshot at index {} saved: {} bytes, applier paused {} us, store serialized in {} ms,"
                            + " written in {} ms", snapshot.index(), snapshot.data().length, pauseMicros,
                    serializeMicros / 1000, (System.nanoTime() - started) / 1_000_000);
            try {
                whenSaved.accept(previous);
            } catch (RuntimeException e) {
                LOG.warn("after saving the snapshot at index {}: {}", snapshot.index(), e.toString());
            }
        }
    }

    /**
     * How far the log has grown past the newest good snapshot, for the line that reports a failed
     * one: the log cannot be compacted meanwhile, and that growth must not go unnoticed.
     */
    private String growth(long index) {
        Snapshot good = latest;
        return good == null ? "the log holds all " + index + " entries: no snapshot was ever saved"
                : "the log has grown by " + (index - good.index()) + " entries since the last good snapshot at index "
                        + good.index();
    }

    /**
     * Saves a snapshot received from the leader, before the log is reset to continue it. Waits for
     * a background save under way to finish first.
     *
     * @throws IOException when it cannot be saved: it must not be installed then
     */
    void install(Snapshot snapshot) throws IOException {
        synchronized (saving) {
            directory.save(toRecord(snapshot));
            latest = snapshot;
            lastIndex = snapshot.index();
        }
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
