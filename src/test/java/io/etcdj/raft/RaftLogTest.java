package io.etcdj.raft;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The in-memory log: matching, conflicts (§5.3), commitment (§5.4.2) and compaction (§7). */
class RaftLogTest {

    private static Entry e(long index, long term) {
        return new Entry(index, term, EntryType.NORMAL, new byte[] {(byte) index});
    }

    /** A persisted log with entries of the given terms at 1, 2, 3... */
    private static RaftLog log(long... terms) {
        List<Entry> entries = new java.util.ArrayList<>();
        for (int i = 0; i < terms.length; i++) {
            entries.add(e(i + 1, terms[i]));
        }
        return new RaftLog(null, entries, 0);
    }

    @Test
    void anAppendWhosePreviousEntryDoesNotMatchIsRefused() {
        RaftLog log = log(1, 1, 2);

        assertEquals(-1, log.maybeAppend(3, 1, 0, List.of(e(4, 3))));
        assertEquals(-1, log.maybeAppend(5, 2, 0, List.of()));
        assertEquals(3, log.lastIndex());
    }

    @Test
    void conflictingEntriesAndAllThatFollowThemAreReplaced() {
        RaftLog log = log(1, 1, 2, 2, 2);

        long lastNew = log.maybeAppend(2, 1, 0, List.of(e(3, 2), e(4, 3)));

        assertEquals(4, lastNew);
        assertEquals(4, log.lastIndex(), "entry 5 followed a conflicting entry and is gone");
        assertEquals(3, log.term(4));
        assertEquals(3, log.stable(), "the replaced entry must be persisted again");
        assertEquals(List.of(e(4, 3)), log.unstableEntries());
    }

    @Test
    void aStaleAppendDoesNotTruncateMatchingEntries() {
        RaftLog log = log(1, 1, 2, 2);

        assertEquals(2, log.maybeAppend(1, 1, 0, List.of(e(2, 1))));

        assertEquals(4, log.lastIndex(), "entries after what the message covered are kept");
    }

    @Test
    void theFollowerCommitsNoFurtherThanWhatTheAppendProved() {
        RaftLog log = log(1, 1, 1, 1);

        log.maybeAppend(1, 1, 10, List.of(e(2, 1)));

        assertEquals(2, log.committed(), "entries 3 and 4 are not known to match the leader");
    }

    @Test
    void committedEntriesAreNeverTruncated() {
        RaftLog log = log(1, 1, 2);
        log.commitTo(3);

        assertThrows(IllegalStateException.class, () -> log.maybeAppend(2, 1, 3, List.of(e(3, 3))));
    }

    @Test
    void onlyEntriesOfTheCurrentTermAreCommittedByCounting() {
        RaftLog log = log(1, 2, 3);

        assertFalse(log.maybeCommit(2, 3));
        assertTrue(log.maybeCommit(3, 3));
        assertEquals(3, log.committed());
    }

    @Test
    void findConflictByTermSkipsEveryEntryOfAHigherTerm() {
        RaftLog log = log(1, 1, 2, 4, 4, 4);

        assertEquals(3, log.findConflictByTerm(6, 3));
        assertEquals(2, log.findConflictByTerm(6, 1));
        assertEquals(6, log.findConflictByTerm(9, 5), "capped at the last index");
        assertEquals(0, log.findConflictByTerm(6, 0));
    }

    @Test
    void theElectionRestrictionComparesLastTermThenLength() {
        RaftLog log = log(1, 2, 2);

        assertTrue(log.isUpToDate(1, 3), "a later last term wins whatever the length");
        assertTrue(log.isUpToDate(3, 2));
        assertFalse(log.isUpToDate(2, 2));
        assertFalse(log.isUpToDate(9, 1));
    }

    @Test
    void compactionKeepsTheTermAtTheSnapshotIndex() {
        RaftLog log = log(1, 1, 2, 2);
        log.commitTo(4);
        log.takeCommitted();
        log.appliedTo(4);
        Snapshot s = new Snapshot(new SnapshotMetadata(3, 2, Membership.of("a")), new byte[0]);

        log.compact(s);

        assertEquals(4, log.firstIndex());
        assertEquals(2, log.term(3));
        assertEquals(RaftLog.UNKNOWN, log.term(2));
        assertNull(log.entriesFrom(3, 100), "compacted: the follower needs the snapshot");
        assertEquals(List.of(e(4, 2)), log.entriesFrom(4, 100));
        assertEquals(s, log.snapshot());
    }

    @Test
    void entriesAreBatchedUpToTheByteLimitButAtLeastOne() {
        RaftLog log = log(1, 1, 1, 1);

        assertEquals(1, log.entriesFrom(1, 1).size());
        assertEquals(2, log.entriesFrom(1, 2 * e(1, 1).size()).size());
        assertEquals(4, log.entriesFrom(1, Long.MAX_VALUE).size());
        assertTrue(log.entriesFrom(5, 100).isEmpty());
    }

    @Test
    void aRestoredSnapshotReplacesTheLog() {
        RaftLog log = log(1, 1, 2);
        Snapshot s = new Snapshot(new SnapshotMetadata(10, 3, Membership.of("a")), new byte[0]);

        log.restore(s);

        assertEquals(10, log.lastIndex());
        assertEquals(3, log.lastTerm());
        assertEquals(10, log.committed());
        assertEquals(s, log.unstableSnapshot());
        assertTrue(log.unstableEntries().isEmpty());
    }

    @Test
    void restoredEntriesMustFollowTheSnapshot() {
        Snapshot s = new Snapshot(new SnapshotMetadata(5, 1, Membership.of("a")), new byte[0]);

        assertThrows(IllegalArgumentException.class, () -> new RaftLog(s, List.of(e(7, 1)), 0));
        assertThrows(IllegalArgumentException.class, () -> new RaftLog(null, List.of(e(1, 1)), 2));
    }
}
