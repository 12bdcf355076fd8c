package io.etcdj.raft;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A leader's view of one follower (§5.3 nextIndex/matchIndex) and its flow control. */
class ProgressTest {

    @Test
    void aProbeSendsOneAppendAndWaits() {
        Progress p = new Progress(5, 4);

        p.sentAppend(7);

        assertTrue(p.isPaused());
        assertEquals(5, p.next, "next moves only on an answer while probing");
    }

    @Test
    void aRejectionMovesNextBackToTheHintButNotBelowMatch() {
        Progress p = new Progress(10, 4);
        p.match = 3;

        assertTrue(p.maybeDecrTo(9, 6));
        assertEquals(7, p.next);
        assertFalse(p.maybeDecrTo(9, 2), "stale: next-1 is no longer 9");
        assertTrue(p.maybeDecrTo(6, 0));
        assertEquals(4, p.next, "never below match+1");
    }

    @Test
    void replicationIsOptimisticWithinTheWindow() {
        Progress p = new Progress(5, 2);
        p.match = 4;
        p.becomeReplicate();

        p.sentAppend(6);
        p.sentAppend(8);

        assertEquals(9, p.next);
        assertTrue(p.isPaused(), "two appends in flight fill a window of two");
        p.maybeUpdate(6);
        p.inflights.freeLE(6);
        assertFalse(p.isPaused());
    }

    @Test
    void aRejectionWhileReplicatingFallsBackToMatch() {
        Progress p = new Progress(5, 4);
        p.match = 4;
        p.becomeReplicate();
        p.sentAppend(9);

        assertFalse(p.maybeDecrTo(3, 3), "below match: stale");
        assertTrue(p.maybeDecrTo(7, 5));
        assertEquals(5, p.next);
    }

    @Test
    void afterASnapshotProbingResumesPastIt() {
        Progress p = new Progress(2, 4);
        p.becomeSnapshot(20);
        assertTrue(p.isPaused());

        p.becomeProbe();

        assertEquals(21, p.next);
    }

    @Test
    void theInflightWindowFreesInOrder() {
        Inflights w = new Inflights(3);
        w.add(2);
        w.add(4);
        w.add(6);

        assertTrue(w.full());
        w.freeLE(4);
        assertEquals(1, w.count());
        w.add(8);
        w.add(10);
        w.freeFirst();
        assertEquals(2, w.count());
        w.freeLE(100);
        assertEquals(0, w.count());
    }
}
