package io.etcdj.raft;

import java.util.HashMap;
import java.util.Map;

/**
 * The properties of §5.2–§5.4 (figure 3 of the paper), checked incrementally as a simulation
 * runs, so each check costs only what changed:
 * <ul>
 *   <li>Election Safety: at most one leader per term;</li>
 *   <li>Log Matching: an (index, term) pair names one entry and one predecessor term, on every
 *       member, so logs that agree on an entry agree on everything before it;</li>
 *   <li>Leader Completeness: a new leader holds every entry anyone has applied;</li>
 *   <li>State Machine Safety: every member applies the same entry at each index.</li>
 * </ul>
 */
final class SafetyChecker {
    private record Identity(long index, long term) {}

    private record Content(Entry entry, long prevTerm) {}

    /** A committed entry: its term, and the earliest term in which some member saw it committed. */
    private static final class Commit {
        final long entryTerm;
        long commitTerm;

        Commit(long entryTerm, long commitTerm) {
            this.entryTerm = entryTerm;
            this.commitTerm = commitTerm;
        }
    }

    private final Map<Long, String> leaderOfTerm = new HashMap<>();
    private final Map<Long, Commit> commits = new HashMap<>();
    private final Map<Identity, Content> entries = new HashMap<>();
    /** Entries some member applied (hence committed), by index. */
    private final Map<Long, Entry> committed = new HashMap<>();
    private long maxCommitted;

    long maxCommitted() {
        return maxCommitted;
    }

    Entry committed(long index) {
        return committed.get(index);
    }

    void leader(String name, long term) {
        String earlier = leaderOfTerm.putIfAbsent(term, name);
        if (earlier != null && !earlier.equals(name)) {
            throw new AssertionError("election safety: " + earlier + " and " + name + " both lead term " + term);
        }
    }

    /**
     * A member's commit index moved from {@code from} to {@code to} while it was in {@code term}:
     * those entries were committed in {@code term} or earlier, and no other entry may ever be
     * committed at their indexes.
     */
    void commitAdvanced(String name, RaftNode node, long from, long to) {
        long term = node.term();
        for (long i = from + 1; i <= to; i++) {
            long entryTerm = node.termAt(i);
            if (entryTerm == RaftLog.UNKNOWN) {
                continue; // compacted: its snapshot was checked when installed
            }
            Commit c = commits.get(i);
            if (c == null) {
                commits.put(i, new Commit(entryTerm, term));
            } else if (c.entryTerm != entryTerm) {
                throw new AssertionError("commit safety: " + name + " committed index " + i + " of term "
                        + entryTerm + " where an entry of term " + c.entryTerm + " was committed");
            } else {
                c.commitTerm = Math.min(c.commitTerm, term);
            }
            maxCommitted = Math.max(maxCommitted, i);
        }
    }

    /**
     * Leader Completeness (§5.4.1): a leader of term t holds every entry committed in an earlier
     * term (unless compacted into its snapshot).
     */
    void leaderComplete(String name, RaftNode node) {
        long term = node.term();
        for (Map.Entry<Long, Commit> e : commits.entrySet()) {
            Commit c = e.getValue();
            if (c.commitTerm >= term) {
                continue;
            }
            long i = e.getKey();
            long t = node.termAt(i);
            boolean compacted = t == RaftLog.UNKNOWN && i <= node.lastIndex();
            if (!compacted && t != c.entryTerm) {
                throw new AssertionError("leader completeness: " + name + " leads term " + term + " with term "
                        + t + " at index " + i + " where an entry of term " + c.entryTerm
                        + " was committed in term " + c.commitTerm);
            }
        }
    }

    /** An entry a member persisted, following an entry of {@code prevTerm}. */
    void persisted(String name, Entry e, long prevTerm) {
        Content c = new Content(e, prevTerm);
        Content earlier = entries.putIfAbsent(new Identity(e.index(), e.term()), c);
        if (earlier != null && !earlier.equals(c)) {
            throw new AssertionError("log matching: " + name + " persisted " + e + " after term " + prevTerm
                    + " but another member has " + earlier.entry() + " after term " + earlier.prevTerm());
        }
    }

    /** An entry a member applied: every member applies the same one at each index. */
    void applied(String name, Entry e) {
        Entry earlier = committed.putIfAbsent(e.index(), e);
        if (earlier != null && !earlier.equals(e)) {
            throw new AssertionError("state machine safety: " + name + " applied " + e + " at an index where "
                    + earlier + " was applied");
        }
        maxCommitted = Math.max(maxCommitted, e.index());
    }
}
