package io.etcdj.raft;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The in-memory log of one member: the entries after the latest snapshot (or compaction point),
 * which of them are persisted ({@code stable}), and the commit and apply positions.
 *
 * <p>Entries above {@code stable} are handed to the server in {@link Ready#entries()} and become
 * stable in {@link RaftNode#advance(Ready)}. A conflicting append may truncate unstable or stable
 * entries above the commit index (§5.3); the server replaces its suffix accordingly.
 */
final class RaftLog {
    /** Answer of {@link #term(long)} for an index that is compacted or beyond the last entry. */
    static final long UNKNOWN = -1;

    private long snapshotIndex;
    private long snapshotTerm;
    private final ArrayList<Entry> entries = new ArrayList<>();
    private long stable;
    private long committed;
    /** Highest index handed out in committedEntries (applied, or being applied). */
    private long applying;
    private long applied;
    /** Latest snapshot the log was compacted to, for lagging followers; null before the first. */
    private Snapshot snapshot;
    /** A snapshot received from the leader, not yet persisted by the server. */
    private Snapshot unstableSnapshot;

    /** A log restored from what the server persisted. */
    RaftLog(Snapshot snapshot, List<Entry> persisted, long commit) {
        if (snapshot != null) {
            this.snapshot = snapshot;
            snapshotIndex = snapshot.index();
            snapshotTerm = snapshot.term();
        }
        long expected = snapshotIndex + 1;
        for (Entry e : persisted) {
            if (e.index() != expected) {
                throw new IllegalArgumentException("restored entries not contiguous after " + snapshotIndex
                        + ": expected index " + expected + ", got " + e.index());
            }
            expected++;
            entries.add(e);
        }
        stable = lastIndex();
        if (commit > lastIndex()) {
            throw new IllegalArgumentException("commit index " + commit + " beyond last entry " + lastIndex());
        }
        committed = Math.max(commit, snapshotIndex);
        applying = snapshotIndex;
        applied = snapshotIndex;
    }

    long firstIndex() {
        return snapshotIndex + 1;
    }

    long lastIndex() {
        return snapshotIndex + entries.size();
    }

    long lastTerm() {
        return term(lastIndex());
    }

    long committed() {
        return committed;
    }

    long applied() {
        return applied;
    }

    long stable() {
        return stable;
    }

    Snapshot snapshot() {
        return snapshot;
    }

    /** The term of the entry at {@code index}, or {@link #UNKNOWN} if compacted or absent. */
    long term(long index) {
        if (index == snapshotIndex) {
            return snapshotTerm;
        }
        if (index < snapshotIndex || index > lastIndex()) {
            return UNKNOWN;
        }
        return entries.get((int) (index - snapshotIndex - 1)).term();
    }

    Entry entry(long index) {
        return entries.get((int) (index - snapshotIndex - 1));
    }

    boolean matchTerm(long index, long term) {
        long t = term(index);
        return t != UNKNOWN && t == term;
    }

    /** Election restriction (§5.4.1): is a log ending at (index, term) at least as new as ours? */
    boolean isUpToDate(long index, long term) {
        long ourTerm = lastTerm();
        return term > ourTerm || (term == ourTerm && index >= lastIndex());
    }

    /** Appends at the end (leader). */
    void append(Entry e) {
        if (e.index() != lastIndex() + 1) {
            throw new IllegalStateException("append of " + e + " after last index " + lastIndex());
        }
        entries.add(e);
    }

    /**
     * A follower's AppendEntries (§5.3): if our entry at {@code prevIndex} has {@code prevTerm},
     * keep what matches, replace what conflicts, advance the commit index to what the leader
     * vouches for, and return the last index now known to match the leader; else return -1.
     */
    long maybeAppend(long prevIndex, long prevTerm, long leaderCommit, List<Entry> newEntries) {
        if (!matchTerm(prevIndex, prevTerm)) {
            return -1;
        }
        long lastNew = prevIndex + newEntries.size();
        for (Entry e : newEntries) {
            long ours = term(e.index());
            if (ours == e.term()) {
                continue;
            }
            if (ours != UNKNOWN) {
                truncateFrom(e.index());
            }
            entries.add(e);
        }
        commitTo(Math.min(leaderCommit, lastNew));
        return lastNew;
    }

    private void truncateFrom(long index) {
        if (index <= committed) {
            throw new IllegalStateException("conflict at committed index " + index + " (commit " + committed + ")");
        }
        entries.subList((int) (index - snapshotIndex - 1), entries.size()).clear();
        stable = Math.min(stable, index - 1);
    }

    /**
     * The highest index at or below {@code index} whose term is at most {@code term}: no entry
     * above it can match a log whose entry at {@code index} has {@code term}.
     */
    long findConflictByTerm(long index, long term) {
        long i = Math.min(index, lastIndex());
        while (i > snapshotIndex && term(i) > term) {
            i--;
        }
        return i;
    }

    /**
     * Entries from {@code from} on, at least one if any, at most about {@code maxBytes};
     * {@code null} if {@code from} is compacted.
     */
    List<Entry> entriesFrom(long from, long maxBytes) {
        if (from <= snapshotIndex) {
            return null;
        }
        List<Entry> out = new ArrayList<>();
        long bytes = 0;
        for (long i = from; i <= lastIndex(); i++) {
            Entry e = entry(i);
            bytes += e.size();
            if (!out.isEmpty() && bytes > maxBytes) {
                break;
            }
            out.add(e);
        }
        return out;
    }

    void commitTo(long index) {
        if (index <= committed) {
            return;
        }
        if (index > lastIndex()) {
            throw new IllegalStateException("commit " + index + " beyond last index " + lastIndex());
        }
        committed = index;
    }

    /** §5.4.2: only an entry of the current term is committed by counting replicas. */
    boolean maybeCommit(long index, long currentTerm) {
        if (index > committed && term(index) == currentTerm) {
            committed = index;
            return true;
        }
        return false;
    }

    List<Entry> unstableEntries() {
        if (stable >= lastIndex()) {
            return List.of();
        }
        return new ArrayList<>(entries.subList((int) (stable - snapshotIndex), entries.size()));
    }

    /** The server persisted entries up to (index, term), unless the log changed meanwhile. */
    void stableTo(long index, long term) {
        if (index > stable && matchTerm(index, term)) {
            stable = index;
        }
    }

    Snapshot unstableSnapshot() {
        return unstableSnapshot;
    }

    void snapshotPersisted(Snapshot s) {
        if (unstableSnapshot == s) {
            unstableSnapshot = null;
        }
    }

    boolean hasCommittedToHandOut() {
        return committed > applying;
    }

    /** Committed entries not yet handed out; marks them as being applied. */
    List<Entry> takeCommitted() {
        long from = Math.max(applying + 1, firstIndex());
        List<Entry> out = new ArrayList<>((int) Math.max(0, committed - from + 1));
        for (long i = from; i <= committed; i++) {
            out.add(entry(i));
        }
        applying = committed;
        return out;
    }

    /** Committed entries not yet applied (handed out or not). */
    List<Entry> unappliedCommitted() {
        List<Entry> out = new ArrayList<>();
        for (long i = Math.max(applied + 1, firstIndex()); i <= committed; i++) {
            out.add(entry(i));
        }
        return out;
    }

    /** Whether an entry not yet applied adds {@code member}: it is about to be one. */
    boolean pendingAddition(String member) {
        for (long i = Math.max(applied + 1, firstIndex()); i <= lastIndex(); i++) {
            Entry e = entry(i);
            if (e.type() == EntryType.CONF_CHANGE) {
                ConfChange cc = ConfChange.fromBytes(e.data());
                if (cc.type() == ConfChange.Type.ADD_MEMBER && cc.member().equals(member)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** For each member added by an entry of this log, the index of its latest addition. */
    Map<String, Long> additions() {
        Map<String, Long> out = new HashMap<>();
        for (Entry e : entries) {
            if (e.type() == EntryType.CONF_CHANGE) {
                ConfChange cc = ConfChange.fromBytes(e.data());
                if (cc.type() == ConfChange.Type.ADD_MEMBER) {
                    out.put(cc.member(), e.index());
                }
            }
        }
        return out;
    }

    void appliedTo(long index) {
        if (index > applied) {
            if (index > committed) {
                throw new IllegalStateException("applied " + index + " beyond commit " + committed);
            }
            applied = index;
        }
    }

    /** Replaces the whole log with a snapshot from the leader (§7). */
    void restore(Snapshot s) {
        entries.clear();
        snapshotIndex = s.index();
        snapshotTerm = s.term();
        snapshot = s;
        unstableSnapshot = s;
        stable = snapshotIndex;
        committed = snapshotIndex;
        applying = snapshotIndex;
        applied = snapshotIndex;
    }

    /** Drops entries covered by a snapshot the server took of its applied state. */
    void compact(Snapshot s) {
        long index = s.index();
        if (index <= snapshotIndex) {
            return;
        }
        if (index > applied) {
            throw new IllegalArgumentException("cannot compact to " + index + " beyond applied index " + applied);
        }
        if (term(index) != s.term()) {
            throw new IllegalArgumentException("snapshot term " + s.term() + " differs from log term "
                    + term(index) + " at " + index);
        }
        entries.subList(0, (int) (index - snapshotIndex)).clear();
        snapshotIndex = index;
        snapshotTerm = s.term();
        snapshot = s;
        stable = Math.max(stable, index);
    }
}
