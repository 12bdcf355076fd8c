package io.etcdj.raft;

import io.etcdj.raft.Message.TimeoutNow;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Single-member changes carried in the log (§4.1 of the thesis), effective when applied. */
class MembershipTest {

    @Test
    void anAddedMemberStartsEmptyCatchesUpAndCountsTowardTheQuorum() {
        LocalCluster c = new LocalCluster(1, "a", "b", "c");
        c.elect("a");
        c.propose("a", "before");
        c.addEmpty("d");

        ProposalOutcome out = c.node("a").proposeMembershipChange(ConfChange.add("d", bytes("http://d:7001")));
        c.stabilize();
        c.tickAll(2);

        assertInstanceOf(ProposalOutcome.Accepted.class, out);
        for (String m : List.of("a", "b", "c", "d")) {
            assertEquals(Membership.of("a", "b", "c", "d"), c.node(m).membership(), m);
        }
        assertEquals(List.of("before"), c.commands("d"));
        // Four members: a quorum is three, so a and d alone cannot commit.
        c.isolate("b");
        c.isolate("c");
        c.propose("a", "after");
        c.tickAll(2);
        assertEquals(List.of("before"), c.commands("a"));
    }

    /** CheckQuorum (§6.2 of the thesis) with a second member that has only just been added. */
    @Test
    void aLeaderWaitsSeveralTimeoutsForAJustAddedMemberBeforeStepDown() {
        LocalCluster c = new LocalCluster(11, "a");
        c.elect("a");
        c.addEmpty("b");
        c.isolate("b"); // a process still starting: it does not answer yet
        c.node("a").proposeMembershipChange(ConfChange.add("b", null));
        c.stabilize();
        int election = c.config("a").electionTicks();

        // Two members: the quorum is both. Without an answer from b, a would step down at its next
        // CheckQuorum; the grace keeps it leading for a few more election timeouts.
        c.tick("a", election * ProgressTracker.NEW_MEMBER_GRACE_CHECKS);
        assertEquals(Role.LEADER, c.node("a").role());

        // and once the grace is spent, a leader that still hears nobody steps down
        c.tick("a", election * 2);
        assertNotEquals(Role.LEADER, c.node("a").role());
    }

    @Test
    void theChangeTakesEffectOnlyWhenApplied() {
        LocalCluster c = new LocalCluster(2, "a", "b", "c");
        c.elect("a");
        c.addEmpty("d");
        c.isolate("b");
        c.isolate("c");

        c.node("a").proposeMembershipChange(ConfChange.add("d", null));
        c.stabilize();

        assertEquals(Membership.of("a", "b", "c"), c.node("a").membership(), "not committed, not applied");
    }

    @Test
    void theContextTravelsWithTheChange() {
        LocalCluster c = new LocalCluster(3, "a", "b", "c");
        c.elect("a");
        c.addEmpty("d");

        c.node("a").proposeMembershipChange(ConfChange.add("d", bytes("urls")));
        c.stabilize();

        Entry e = c.member("b").applied.get(c.member("b").applied.size() - 1);
        assertEquals(EntryType.CONF_CHANGE, e.type());
        ConfChange cc = ConfChange.fromBytes(e.data());
        assertEquals("d", cc.member());
        assertArrayEquals(bytes("urls"), cc.context());
    }

    @Test
    void onlyOneChangeMayBePendingAtATime() {
        LocalCluster c = new LocalCluster(4, "a", "b", "c");
        c.elect("a");
        c.addEmpty("d");
        c.node("a").proposeMembershipChange(ConfChange.add("d", null));

        ProposalOutcome second = c.node("a").proposeMembershipChange(ConfChange.remove("c"));

        assertInstanceOf(ProposalOutcome.Refused.class, second);
        c.stabilize();
        assertInstanceOf(ProposalOutcome.Accepted.class, c.node("a").proposeMembershipChange(ConfChange.remove("c")));
    }

    @Test
    void aNewLeaderAcceptsNoChangeBeforeApplyingItsLog() {
        LocalCluster c = new LocalCluster(5, "a", "b", "c");
        c.node("a").campaign();
        c.process();
        while (!c.node("a").isLeader()) {
            c.deliverOne();
            c.process();
        }

        assertInstanceOf(ProposalOutcome.Refused.class, c.node("a").proposeMembershipChange(ConfChange.remove("c")));
        c.stabilize();
        assertInstanceOf(ProposalOutcome.Accepted.class, c.node("a").proposeMembershipChange(ConfChange.remove("c")));
    }

    @Test
    void pointlessChangesAreRefused() {
        LocalCluster c = new LocalCluster(6, "a", "b");
        c.elect("a");

        assertInstanceOf(ProposalOutcome.Refused.class, c.node("a").proposeMembershipChange(ConfChange.add("b", null)));
        assertInstanceOf(ProposalOutcome.Refused.class, c.node("a").proposeMembershipChange(ConfChange.remove("z")));
    }

    @Test
    void aRemovedFollowerNoLongerCountsNorCampaigns() {
        LocalCluster c = new LocalCluster(7, "a", "b", "c");
        c.elect("a");

        c.node("a").proposeMembershipChange(ConfChange.remove("c"));
        c.stabilize();
        c.tickAll(1);
        c.isolate("c");
        c.propose("a", "x");
        c.stabilize();

        assertEquals(Membership.of("a", "b"), c.node("a").membership());
        assertEquals(List.of("x"), c.commands("a"), "a and b are a quorum of two");
        assertEquals(Membership.of("a", "b"), c.node("c").membership(), "c applied its own removal");
        c.tick("c", 40);
        assertEquals(Role.FOLLOWER, c.node("c").role());
    }

    @Test
    void aRemovedLeaderStepsDownAndHandsLeadershipOver() {
        LocalCluster c = new LocalCluster(8, "a", "b", "c");
        c.elect("a");

        c.node("a").proposeMembershipChange(ConfChange.remove("a"));
        c.process();
        boolean handedOver = false;
        while (!c.network.isEmpty()) {
            handedOver |= c.network.peek() instanceof TimeoutNow;
            c.deliverOne();
            c.process();
        }

        assertFalse(c.node("a").isLeader());
        assertTrue(handedOver);
        assertTrue(c.node("b").isLeader() || c.node("c").isLeader(), "elected without waiting for a timeout");
        String leader = c.node("b").isLeader() ? "b" : "c";
        assertEquals(Membership.of("b", "c"), c.node(leader).membership());
        c.propose(leader, "x");
        c.stabilize();
        assertEquals(List.of("x"), c.commands(leader));
    }

    @Test
    void confChangesSurviveTheirEncoding() {
        ConfChange cc = ConfChange.add("machine-1", bytes("raft=http://1:7001&etcd=http://1:4001"));

        assertEquals(cc, ConfChange.fromBytes(cc.toBytes()));
        assertEquals(ConfChange.remove("x"), ConfChange.fromBytes(ConfChange.remove("x").toBytes()));
        assertThrows(IllegalArgumentException.class, () -> ConfChange.fromBytes(new byte[] {1, 0, 0}));
    }

    @Test
    void aMemberCannotBootstrapWithoutItself() {
        assertThrows(IllegalArgumentException.class, () -> RaftNode.bootstrapMembers(
                RaftConfig.defaults("z", new java.util.Random(1)), List.of("a", "b")));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
