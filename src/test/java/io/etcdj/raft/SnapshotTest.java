package io.etcdj.raft;

import io.etcdj.raft.Message.InstallSnapshot;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Log compaction and InstallSnapshot, §7. */
class SnapshotTest {

    /** What the server does after applying: snapshot its state machine and compact. */
    private static Snapshot compact(LocalCluster c, String name) {
        RaftNode node = c.node(name);
        Snapshot s = new Snapshot(node.appliedSnapshotMetadata(),
                String.join(",", c.commands(name)).getBytes(StandardCharsets.UTF_8));
        node.compact(s);
        c.member(name).disk.compact(s);
        return s;
    }

    @Test
    void aFollowerMissingCompactedEntriesReceivesTheSnapshot() {
        LocalCluster c = new LocalCluster(1, "a", "b", "c");
        c.elect("a");
        c.isolate("c");
        c.propose("a", "x");
        c.propose("a", "y");
        c.stabilize();
        Snapshot s = compact(c, "a");
        c.propose("a", "z");
        c.stabilize();
        c.heal();

        c.process();
        c.node("a").tick();
        c.process();
        InstallSnapshot sent = null;
        while (!c.network.isEmpty()) {
            if (c.network.peek() instanceof InstallSnapshot is) {
                sent = is;
            }
            c.deliverOne();
            c.process();
        }

        assertNotNull(sent);
        assertEquals(s, sent.snapshot());
        assertEquals(s, c.member("c").disk.snapshot);
        assertEquals(Membership.of("a", "b", "c"), c.node("c").membership());
        assertEquals(c.node("a").lastIndex(), c.node("c").lastIndex());
        assertEquals(List.of("z"), c.commands("c"), "entries after the snapshot are applied");
        assertEquals(7, c.node("c").appliedIndex());
    }

    @Test
    void aMemberRestartsFromItsSnapshotAndTheEntriesAfterIt() {
        LocalCluster c = new LocalCluster(2, "a");
        c.elect("a");
        c.propose("a", "x");
        c.stabilize();
        Snapshot s = compact(c, "a");
        c.propose("a", "y");
        c.stabilize();

        c.restart("a");

        assertEquals(s.index(), c.member("a").disk.snapshot.index());
        assertEquals(List.of("y"), c.commands("a"), "only what follows the snapshot is applied again");
        assertEquals(Membership.of("a"), c.node("a").membership());
        c.elect("a");
    }

    @Test
    void theLogCannotBeCompactedBeyondTheAppliedIndex() {
        LocalCluster c = new LocalCluster(3, "a");
        c.elect("a");
        RaftNode node = c.node("a");
        SnapshotMetadata applied = node.appliedSnapshotMetadata();

        Snapshot tooFar = new Snapshot(new SnapshotMetadata(applied.index() + 1, applied.term(),
                applied.membership()), new byte[0]);

        assertThrows(IllegalArgumentException.class, () -> node.compact(tooFar));
    }

    @Test
    void aFailedSnapshotIsSentAgain() {
        LocalCluster c = new LocalCluster(4, "a", "b", "c");
        c.elect("a");
        c.isolate("c");
        c.propose("a", "x");
        c.stabilize();
        compact(c, "a");
        c.heal();
        c.node("a").tick();
        c.process();
        c.dropIf(m -> m instanceof InstallSnapshot);
        c.stabilize();
        c.heal();
        assertEquals(null, c.member("c").disk.snapshot, "lost on the way");
        c.tickAll(2);
        assertEquals(null, c.member("c").disk.snapshot, "the leader waits for the transport's report");

        c.node("a").reportSnapshot("c", false);
        c.tickAll(2);

        assertNotNull(c.member("c").disk.snapshot);
        assertEquals(c.node("a").lastIndex(), c.node("c").lastIndex());
    }

    @Test
    void aRestoredMemberStartsFromAnEmptyStateWhenItHasNeverRun() {
        RaftNode node = RaftNode.create(RaftConfig.defaults("n", new Random(1)), RestoredState.EMPTY);

        assertTrue(node.membership().members().isEmpty());
        node.campaign();
        assertEquals(Role.FOLLOWER, node.role(), "not a member: it waits for a leader");
    }
}
