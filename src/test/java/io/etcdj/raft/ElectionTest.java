package io.etcdj.raft;

import io.etcdj.raft.Message.VoteRequest;
import io.etcdj.raft.Message.VoteResponse;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Leader election, §5.2, with the election restriction of §5.4.1, pre-vote and CheckQuorum. */
class ElectionTest {

    @Test
    void aCandidateWithAMajorityOfVotesBecomesLeaderAndOthersFollowIt() {
        LocalCluster c = new LocalCluster(1, "a", "b", "c");

        c.elect("a");

        assertEquals(Role.LEADER, c.node("a").role());
        assertEquals(2, c.node("a").term());
        for (String f : List.of("b", "c")) {
            assertEquals(Role.FOLLOWER, c.node(f).role());
            assertEquals("a", c.node(f).leader());
            assertEquals(2, c.node(f).term());
        }
    }

    @Test
    void followersTimeOutWithinTheRandomizedRangeAndOneIsElected() {
        LocalCluster c = new LocalCluster(2, "a", "b", "c");

        // §5.2: timeouts are drawn from [10, 20) ticks; someone must have started by tick 20.
        c.tickAll(9);
        assertTrue(c.members.values().stream().noneMatch(m -> m.node.isLeader()));
        c.tickAll(11);

        long leaders = c.members.values().stream().filter(m -> m.node.isLeader()).count();
        assertEquals(1, leaders);
    }

    @Test
    void aMemberVotesForAtMostOneCandidatePerTerm() {
        LocalCluster c = new LocalCluster(3, "a", "b", "c").withConfig(cfg -> cfg.withPreVote(false));
        c.node("a").campaign();
        c.node("b").campaign();
        List<Message> out = c.drain();
        VoteRequest fromA = pick(out, VoteRequest.class, "a", "c");
        VoteRequest fromB = pick(out, VoteRequest.class, "b", "c");

        c.deliver(fromA);
        c.deliver(fromB);

        List<VoteResponse> answers = c.drain().stream().filter(VoteResponse.class::isInstance)
                .map(VoteResponse.class::cast).filter(r -> r.from().equals("c")).toList();
        assertEquals(2, answers.size());
        assertTrue(answers.get(0).granted(), "first come, first served");
        assertFalse(answers.get(1).granted(), "no second vote in term 2");
        assertEquals("a", c.node("c").hardState().vote());
    }

    @Test
    void theVoteSurvivesARestart() {
        LocalCluster c = new LocalCluster(4, "a", "b", "c").withConfig(cfg -> cfg.withPreVote(false));
        c.node("a").campaign();
        c.node("b").campaign();
        List<Message> out = c.drain();
        c.deliver(pick(out, VoteRequest.class, "a", "c"));
        c.drain();

        c.restart("c");
        c.deliver(pick(out, VoteRequest.class, "b", "c"));

        VoteResponse answer = (VoteResponse) c.drain().stream().filter(VoteResponse.class::isInstance)
                .findFirst().orElseThrow();
        assertFalse(answer.granted());
    }

    @Test
    void aCandidateWhoseLogIsBehindIsNotElected() {
        // §5.4.1: c misses an entry that a and b hold, so neither of them votes for it.
        LocalCluster c = new LocalCluster(5, "a", "b", "c")
                .withConfig(cfg -> cfg.withPreVote(false).withCheckQuorum(false));
        c.elect("a");
        c.isolate("c");
        c.propose("a", "x");
        c.stabilize();
        c.heal();

        c.node("c").campaign();
        List<Message> requests = c.drain();
        requests.forEach(c::deliver);

        List<VoteResponse> answers = c.drain().stream().filter(VoteResponse.class::isInstance)
                .map(VoteResponse.class::cast).toList();
        assertEquals(2, answers.size());
        assertTrue(answers.stream().noneMatch(VoteResponse::granted));
        assertEquals(3, c.node("a").term(), "a adopted the newer term");
        assertEquals(HardState.NO_VOTE, c.node("a").hardState().vote(), "without voting in it");
        assertFalse(c.node("c").isLeader());
    }

    @Test
    void aLeaderStepsDownWhenItHearsOfAHigherTerm() {
        LocalCluster c = new LocalCluster(6, "a", "b", "c");
        c.elect("a");

        c.deliver(new Message.Heartbeat("b", "a", 9, 0, 0));

        assertEquals(Role.FOLLOWER, c.node("a").role());
        assertEquals(9, c.node("a").term());
        assertEquals("b", c.node("a").leader());
    }

    @Test
    void aLeaderCutOffFromItsQuorumStepsDownAfterAnElectionTimeout() {
        LocalCluster c = new LocalCluster(7, "a", "b", "c");
        c.elect("a");
        c.isolate("a");

        // CheckQuorum (§6.2 of the thesis): at most two election timeouts with no answer.
        for (int i = 0; i < 20 && c.node("a").isLeader(); i++) {
            c.node("a").tick();
            c.stabilize();
        }

        assertEquals(Role.FOLLOWER, c.node("a").role());
        assertEquals(null, c.node("a").leader());
    }

    @Test
    void preVoteKeepsARejoiningMemberFromDisruptingTheLeader() {
        LocalCluster c = new LocalCluster(8, "a", "b", "c");
        c.elect("a");
        long term = c.node("a").term();
        c.isolate("c");

        // c times out again and again while cut off; pre-vote keeps its term unchanged.
        for (int i = 0; i < 100; i++) {
            c.node("c").tick();
            c.stabilize();
        }
        assertEquals(term, c.node("c").term());
        c.heal();
        c.node("c").campaign();
        c.stabilize();

        assertTrue(c.node("a").isLeader());
        assertEquals(term, c.node("a").term());
    }

    @Test
    void followersThatHeardFromALeaderIgnoreVoteRequests() {
        // §4.2.3 of the thesis: within the election timeout after a heartbeat, votes are ignored.
        LocalCluster c = new LocalCluster(9, "a", "b", "c").withConfig(cfg -> cfg.withPreVote(false));
        c.elect("a");

        c.deliver(new VoteRequest("c", "b", 10, false, 100, 100, false));

        assertEquals(2, c.node("b").term());
        assertTrue(c.drain().isEmpty());
    }

    @Test
    void aRandomSourceIsTheOnlySourceOfTimingDifferences() {
        RaftNode x = RaftNode.bootstrapMembers(RaftConfig.defaults("a", new Random(42)), List.of("a", "b"));
        RaftNode y = RaftNode.bootstrapMembers(RaftConfig.defaults("a", new Random(42)), List.of("a", "b"));

        int tx = ticksUntilCampaign(x);
        int ty = ticksUntilCampaign(y);

        assertEquals(tx, ty);
    }

    private static int ticksUntilCampaign(RaftNode n) {
        n.advance(n.ready());
        int ticks = 0;
        while (n.role() == Role.FOLLOWER) {
            n.tick();
            ticks++;
        }
        return ticks;
    }

    static <T extends Message> T pick(List<Message> msgs, Class<T> type, String from, String to) {
        return msgs.stream().filter(type::isInstance).map(type::cast)
                .filter(m -> m.from().equals(from) && m.to().equals(to)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + from + "->" + to));
    }
}
