package io.etcdj.raft;

import io.etcdj.raft.Message.AppendRequest;
import io.etcdj.raft.Message.AppendResponse;
import io.etcdj.raft.Message.Heartbeat;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Log replication (§5.3) and the commitment rule of §5.4.2. */
class ReplicationTest {

    @Test
    void aProposalIsReplicatedCommittedAndAppliedEverywhere() {
        LocalCluster c = new LocalCluster(1, "a", "b", "c");
        c.elect("a");

        assertEquals(new ProposalOutcome.Accepted(5, 2), c.propose("a", "x"));
        c.stabilize();
        c.tickAll(1); // a heartbeat tells followers the new commit index

        for (String m : List.of("a", "b", "c")) {
            assertEquals(List.of("x"), c.commands(m), m);
            assertEquals(5, c.node(m).commitIndex(), m);
        }
    }

    @Test
    void commandsProposedTogetherReachEachFollowerInOneAppend() {
        LocalCluster c = new LocalCluster(1, "a", "b", "c");
        c.elect("a");
        List<byte[]> batch = List.of("x".getBytes(StandardCharsets.UTF_8), "y".getBytes(StandardCharsets.UTF_8),
                "z".getBytes(StandardCharsets.UTF_8));

        assertEquals(new ProposalOutcome.Accepted(7, 2), c.node("a").proposeAll(batch));
        List<Message> sent = c.drain();

        List<AppendRequest> appends = sent.stream().filter(AppendRequest.class::isInstance)
                .map(AppendRequest.class::cast).toList();
        assertEquals(2, appends.size(), "one append per follower: " + sent);
        for (AppendRequest a : appends) {
            assertEquals(List.of(5L, 6L, 7L), a.entries().stream().map(Entry::index).toList());
        }
        appends.forEach(c::deliver);
        c.stabilize();
        c.tickAll(1);
        for (String m : List.of("a", "b", "c")) {
            assertEquals(List.of("x", "y", "z"), c.commands(m), m);
        }
    }

    @Test
    void acknowledgementsTakenTogetherTellEachFollowerTheCommitIndexOnce() {
        LocalCluster c = new LocalCluster(3, "a", "b", "c");
        c.elect("a");
        List<Message> acks = new java.util.ArrayList<>();
        for (String data : List.of("x", "y")) {
            c.propose("a", data);
            for (Message m : c.drain()) {
                if (m.to().equals("b")) {
                    c.node("b").step(m);
                }
            }
            acks.addAll(c.drain()); // b's acknowledgement; c never answers
        }
        assertEquals(2, acks.size(), acks.toString());

        acks.forEach(c.node("a")::step);
        List<AppendRequest> sent = c.drain().stream().filter(AppendRequest.class::isInstance)
                .map(AppendRequest.class::cast).toList();

        assertEquals(6, c.node("a").commitIndex(), "each acknowledgement advanced the commit index");
        assertEquals(List.of("b", "c"), sent.stream().map(Message::to).sorted().toList(),
                "one message per follower: " + sent);
        sent.forEach(a -> assertEquals(6, a.commit()));
    }

    @Test
    void aBatchOnAFollowerIsRefusedWhole() {
        LocalCluster c = new LocalCluster(2, "a", "b", "c");
        c.elect("a");
        long before = c.node("b").lastIndex();

        assertEquals(new ProposalOutcome.NotLeader("a"),
                c.node("b").proposeAll(List.of("x".getBytes(StandardCharsets.UTF_8))));
        assertEquals(before, c.node("b").lastIndex());
    }

    @Test
    void aFollowerAnswersNotLeaderNamingTheLeader() {
        LocalCluster c = new LocalCluster(2, "a", "b", "c");
        c.elect("a");

        assertEquals(new ProposalOutcome.NotLeader("a"), c.propose("b", "x"));
    }

