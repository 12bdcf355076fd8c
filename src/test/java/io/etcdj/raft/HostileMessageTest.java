package io.etcdj.raft;

import io.etcdj.raft.Message.AppendRequest;
import io.etcdj.raft.Message.AppendResponse;
import io.etcdj.raft.Message.Heartbeat;
import io.etcdj.raft.Message.HeartbeatResponse;
import io.etcdj.raft.Message.InstallSnapshot;
import io.etcdj.raft.Message.TimeoutNow;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Messages no honest member sends: the core drops them, changes nothing and says why (see
 * {@link StepOutcome}). {@link LiarSimulationTest} covers the same ground at random.
 */
class HostileMessageTest {
    private final LocalCluster cluster = new LocalCluster(7, "a", "b", "c");

    private StepOutcome.Dropped assertDropped(String to, Message m) {
        RaftNode node = cluster.node(to);
        HardState hard = node.hardState();
        SoftState soft = node.softState();
        long last = node.lastIndex();
        long droppedBefore = node.droppedMessages();
        StepOutcome out = node.step(m);
        StepOutcome.Dropped dropped = assertInstanceOf(StepOutcome.Dropped.class, out, "taken: " + m);
        assertEquals(hard, node.hardState(), "hard state changed by a dropped message");
        assertEquals(soft, node.softState(), "soft state changed by a dropped message");
        assertEquals(last, node.lastIndex());
        assertEquals(droppedBefore + 1, node.droppedMessages());
        return dropped;
    }

    @Test
    void aHeartbeatNamingTheMemberItselfWithAHugeTermAndCommitIsDropped() {
        // The message that used to halt a node: "commit N beyond last index M".
        cluster.elect("a");
        StepOutcome.Dropped d = assertDropped("b", new Heartbeat("b", "b", 1L << 40, 1L << 40, 0));
        assertTrue(d.reason().contains("itself"), d.reason());
    }

    @Test
    void aMembersHeartbeatWithACommitBeyondTheLogIsDroppedWithoutAdoptingItsTerm() {
        cluster.elect("a");
        long last = cluster.node("b").lastIndex();
        assertDropped("b", new Heartbeat("c", "b", 99, last + 1, 0));
        assertDropped("b", new Heartbeat("a", "b", cluster.node("a").term(), Long.MAX_VALUE, 0));
    }

    @Test
    void aSecondLeaderInTheLeadersOwnTermIsDropped() {
        cluster.elect("a");
        long term = cluster.node("a").term();
        assertDropped("a", new Heartbeat("b", "a", term, 0, 0));
        assertDropped("a", new AppendRequest("b", "a", term, 0, 0, List.of(), 0));
        // And on a follower, a leader other than the one it knows.
        assertDropped("c", new AppendRequest("b", "c", term, 0, 0, List.of(), 0));
        assertDropped("c", new TimeoutNow("b", "c", term));
    }

    @Test
    void answersToRequestsNeverSentAreDropped() {
        cluster.elect("a");
        RaftNode a = cluster.node("a");
        assertDropped("a", new AppendResponse("b", "a", a.term(), true, a.lastIndex() + 1, 0, 0));
        assertDropped("a", new AppendResponse("b", "a", a.term(), false, a.lastIndex() + 5, 0, 0));
        assertDropped("a", new HeartbeatResponse("b", "a", a.term(), 1_000_000));
        assertDropped("b", new Message.VoteResponse("c", "b", cluster.node("b").term() + 1, false, true));
    }

    @Test
    void absurdNumbersAndBrokenEntriesAreDropped() {
        cluster.elect("a");
        long term = cluster.node("a").term();
        long last = cluster.node("b").lastIndex();
        assertDropped("b", new Heartbeat("a", "b", -1, 0, 0));
        assertDropped("b", new Heartbeat("a", "b", Long.MAX_VALUE, 0, 0));
        assertDropped("b", new AppendRequest("a", "b", term, last, cluster.node("b").termAt(last),
                List.of(new Entry(last + 2, term, EntryType.NORMAL, new byte[1])), last));
        assertDropped("b", new AppendRequest("a", "b", term, last, cluster.node("b").termAt(last),
                List.of(new Entry(last + 1, term + 1, EntryType.NORMAL, new byte[1])), last));
        assertDropped("b", new AppendRequest("a", "b", term, last, cluster.node("b").termAt(last),
                List.of(new Entry(last + 1, term, EntryType.CONF_CHANGE, new byte[] {1, 0, 127, 127, 127, 127})), last));
        assertDropped("b", new InstallSnapshot("a", "b", term, new Snapshot(
                new SnapshotMetadata(last + 10, term, Membership.EMPTY), new byte[0])));
        assertDropped("b", new InstallSnapshot("a", "b", term, new Snapshot(
                new SnapshotMetadata(Long.MAX_VALUE, term, Membership.of("a", "b")), new byte[0])));
        assertDropped("b", new Heartbeat("a", "x", term, 0, 0));
    }

    @Test
    void strangersAreDroppedByMembersButHeardByAMachineThatIsJoining() {
        cluster.elect("a");
        assertDropped("b", new Heartbeat("stranger", "b", 50, 0, 0));
        assertDropped("b", new Message.VoteRequest("stranger", "b", 50, false, 100, 50, false));
        // A joining machine knows no membership yet: its leader is whoever sends it the log.
        cluster.addEmpty("d");
        StepOutcome out = cluster.node("d").step(new Heartbeat("stranger", "d", 50, 0, 0));
        assertEquals(StepOutcome.TAKEN, out);
    }

    @Test
    void aMemberWhoseLogEndsBeforeANewLeadersAdditionGetsALeaderItKnows() {
        // §4.1 of the thesis: d is added while c is away, then leads; c cannot tell d from a
        // stranger, drops its messages and says so; d hands over to a member c knows.
        cluster.elect("a");
        cluster.isolate("c");
        cluster.addEmpty("d");
        cluster.node("a").proposeMembershipChange(ConfChange.add("d", null));
        cluster.stabilize();
        cluster.deliver(new TimeoutNow("a", "d", cluster.node("a").term()));
        cluster.stabilize();
        assertTrue(cluster.node("d").isLeader(), "d should lead after a's hand-over");
        cluster.heal();
        cluster.tickAll(60);
        RaftNode c = cluster.node("c");
        assertTrue(c.membership().contains("d"), "c never learned of d: " + c.membership());
        assertNotEquals("d", c.leader());
        assertEquals(cluster.node("a").commitIndex(), c.commitIndex());
    }
}
