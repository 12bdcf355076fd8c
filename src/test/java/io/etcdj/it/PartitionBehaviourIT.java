package io.etcdj.it;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a partition does to a three-machine cluster in network namespaces, measured from outside:
 * the isolated leader steps down, the majority elects a new one and takes writes, the minority
 * answers errors at the request deadline and never stale data, and once healed the old leader
 * follows the new one and answers again within a second.
 */
class PartitionBehaviourIT {
    /** The server's election timeout is 200 ms; CheckQuorum looks once per timeout. Room for a busy machine. */
    private static final Duration STEP_DOWN = Duration.ofSeconds(1);
    private static final Duration MAJORITY_WRITES = Duration.ofSeconds(2);
    private static final Duration DEADLINE = Duration.ofSeconds(3);
    private static final Duration REJOIN = Duration.ofSeconds(1);

    @Test
    void anIsolatedLeaderStepsDownTheMajorityCarriesOnAndTheHealedLeaderRejoinsWithinASecond() throws Exception {
        try (NetCluster cluster = NetCluster.start(3)) {
            cluster.showLogsOnFailure(() -> {
                RegisterClient client = new RegisterClient(cluster, 0);
                int leader = cluster.awaitLeader(cluster.all(), Duration.ofSeconds(20));
                List<Integer> majority = new ArrayList<>(cluster.all());
                majority.remove(Integer.valueOf(leader));
                assertEquals(RegisterOp.Outcome.OK, client.write(leader, "behaviour/k", "before").outcome());

                // when the leader is cut from both followers
                for (int f : majority) {
                    cluster.net().cut(leader, f);
                }
                long cutAt = System.nanoTime();

                // then it steps down within an election timeout or so
                EtcdCluster.poll(STEP_DOWN, "m" + leader + " to step down",
                        () -> isLeader(cluster, leader) ? null : Boolean.TRUE);
                Duration stepDown = since(cutAt);

                // and the majority elects a leader and takes a write within 2 s
                EtcdCluster.poll(MAJORITY_WRITES, "the majority to take a write", () -> {
                    RegisterOp op = client.write(majority.get(0), "behaviour/k", "during");
                    return op != null && op.outcome() == RegisterOp.Outcome.OK ? op : null;
                });
                Duration failover = since(cutAt);

                // and on the minority side a write and a consistent read end with an error, never stale data
                long asked = System.nanoTime();
                RegisterClient.Outcome write = client.send(leader, "PUT", "/v2/keys/behaviour/k", "value=minority");
                Duration writeTook = since(asked);
                assertError300(write);
                assertTrue(writeTook.compareTo(DEADLINE.plus(Duration.ofSeconds(1))) < 0, "write took " + writeTook);
                asked = System.nanoTime();
                RegisterOp read = client.read(leader, "behaviour/k");
                Duration readTook = since(asked);
                assertNull(read, "a consistent read on the minority answered " + read);
                assertTrue(readTook.compareTo(DEADLINE.plus(Duration.ofSeconds(1))) < 0, "read took " + readTook);

                // when the partition heals
                cluster.net().heal();
                long healedAt = System.nanoTime();

                // then the old leader follows the new one and answers a consistent read within a second
                RegisterOp after = EtcdCluster.poll(REJOIN, "m" + leader + " to answer again",
                        () -> client.read(leader, "behaviour/k"));
                Duration rejoin = since(healedAt);
                assertEquals("during", after.value());
                System.out.printf("isolated leader: stepped down after %d ms; majority wrote after %d ms; "
                                + "minority write error after %d ms, read error after %d ms; answered %d ms after the heal%n",
                        stepDown.toMillis(), failover.toMillis(), writeTook.toMillis(), readTook.toMillis(), rejoin.toMillis());
            });
        }
    }

    private static boolean isLeader(NetCluster cluster, int i) {
        try (HttpConnection c = HttpConnection.open(cluster.address(i), NetCluster.CLIENT_PORT, Duration.ofSeconds(1))) {
            HttpAnswer answer = c.get("/v2/stats/self");
            return answer.status() == 200 && EtcdCluster.json(answer).path("state").asText().equals("leader");
        } catch (IOException e) {
            throw new AssertionError("m" + i + " does not answer: " + e);
        }
    }

    private static void assertError300(RegisterClient.Outcome outcome) {
        assertTrue(outcome instanceof RegisterClient.Outcome.Answered a && a.answer().status() == 500
                && RegisterClient.errorCode(a.answer()) == 300, "expected error 300, got " + outcome);
    }

    private static Duration since(long nanoTime) {
        return Duration.ofNanos(System.nanoTime() - nanoTime);
    }
}