    @Test
    void commitNeedsAMajorityOfReplicas() {
        LocalCluster c = new LocalCluster(3, "a", "b", "c");
        c.elect("a");
        c.isolate("b");
        c.isolate("c");

        c.propose("a", "x");
        c.stabilize();

        assertEquals(4, c.node("a").commitIndex(), "only the no-op of term 2 is committed");
        assertTrue(c.commands("a").isEmpty());
        c.heal();
        c.tickAll(1);
        assertEquals(List.of("x"), c.commands("a"));
    }

    @Test
    void aFollowersConflictingSuffixIsReplacedByTheLeaders() {
        // §5.3: a leader of term 2 appends entries only it gets, then loses leadership.
        LocalCluster c = new LocalCluster(4, "a", "b", "c").withConfig(cfg -> cfg.withCheckQuorum(false));
        c.elect("a");
        c.isolate("a");
        c.propose("a", "lost-1");
        c.propose("a", "lost-2");
        c.stabilize();
        c.heal();
        c.isolate("a");
        c.elect("b");
        c.propose("b", "kept");
        c.stabilize();

        c.heal();
        c.tickAll(3);

        assertEquals(List.of("kept"), c.commands("a"));
        assertEquals(c.member("b").disk.entries, c.member("a").disk.entries, "log matching");
    }

    @Test
    void aRejectionHintLetsTheLeaderSkipAWholeTermOfEntries() {
        LocalCluster c = new LocalCluster(5, "a", "b", "c").withConfig(cfg -> cfg.withCheckQuorum(false));
        c.elect("a");
        c.isolate("a");
        for (int i = 0; i < 20; i++) {
            c.propose("a", "stale-" + i);                 // indexes 5..24, term 2, only on a
        }
        c.stabilize();
        c.heal();
        c.isolate("a");
        c.elect("b");                                     // term 3, no-op at 5
        for (int i = 0; i < 15; i++) {
            c.propose("b", "new-" + i);                   // indexes 6..20, term 3
        }
        c.stabilize();
        c.elect("c");                                     // term 4: probes a from 21
        c.heal();

        // c probes a after index 20; a's entry 20 has term 2, and so does everything back to 5,
        // so a hints (20, term 2) and c jumps straight to its last entry of a term <= 2.
        c.node("c").tick();
        c.process();
        int rejections = 0;
        while (!c.network.isEmpty()) {
            Message m = c.network.peek();
            if (m instanceof AppendResponse r && !r.success() && r.from().equals("a")) {
                rejections++;
                assertEquals(20, r.rejectHint());
                assertEquals(2, r.hintTerm());
            }
            c.deliverOne();
            c.process();
            if (m instanceof AppendResponse r && !r.success() && r.from().equals("a")) {
                AppendRequest retry = c.queued(AppendRequest.class).get(0);
                assertEquals(4, retry.prevLogIndex(), "c's last entry of a term <= 2");
            }
        }

        assertEquals(1, rejections, "one round trip, not one per entry");
        assertEquals(c.member("c").disk.entries, c.member("a").disk.entries);
    }

    @Test
    void aLeaderDoesNotCommitEntriesOfEarlierTermsByCountingReplicas() {
        // §5.4.2 (figure 8): an entry of an earlier term on a majority is not thereby committed.
        LocalCluster c = new LocalCluster(6, "a", "b", "c")
                .withConfig(cfg -> cfg.withCheckQuorum(false).withPreVote(false).withFlowControl(256, 1));
        c.elect("a");                                   // term 2, no-op at 4 everywhere
        c.dropIf(m -> m.from().equals("a"));
        c.propose("a", "old");                          // index 5, term 2, only on a
        c.stabilize();
        c.heal();
        c.isolate("a");
        c.dropIf(m -> m instanceof AppendRequest);
        c.elect("b");                                   // term 3, its no-op stays on b
        c.heal();
        c.isolate("b");
        c.restart("a");                                 // a crashes; it still holds "old"
        c.node("a").campaign();                         // term 3: c already voted for b
        c.stabilize();
        assertFalse(c.node("a").isLeader());
        c.node("a").campaign();                         // term 4 with c's vote: a's log is newer

        boolean oldReplicated = false;
        c.process();
        while (!c.network.isEmpty()) {
            Message m = c.network.peek();
            c.deliverOne();
            c.process();
            if (m instanceof AppendResponse r && r.from().equals("c") && r.success() && r.index() == 5) {
                oldReplicated = true;
                assertTrue(c.node("a").isLeader());
                assertEquals(4, c.node("a").commitIndex(), "index 5 is on a and c, but of term 2");
            }
        }

        assertTrue(oldReplicated);
        assertEquals(6, c.node("a").commitIndex(), "committed with the no-op of term 4");
        assertEquals(List.of("old"), c.commands("a"));
    }

