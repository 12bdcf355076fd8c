package io.etcdj.raft;

import java.util.ArrayList;
import java.util.List;

/** What a member's log files would hold: the test stand-in for the server's storage. */
final class Disk {
    HardState hardState = HardState.EMPTY;
    Snapshot snapshot;
    final List<Entry> entries = new ArrayList<>();

    /** Carries out the persistence part of a Ready, as the server must. */
    void persist(Ready rd) {
        if (rd.snapshot() != null) {
            snapshot = rd.snapshot();
            entries.clear();
        }
        if (rd.hardState() != null) {
            hardState = rd.hardState();
        }
        if (!rd.entries().isEmpty()) {
            long first = rd.entries().get(0).index();
            long offset = snapshot == null ? 0 : snapshot.index();
            int keep = (int) (first - offset - 1);
            if (keep < 0 || keep > entries.size()) {
                throw new AssertionError("append at " + first + " leaves a gap after " + (offset + entries.size()));
            }
            entries.subList(keep, entries.size()).clear();
            entries.addAll(rd.entries());
        }
    }

    /** Becomes what a restart recovered from the files. */
    void replaceWith(RestoredState restored) {
        hardState = restored.hardState();
        snapshot = restored.snapshot();
        entries.clear();
        entries.addAll(restored.entries());
    }

    /** The server's own compaction after taking a snapshot. */
    void compact(Snapshot s) {
        long offset = snapshot == null ? 0 : snapshot.index();
        int drop = (int) (s.index() - offset);
        entries.subList(0, Math.min(drop, entries.size())).clear();
        snapshot = s;
    }

    /** Term of the persisted entry at {@code index}, or -1 if absent or compacted (0 before the log). */
    long termAt(long index) {
        long offset = snapshot == null ? 0 : snapshot.index();
        if (index == offset) {
            return snapshot == null ? 0 : snapshot.term();
        }
        Entry e = entry(index);
        return e == null ? -1 : e.term();
    }

    Entry entry(long index) {
        long offset = snapshot == null ? 0 : snapshot.index();
        if (index <= offset || index > offset + entries.size()) {
            return null;
        }
        return entries.get((int) (index - offset - 1));
    }

    long lastIndex() {
        return (snapshot == null ? 0 : snapshot.index()) + entries.size();
    }

    RestoredState restoredState() {
        return new RestoredState(hardState, snapshot, new ArrayList<>(entries));
    }
}
