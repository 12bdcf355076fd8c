package io.etcdj.server;

import io.etcdj.peer.ChangeOutcome;
import io.etcdj.peer.JoinRequest;
import io.etcdj.raft.ConfChange;
import io.etcdj.raft.Entry;
import io.etcdj.raft.EntryType;
import io.etcdj.raft.RaftConfig;
import io.etcdj.raft.RaftNode;
import io.etcdj.raft.Ready;
import io.etcdj.store.EtcdException;
import io.etcdj.store.Store;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Joins that arrive while another membership change is under way, on a real Raft core driven by
 * hand: the leader {@code a} starts alone, so its own changes commit as soon as it persists them,
 * and a change after the first needs the new member's answer, which never comes here.
 */
class MembershipChangesTest {
    private final RaftNode raft = RaftNode.bootstrapMembers(RaftConfig.defaults("a", new Random(7)), List.of("a"));
    private final Store store = new Store(Clock.systemUTC());
    private long now = 1_000_000_000L;
    /** Peer URLs the leader was told of as it proposed joins. */
    private final List<String> hinted = new ArrayList<>();
    /** Machines whose proposed join the leader gave up on, so that their streams close again. */
    private final List<String> abandoned = new ArrayList<>();
    private final MembershipChanges changes = new MembershipChanges(raft, store, new Registry(store), 9,
            () -> "http://a:7001", (name, url) -> hinted.add(name + "=" + url), abandoned::add, () -> now);

    /** Membership changes appended to the log so far, in order. */
    private final List<String> proposed = new ArrayList<>();
    /** The same changes' entries. */
    private final List<Entry> proposedEntries = new ArrayList<>();

    MembershipChangesTest() {
        drain();
        raft.campaign();
        drain();
        assertTrue(raft.isLeader());
    }

    /** Persists and applies every Ready, telling the changes about each applied membership entry. */
    private void drain() {
        while (raft.hasReady()) {
            Ready rd = raft.ready();
            for (Entry e : rd.entries()) {
                if (e.type() == EntryType.CONF_CHANGE) {
                    proposed.add(ConfChange.fromBytes(e.data()).member());
                    proposedEntries.add(e);
                }
            }
            raft.advance(rd);
            for (Entry e : rd.committedEntries()) {
                if (e.type() == EntryType.CONF_CHANGE) {
                    changes.applied(e);
                }
            }
        }
    }

    private CompletableFuture<ChangeOutcome> join(String name, String joinId) {
        CompletableFuture<ChangeOutcome> f = new CompletableFuture<>();
        changes.join(new JoinRequest(JoinRequest.MIN_VERSION, JoinRequest.MAX_VERSION, name, "http://" + name + ":7001",
                "http://" + name + ":4001", joinId), f);
        return f;
    }

    private static int errorCode(CompletableFuture<?> f) {
        ExecutionException e = assertThrows(ExecutionException.class, f::get);
        return ((EtcdException) e.getCause()).code();
    }

    @Test
    void aJoinDuringAnotherWaitsAndIsProposedOnceThatOneIsApplied() throws Exception {
        CompletableFuture<ChangeOutcome> b = join("b", "id-b");
        CompletableFuture<ChangeOutcome> c = join("c", "id-c");
        assertFalse(c.isDone(), "the second join waits instead of being refused");
        drain();
        assertInstanceOf(ChangeOutcome.Committed.class, b.get());
        assertEquals(List.of("a", "b", "c"), proposed, "c went into the log right after b was applied");
        assertFalse(c.isDone(), "c commits only once b answers, which it never does here");
        assertEquals(List.of("b=http://b:7001", "c=http://c:7001"), hinted,
                "the leader learns each joiner's peer URL as it proposes its join");
    }

    @Test
    void joinsWaitingAtOnceGoInTheOrderTheyCame() {
        join("b", "id-b");
        join("d", "id-d");
        join("c", "id-c");
        drain();
        assertEquals(List.of("a", "b", "d"), proposed);
    }

    @Test
    void aJoinThatWaitedTooLongIsToldToAskAgainAndItsRetryIsTakenIn() throws Exception {
        join("b", "id-b");
        CompletableFuture<ChangeOutcome> c = join("c", "id-c");
        now += MembershipChanges.MAX_JOIN_WAIT.toNanos() - 1;
        changes.expireWaiting();
        assertFalse(c.isDone());
        now += 1;
        changes.expireWaiting();
        assertEquals(300, errorCode(c));
        drain();
        assertEquals(List.of("a", "b"), proposed, "an expired join is never proposed");
        CompletableFuture<ChangeOutcome> again = join("c", "id-c");
        drain();
        assertEquals(List.of("a", "b", "c"), proposed);
        assertFalse(again.isDone());
    }

    @Test
    void theSameJoinAskedAgainWhileWaitingKeepsItsPlaceAndGetsTheSameAnswer() throws Exception {
        join("b", "id-b");
        CompletableFuture<ChangeOutcome> first = join("c", "id-c");
        CompletableFuture<ChangeOutcome> second = join("c", "id-c");
        CompletableFuture<ChangeOutcome> d = join("d", "id-d");
        assertFalse(first.isDone());
        assertFalse(second.isDone());
        drain();
        assertEquals(List.of("a", "b", "c"), proposed, "c proposed once, before d");
        assertFalse(d.isDone());
    }