    @Test
    void appendsArePipelinedUpToTheInflightLimit() {
        LocalCluster c = new LocalCluster(7, "a", "b").withConfig(cfg -> cfg.withFlowControl(3, 1 << 20));
        c.elect("a");

        for (int i = 0; i < 10; i++) {
            c.propose("a", "p" + i);
        }

        List<AppendRequest> toB = c.queued(AppendRequest.class);
        assertEquals(3, toB.size(), "the window holds three unacknowledged appends");
        assertEquals(List.of(4L, 5L, 6L), toB.stream().map(m -> m.entries().get(0).index()).toList());
        c.stabilize();
        assertEquals(10, c.commands("a").size());
    }

    @Test
    void aCatchingUpFollowerGetsManyEntriesPerAppendWithinTheByteLimit() {
        LocalCluster c = new LocalCluster(8, "a", "b", "c").withConfig(cfg -> cfg.withFlowControl(256, 250));
        c.elect("a");
        c.isolate("c");
        for (int i = 0; i < 30; i++) {
            c.propose("a", "0123456789".repeat(5) + i);
        }
        c.stabilize();
        c.heal();

        c.node("a").tick();
        int maxEntries = 0;
        c.process();
        while (!c.network.isEmpty()) {
            if (c.network.peek() instanceof AppendRequest a && a.to().equals("c")) {
                maxEntries = Math.max(maxEntries, a.entries().size());
                long bytes = a.entries().stream().mapToLong(Entry::size).sum();
                assertTrue(a.entries().size() == 1 || bytes <= 250, "within the byte limit");
            }
            c.deliverOne();
            c.process();
        }

        assertTrue(maxEntries > 1, "batched");
        assertEquals(c.commands("a"), c.commands("c"));
    }

    @Test
    void heartbeatsCarryTheCommitIndexAFollowerIsKnownToHold() {
        LocalCluster c = new LocalCluster(9, "a", "b", "c");
        c.elect("a");
        c.propose("a", "x");
        c.stabilize();

        c.node("a").tick();
        c.process();

        List<Heartbeat> beats = c.queued(Heartbeat.class);
        assertEquals(2, beats.size());
        assertTrue(beats.stream().allMatch(h -> h.commit() == 5));
        c.stabilize();
        assertEquals(5, c.node("b").commitIndex());
        assertFalse(c.commands("b").isEmpty());
    }

    @Test
    void theLeadersOwnCopyCountsOnlyOnceTheReadyCarryingItIsAdvanced() {
        LocalCluster c = new LocalCluster(10, "a", "b");
        c.elect("a");
        RaftNode a = c.node("a");
        a.propose(new byte[] {1});
        Ready rd = a.ready();
        c.member("a").disk.persist(rd);

        // b acknowledges before a has advanced: one replica of two is not a quorum.
        rd.messages().forEach(c::deliver);
        while (!c.network.isEmpty()) {
            c.deliverOne();
        }
        assertEquals(3, a.commitIndex());

        a.advance(rd);

        assertEquals(4, a.commitIndex());
    }
}
