package io.etcdj.raft;

import io.etcdj.fs.PowerCutFileSystem;
import io.etcdj.wal.SnapshotDirectory;
import io.etcdj.wal.SnapshotRecord;
import io.etcdj.wal.WriteAheadLog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * A simulated member's storage as the server keeps it: the real {@link WriteAheadLog} and
 * {@link SnapshotDirectory}, over a {@link PowerCutFileSystem} of its own, written as
 * {@code io.etcdj.server.RaftStorage} writes them. Beside them it keeps what the member was told
 * is durable (what an fsync covered) and everything it ever wrote, and on every reopen after a
 * power cut checks the state recovered against both: the member must never restart into a hard
 * state or a log it never persisted, nor without one whose fsync returned.
 *
 * <p>A {@link PowerCutFileSystem.PowerCut} thrown by any method means the power went during it:
 * the member is down, and only {@link #reopen} may be called next.
 */
final class FileDisk {
    private static final Path LOG = Path.of("/member/log");
    private static final Path SNAP = Path.of("/member/snap");
    private static final long SEGMENT_BYTES = 2048;

    final PowerCutFileSystem fs;
    private WriteAheadLog wal;
    private SnapshotDirectory snapshots;

    // ---- what must survive, and what may ----
    private HardState syncedState = HardState.EMPTY;
    private List<HardState> writtenStates = new ArrayList<>();
    private TreeMap<Long, Entry> syncedLog = new TreeMap<>();
    private final Map<Long, Set<Entry>> written = new HashMap<>();
    private long savedSnapshot;
    private final Set<Long> snapshotsWritten = new HashSet<>();
    /** The entries of a save the power cut short, or null. */
    private List<Entry> pending;
    /** A leader's snapshot was being installed when the power went. */
    private boolean installing;

    FileDisk(Random random) {
        this.fs = new PowerCutFileSystem(random);
    }

    /**
     * Opens the files as a restarting server does, checks what was recovered (see the class
     * comment), and returns it.
     */
    RestoredState reopen() {
        try {
            if (wal != null) {
                wal.close();
            }
            wal = null;
            snapshots = SnapshotDirectory.open(fs, SNAP, 2);
            SnapshotDirectory.Loaded loaded = snapshots.loadNewest();
            if (!loaded.skipped().isEmpty()) {
                throw new AssertionError("a damaged snapshot under its final name: " + loaded.skipped());
            }
            wal = WriteAheadLog.open(fs, LOG, loaded.index(), loaded.term(), SEGMENT_BYTES);
            Snapshot snapshot = loaded.found() ? toRaft(loaded.snapshot()) : null;
            check(loaded.index());
            return new RestoredState(wal.hardState(), snapshot, new ArrayList<>(wal.entries()));
        } catch (IOException e) {
            throw new UncheckedIOException("reopen after a power cut failed", e);
        }
    }

    /** The persistence of a Ready, as the server's storage does it. */
    void persist(Ready rd) {
        try {
            Snapshot s = rd.snapshot();
            if (s != null) {
                installing = true;
                saveSnapshot(s);
                wal.resetTo(s.index(), s.term());
                installing = false;
                syncedLog.clear();
                synced();
            }
            HardState hs = rd.hardState();
            boolean sync = rd.mustSync() || !rd.entries().isEmpty();
            for (Entry e : rd.entries()) {
                written.computeIfAbsent(e.index(), k -> new HashSet<>()).add(e);
            }
            if (hs != null) {
                writtenStates.add(hs);
            }
            pending = rd.entries();
            long syncs = wal.syncCount();
            HardState before = wal.hardState();
            wal.save(hs, rd.entries(), sync);
            pending = null;
            if (sync && wal.syncCount() > syncs) {
                if (!rd.entries().isEmpty()) {
                    syncedLog.tailMap(rd.entries().get(0).index(), true).clear();
                    rd.entries().forEach(e -> syncedLog.put(e.index(), e));
                }
                synced();
            } else if (wal.syncCount() > syncs) {
                // A segment rolled over: what was written before this save is durable, not this.
                syncedState = before;
                writtenStates = hs == null ? new ArrayList<>() : new ArrayList<>(List.of(hs));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The server's own snapshot: saved durably, then the log up to it released (the node compacts
     * its log once this returns).
     */
    void compact(Snapshot s) {
        try {
            saveSnapshot(s);
            long syncs = wal.syncCount();
            wal.releaseBefore(s.index());
            syncedLog.headMap(s.index(), true).clear();
            if (wal.syncCount() > syncs) {
                synced();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void saveSnapshot(Snapshot s) throws IOException {
        snapshotsWritten.add(s.index());
        snapshots.save(new SnapshotRecord(s.index(), s.term(), s.metadata().membership().members(), new byte[0],
                s.data()));
        savedSnapshot = Math.max(savedSnapshot, s.index());
    }

    /**
     * Whatever hard state the log holds now was forced with the last write (the log fsyncs
     * everything written before, unsynced records included).
     */
    private void synced() {
        syncedState = wal.hardState();
        writtenStates = new ArrayList<>();
    }

    private static Snapshot toRaft(SnapshotRecord r) {
        return new Snapshot(new SnapshotMetadata(r.index(), r.term(), Membership.of(r.members())), r.data());
    }

    private void check(long snapshotIndex) {
        if (snapshotIndex < savedSnapshot || (snapshotIndex > 0 && !snapshotsWritten.contains(snapshotIndex))) {
            throw new AssertionError("restarted from snapshot " + snapshotIndex + ", but snapshot " + savedSnapshot
                    + " was saved (written: " + snapshotsWritten + ")");
        }
        HardState hs = wal.hardState();
        if (!hs.equals(syncedState) && !writtenStates.contains(hs)) {
            throw new AssertionError("restarted into hard state " + hs + " it never persisted: the last synced was "
                    + syncedState + ", written since " + writtenStates);
        }
        List<Entry> entries = wal.entries();
        for (Entry e : entries) {
            if (!written.getOrDefault(e.index(), Set.of()).contains(e)) {
                throw new AssertionError("restarted with " + e + " it never persisted");
            }
        }
        if (!(installing && entries.isEmpty())) {
            long pendingFrom = pending == null || pending.isEmpty() ? Long.MAX_VALUE : pending.get(0).index();
            for (Entry e : syncedLog.tailMap(snapshotIndex, false).values()) {
                if (e.index() >= pendingFrom) {
                    break; // replaced, or torn, by the save the power cut short
                }
                int at = (int) (e.index() - snapshotIndex - 1);
                if (at >= entries.size() || !entries.get(at).equals(e)) {
                    throw new AssertionError("restarted without " + e + ", which was synced (" + entries.size()
                            + " entries recovered after index " + snapshotIndex + ")");
                }
            }
        }
        // What survived is durable from now on: the new baseline.
        syncedLog = new TreeMap<>();
        entries.forEach(e -> syncedLog.put(e.index(), e));
        syncedState = hs;
        writtenStates = new ArrayList<>();
        savedSnapshot = snapshotIndex;
        pending = null;
        installing = false;
    }
}