    @Test
    void aJoinAskedAgainWhileWaitingIsToldToAskAgainWithTheFirstWhenTheWaitRunsOut() throws Exception {
        join("b", "id-b");
        CompletableFuture<ChangeOutcome> first = join("c", "id-c");
        CompletableFuture<ChangeOutcome> second = join("c", "id-c");
        now += MembershipChanges.MAX_JOIN_WAIT.toNanos();
        changes.expireWaiting();
        assertEquals(300, errorCode(first));
        assertEquals(300, errorCode(second));
    }

    @Test
    void aSecondMachineUnderAWaitingNameIsRefusedWhenItsTurnComes() throws Exception {
        join("b", "id-b");
        join("c", "id-c");
        CompletableFuture<ChangeOutcome> impostor = join("c", "other-process");
        drain();
        assertEquals(List.of("a", "b", "c"), proposed);
        // c's change is under way: the other process waits behind it, then is refused as a name in use
        assertFalse(impostor.isDone());
    }

    @Test
    void aJoinAskedAgainBeforeTheStoreHasAppliedTheFirstIsToldToAskAgainNotRefusedAsADuplicate() throws Exception {
        join("b", "id-b");
        drain(); // applied by Raft; the applier, which registers b in the store, is not run here
        assertTrue(raft.membership().contains("b"));
        assertEquals(300, errorCode(join("b", "id-b")));
        assertEquals(300, errorCode(join("b", "another-process")));
    }

    @Test
    void losingTheLeadershipFailsTheWaitingJoins() throws Exception {
        join("b", "id-b");
        CompletableFuture<ChangeOutcome> c = join("c", "id-c");
        changes.failAll(new EtcdException(300, "lost the leadership", 0));
        assertEquals(300, errorCode(c));
        drain();
        assertEquals(List.of("a", "b"), proposed);
    }

    @Test
    void aJoinFailedWithTheLeadershipIsAbandonedOnlyOnceAnotherEntryTookItsPlace() throws Exception {
        // given b's join applied, c's proposed (it never commits here) and d's waiting behind it
        CompletableFuture<ChangeOutcome> b = join("b", "id-b");
        drain();
        CompletableFuture<ChangeOutcome> c = join("c", "id-c");
        CompletableFuture<ChangeOutcome> d = join("d", "id-d");
        drain();
        assertInstanceOf(ChangeOutcome.Committed.class, b.get());
        assertEquals(List.of("b=http://b:7001", "c=http://c:7001"), hinted, "d was not proposed, so not hinted");
        Entry cEntry = proposedEntries.get(proposedEntries.size() - 1);

        // when the leadership is lost, both requests fail, but c's entry may still commit
        changes.failAll(new EtcdException(300, "lost the leadership", 0));
        assertEquals(300, errorCode(c));
        assertEquals(300, errorCode(d));
        assertEquals(List.of(), abandoned, "c's stream stays while its entry may commit");

        // then a membership entry of the next leader's term applied at c's index gives c up
        changes.applied(new Entry(cEntry.index(), cEntry.term() + 1, EntryType.CONF_CHANGE, cEntry.data()));
        assertEquals(List.of("c"), abandoned);
    }

    @Test
    void aJoinFailedWithTheLeadershipThatCommitsAllTheSameIsNotAbandoned() {
        Entry cEntry = joinOfCFailedWithTheLeadership();

        changes.applied(cEntry);
        changes.applied(new Entry(cEntry.index() + 5, cEntry.term() + 1, EntryType.CONF_CHANGE, cEntry.data()));

        assertEquals(List.of(), abandoned);
    }

    @Test
    void aJoinFailedWithTheLeadershipWhoseIndexWasPassedIsAbandoned() {
        Entry cEntry = joinOfCFailedWithTheLeadership();

        // c's index held an ordinary entry of the next leader; the next membership entry comes later
        changes.applied(new Entry(cEntry.index() + 3, cEntry.term() + 1, EntryType.CONF_CHANGE, cEntry.data()));

        assertEquals(List.of("c"), abandoned);
    }

    @Test
    void aLostRemovalAbandonsNoJoin() throws Exception {
        join("b", "id-b");
        drain();
        CompletableFuture<ChangeOutcome> removal = new CompletableFuture<>();
        changes.remove("b", removal);
        changes.failAll(new EtcdException(300, "lost the leadership", 0));
        assertEquals(300, errorCode(removal));
        assertEquals(List.of(), abandoned);
    }

    /** b joins, then c's join is proposed and fails when the leadership is lost; c's entry. */
    private Entry joinOfCFailedWithTheLeadership() {
        join("b", "id-b");
        drain();
        join("c", "id-c");
        drain();
        Entry cEntry = proposedEntries.get(proposedEntries.size() - 1);
        changes.failAll(new EtcdException(300, "lost the leadership", 0));
        return cEntry;
    }
}
