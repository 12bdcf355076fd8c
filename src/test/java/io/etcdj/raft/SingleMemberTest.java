package io.etcdj.raft;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A cluster of one: the path the server takes first. */
class SingleMemberTest {
    private final Disk disk = new Disk();

    private RaftNode bootstrap() {
        return RaftNode.bootstrapMembers(RaftConfig.defaults("a", new Random(1)), List.of("a"));
    }

    /** Carries out one Ready like the server loop and returns it. */
    private Ready handle(RaftNode node) {
        assertTrue(node.hasReady(), "expected a Ready");
        Ready rd = node.ready();
        disk.persist(rd);
        node.advance(rd);
        return rd;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void bootstrapHandsOutTheInitialMembershipAsCommittedEntries() {
        RaftNode node = bootstrap();

        Ready rd = handle(node);

        assertEquals(1, rd.entries().size());
        assertEquals(EntryType.CONF_CHANGE, rd.entries().get(0).type());
        assertEquals(ConfChange.add("a", null), ConfChange.fromBytes(rd.entries().get(0).data()));
        assertEquals(rd.entries(), rd.committedEntries());
        assertEquals(new HardState(1, HardState.NO_VOTE, 1), rd.hardState());
        assertTrue(rd.mustSync());
        assertEquals(Membership.of("a"), node.membership());
        assertFalse(node.hasReady());
    }

    @Test
    void electsItselfOnItsFirstElectionTimeout() {
        RaftNode node = bootstrap();
        handle(node);

        // §5.2: the timeout is drawn from [electionTicks, 2*electionTicks).
        int ticks = 0;
        while (!node.isLeader()) {
            node.tick();
            ticks++;
            assertTrue(ticks < 20, "no election within 2*electionTicks");
        }

        assertTrue(ticks >= 10);
        Ready rd = handle(node);
        assertEquals(new SoftState("a", Role.LEADER), rd.softState());
        assertEquals(2, rd.hardState().term());
        assertEquals("a", rd.hardState().vote());
        assertEquals(List.of(Entry.noop(2, 2)), rd.entries());
        assertTrue(rd.committedEntries().isEmpty(), "the no-op commits only once persisted");
    }

    @Test
    void commitsAProposalOnceTheReadyThatCarriedItIsAdvanced() {
        RaftNode node = bootstrap();
        handle(node);
        node.campaign();
        handle(node);           // persists the no-op
        handle(node);           // applies the no-op

        ProposalOutcome outcome = node.propose(bytes("set x"));

        assertEquals(new ProposalOutcome.Accepted(3, 2), outcome);
        Ready persist = handle(node);
        assertEquals(1, persist.entries().size());
        assertTrue(persist.committedEntries().isEmpty());
        assertEquals(3, node.commitIndex(), "advance counted the leader's own copy");
        Ready apply = handle(node);
        assertEquals(List.of(new Entry(3, 2, EntryType.NORMAL, bytes("set x"))), apply.committedEntries());
        assertEquals(3, apply.hardState().commit());
        assertEquals(3, node.appliedIndex());
        assertFalse(node.hasReady());
    }

    @Test
    void batchesSeveralProposalsIntoOneReady() {
        RaftNode node = bootstrap();
        handle(node);
        node.campaign();
        handle(node);
        handle(node);

        node.propose(bytes("1"));
        node.propose(bytes("2"));
        node.propose(bytes("3"));

        assertEquals(3, handle(node).entries().size());
        assertEquals(3, handle(node).committedEntries().size());
    }

    @Test
    void answersAReadIndexAtOnceAfterCommittingInItsTerm() {
        RaftNode node = bootstrap();
        handle(node);
        node.campaign();

        // §6.4: until the no-op of its term commits, the leader cannot vouch for its commit index.
        assertEquals(new ProposalOutcome.Accepted(0, 2), node.readIndex(7));
        Ready first = handle(node);
        assertTrue(first.readStates().isEmpty());
        Ready second = handle(node);
        assertEquals(List.of(new ReadState(7, 2)), second.readStates());

        assertEquals(new ProposalOutcome.Accepted(2, 2), node.readIndex(8));
        assertEquals(List.of(new ReadState(8, 2)), handle(node).readStates());
    }

    @Test
    void refusesProposalsWhenNotLeader() {
        RaftNode node = bootstrap();
        handle(node);

        assertEquals(new ProposalOutcome.NotLeader(null), node.propose(bytes("x")));
        assertEquals(new ProposalOutcome.NotLeader(null), node.readIndex(1));
        assertInstanceOf(ProposalOutcome.NotLeader.class, node.proposeMembershipChange(ConfChange.add("b", null)));
    }

    @Test
    void restartsFromPersistedStateAndReappliesCommittedEntries() {
        RaftNode node = bootstrap();
        handle(node);
        node.campaign();
        handle(node);
        handle(node);
        node.propose(bytes("x"));
        handle(node);
        handle(node);

        RaftNode restarted = RaftNode.create(RaftConfig.defaults("a", new Random(2)), disk.restoredState());

        assertEquals(2, restarted.term());
        assertEquals(Role.FOLLOWER, restarted.role());
        Ready rd = handle(restarted);
        assertNull(rd.hardState(), "nothing new to persist");
        assertEquals(3, rd.committedEntries().size());
        assertEquals(Membership.of("a"), restarted.membership());
        restarted.campaign();
        assertTrue(restarted.isLeader());
        assertEquals(3, restarted.term());
    }

    @Test
    void readyMustBeAdvancedBeforeTheNextOne() {
        RaftNode node = bootstrap();
        Ready rd = node.ready();

        assertFalse(node.hasReady());
        assertThrows(IllegalStateException.class, node::ready);
        node.advance(rd);
        assertNotNull(rd.hardState());
    }
}
