package io.etcdj.raft;

import io.etcdj.raft.Message.TimeoutNow;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A leader that cannot persist gives up leadership at once ({@link RaftNode#stepDown()}). */
class StepDownTest {

    @Test
    void theLeaderStepsDownAndItsMostUpToDateFollowerWinsTheNextTerm() {
        LocalCluster c = new LocalCluster(3, "a", "b", "c");
        c.elect("a");
        c.propose("a", "one");
        c.stabilize();
        // c misses the next entry: b is the most up-to-date follower
        c.dropIf(m -> m.to().equals("c"));
        c.propose("a", "two");
        c.stabilize();
        c.heal();
        long term = c.node("a").term();

        TimeoutNow handOver = c.node("a").stepDown();

        assertEquals(new TimeoutNow("a", "b", term), handOver);
        assertEquals(Role.FOLLOWER, c.node("a").role());
        assertEquals(term, c.node("a").term());
        assertNull(c.node("a").leader());
        assertEquals(new ProposalOutcome.NotLeader(null), c.node("a").propose(bytes("refused")));
        c.deliver(handOver);
        c.stabilize();
        assertTrue(c.node("b").isLeader());
        assertEquals(term + 1, c.node("b").term());
        c.propose("b", "three");
        c.stabilize();
        for (String m : List.of("a", "b", "c")) {
            assertEquals(List.of("one", "two", "three"), c.commands(m), m);
        }
    }

    @Test
    void itWorksWhileAReadyIsOutstandingAndTheNextReadyReportsTheNewRole() {
        LocalCluster c = new LocalCluster(4, "a", "b", "c");
        c.elect("a");
        RaftNode a = c.node("a");
        a.propose(bytes("stuck"));
        Ready stuck = a.ready(); // the disk fails: this Ready is not carried out yet

        TimeoutNow handOver = a.stepDown();

        assertEquals("a", handOver.from());
        assertFalse(a.hasReady());
        // the disk recovers: the Ready is carried out, then the role change is reported
        c.member("a").disk.persist(stuck);
        a.advance(stuck);
        assertTrue(a.hasReady());
        Ready next = a.ready();
        assertEquals(new SoftState(null, Role.FOLLOWER), next.softState());
        a.advance(next);
    }

    @Test
    void aFollowerOrALoneLeaderHasNothingToHandOver() {
        LocalCluster c = new LocalCluster(5, "a", "b");
        c.elect("a");
        assertNull(c.node("b").stepDown());
        assertEquals(Role.FOLLOWER, c.node("b").role());

        LocalCluster alone = new LocalCluster(6, "a");
        alone.elect("a");
        assertNull(alone.node("a").stepDown());
        assertEquals(Role.FOLLOWER, alone.node("a").role());
        assertInstanceOf(ProposalOutcome.NotLeader.class, alone.node("a").propose(bytes("x")));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
