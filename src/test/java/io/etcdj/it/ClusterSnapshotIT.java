package io.etcdj.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Machines that need entries the leader has already compacted away catch up by snapshot: a new
 * machine joining an old cluster, and a machine that was down while the cluster moved on.
 */
@Timeout(180)
class ClusterSnapshotIT {
    /** Small enough that a few hundred writes compact the log several times. */
    private static final List<String> FREQUENT_SNAPSHOTS = List.of("-snapshot-count", "100");

    /** Writes {@code count} times to 150 keys under {@code dir} through the leader. */
    private static void writeMany(EtcdCluster cluster, String dir, int count) {
        int leader = cluster.leader();
        int failures = 0;
        for (int i = 0; i < count; i++) {
            HttpAnswer a = cluster.put(leader, dir + "/" + (i % 150), "v" + i);
            if (!a.isSuccess()) {
                assertTrue(++failures < 20, "writes keep failing: " + a);
                leader = cluster.leader();
                i--;
            }
        }
    }

    private static Boolean sameLeaves(EtcdCluster cluster, int machine, String dir, Map<String, ?> expected) {
        try {
            return cluster.leaves(machine, dir).equals(expected) ? true : null;
        } catch (AssertionError | RuntimeException notYet) {
            return null;
        }
    }

    @Test
    void aMachineJoiningAClusterWhoseLogWasCompactedCatchesUpBySnapshot() throws Exception {
        try (EtcdCluster cluster = EtcdCluster.start(2, FREQUENT_SNAPSHOTS)) {
            cluster.showLogsOnFailure(() -> {
                // given a cluster that has taken several snapshots and dropped the log before them
                writeMany(cluster, "old", 600);
                int leader = cluster.leader();
                Map<String, ?> expected = cluster.leaves(leader, "old");
                assertEquals(150, expected.size());

                // when a new machine joins
                int fresh = cluster.join(leader);

                // then it serves the same data, and keeps up with new writes
                EtcdCluster.poll(Duration.ofSeconds(30), "the new machine to hold every key",
                        () -> sameLeaves(cluster, fresh, "old", expected));
                cluster.set("after-join", "yes");
                cluster.awaitValue(fresh, "after-join", "yes", Duration.ofSeconds(20));
                String log = cluster.machine(fresh).logTail(200_000);
                assertTrue(log.contains("installing the leader's snapshot"), "caught up by snapshot:\n" + log);
            });
        }
    }

    @Test
    void aMachineDownWhileTheClusterCompactedItsLogCatchesUpBySnapshot() throws Exception {
        try (EtcdCluster cluster = EtcdCluster.start(3, FREQUENT_SNAPSHOTS)) {
            cluster.showLogsOnFailure(() -> {
                int leader = cluster.leader();
                int down = (leader + 1) % 3;
                cluster.kill(down);
                writeMany(cluster, "while-down", 600);
                Map<String, ?> expected = cluster.leaves(cluster.leader(), "while-down");

                cluster.restart(down);

                EtcdCluster.poll(Duration.ofSeconds(30), "the restarted machine to hold every key",
                        () -> sameLeaves(cluster, down, "while-down", expected));
            });
        }
    }

    /**
     * Without snapshots a new machine gets the whole log, over several appends of at most 1 MiB:
     * replaying the first ones it sees a membership that does not list it yet, and must not take
     * that for its removal.
     */
    @Test
    void aMachineJoiningWithALogLongerThanOneAppendReplaysItAll() throws Exception {
        try (EtcdCluster cluster = EtcdCluster.start(1, List.of("-snapshot=false"))) {
            cluster.showLogsOnFailure(() -> {
                String big = "x".repeat(1000);
                int leader = cluster.leader();
                for (int i = 0; i < 3000; i++) {
                    HttpAnswer a = cluster.put(leader, "long/" + (i % 100), big + i);
                    assertTrue(a.isSuccess(), a.toString());
                }
                Map<String, ?> expected = cluster.leaves(leader, "long");

                int fresh = cluster.join(leader);

                EtcdCluster.poll(Duration.ofSeconds(30), "the new machine to hold every key",
                        () -> sameLeaves(cluster, fresh, "long", expected));
                assertTrue(cluster.machine(fresh).isAlive(), "the new machine still runs");
            });
        }
    }
}
