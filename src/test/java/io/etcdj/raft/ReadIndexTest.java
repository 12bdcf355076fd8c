package io.etcdj.raft;

import io.etcdj.raft.Message.Heartbeat;
import io.etcdj.raft.Message.HeartbeatResponse;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Linearizable reads without log writes: ReadIndex, §6.4 of the thesis. */
class ReadIndexTest {

    @Test
    void theLeaderAnswersOnceAQuorumConfirmsItsLeadershipAfterTheRequest() {
        LocalCluster c = new LocalCluster(1, "a", "b", "c");
        c.elect("a");
        c.propose("a", "x");
        c.stabilize();

        ProposalOutcome out = c.node("a").readIndex(42);
        c.process();

        assertEquals(new ProposalOutcome.Accepted(5, 2), out);
        assertTrue(c.member("a").readStates.isEmpty(), "not before a heartbeat round");
        List<Heartbeat> beats = c.queued(Heartbeat.class);
        assertEquals(2, beats.size());
        assertTrue(beats.stream().allMatch(h -> h.readRound() == 1));
        c.dropIf(m -> m.from().equals("c"));
        c.stabilize();
        assertEquals(List.of(new ReadState(42, 5)), c.member("a").readStates, "a and b are a quorum");
    }

    @Test
    void aLeaderCutOffFromTheQuorumNeverAnswers() {
        LocalCluster c = new LocalCluster(2, "a", "b", "c");
        c.elect("a");
        c.isolate("a");

        c.node("a").readIndex(1);
        c.tick("a", 5);
        c.stabilize();

        assertTrue(c.member("a").readStates.isEmpty());
    }

    @Test
    void anAnswerToAnOlderRoundDoesNotConfirmANewerRequest() {
        LocalCluster c = new LocalCluster(3, "a", "b", "c");
        c.elect("a");
        c.node("a").readIndex(1);
        List<Message> firstRound = c.drain();
        c.node("a").readIndex(2);
        c.drain();

        // b answers the first round only.
        c.deliver(ElectionTest.pick(firstRound, Heartbeat.class, "a", "b"));
        HeartbeatResponse ack = ElectionTest.pick(c.drain(), HeartbeatResponse.class, "b", "a");
        c.deliver(ack);

        assertEquals(List.of(new ReadState(1, 4)), c.member("a").readStates);
    }

    @Test
    void oneHeartbeatRoundConfirmsEveryEarlierRequest() {
        LocalCluster c = new LocalCluster(4, "a", "b", "c");
        c.elect("a");

        c.node("a").readIndex(1);
        c.node("a").readIndex(2);
        c.node("a").readIndex(3);
        c.stabilize();

        assertEquals(List.of(new ReadState(1, 4), new ReadState(2, 4), new ReadState(3, 4)),
                c.member("a").readStates);
    }

    @Test
    void aNewLeaderWaitsForItsNoOpBeforeFixingTheReadIndex() {
        LocalCluster c = new LocalCluster(5, "a", "b", "c");
        c.node("a").campaign();
        c.process();
        while (!c.node("a").isLeader()) {
            c.deliverOne();
            c.process();
        }

        ProposalOutcome out = c.node("a").readIndex(9);
        c.stabilize();

        assertEquals(new ProposalOutcome.Accepted(0, 2), out);
        assertEquals(List.of(new ReadState(9, 4)), c.member("a").readStates, "index of the no-op");
    }

    @Test
    void aFollowerDoesNotForwardButNamesTheLeader() {
        LocalCluster c = new LocalCluster(6, "a", "b", "c");
        c.elect("a");

        assertEquals(new ProposalOutcome.NotLeader("a"), c.node("b").readIndex(1));
    }

    @Test
    void pendingReadsAreDroppedWhenLeadershipIsLost() {
        LocalCluster c = new LocalCluster(7, "a", "b", "c");
        c.elect("a");
        c.node("a").readIndex(1);
        c.drain();

        c.deliver(new Heartbeat("b", "a", 3, 0, 0));
        c.elect("a");

        assertTrue(c.member("a").readStates.isEmpty());
    }
}
