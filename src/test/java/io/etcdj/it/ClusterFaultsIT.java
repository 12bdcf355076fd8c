package io.etcdj.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A cluster whose machines die by SIGKILL: the leader, random machines under write load, and all
 * of them at once. Acknowledged writes must survive on every machine. Failover times are printed,
 * not asserted. System properties: {@code etcdj.it.seed}, {@code etcdj.it.failoverRounds}
 * (default 3), {@code etcdj.it.killRounds} (default 4).
 */
@Timeout(180)
class ClusterFaultsIT {
    private static final Duration RECOVER = Duration.ofSeconds(20);

    @Test
    void survivorsElectANewLeaderKeepTheDataAndAcceptWrites() throws Exception {
        int rounds = Integer.getInteger("etcdj.it.failoverRounds", 3);
        try (EtcdCluster cluster = EtcdCluster.start(3)) {
            cluster.showLogsOnFailure(() -> {
                List<JsonNode> written = new ArrayList<>();
                List<Long> failovers = new ArrayList<>();
                for (int round = 1; round <= rounds; round++) {
                    // given a 3-machine cluster with acknowledged data
                    int oldLeader = cluster.leader();
                    for (int n = 0; n < 10; n++) {
                        written.add(cluster.set("failover/r" + round + "-" + n, "v" + n));
                    }
                    // when the leader is killed
                    long killedAt = System.nanoTime();
                    cluster.kill(oldLeader);
                    // then a write through the survivors succeeds again (the time to it is reported)
                    List<Integer> survivors = cluster.live();
                    JsonNode first = firstWriteThrough(cluster, survivors, "failover/after-" + round, RECOVER, "done");
                    long millis = (System.nanoTime() - killedAt) / 1_000_000;
                    failovers.add(millis);
                    System.out.println("failover: " + millis + " ms (round " + round + ", killed leader "
                            + cluster.name(oldLeader) + ")");
                    assertEquals("done", first.path("value").asText());
                    // and the new leader is one of the survivors, agreed on by both
                    int newLeader = cluster.leader();
                    assertNotEquals(oldLeader, newLeader);
                    // and everything acknowledged before the kill is readable on each survivor
                    for (int i : survivors) {
                        cluster.awaitValue(i, "failover/after-" + round, "done", RECOVER);
                        for (JsonNode w : written) {
                            String key = w.path("key").asText().substring(1);
                            JsonNode node = EtcdCluster.json(cluster.get(i, key)).path("node");
                            assertEquals(w.path("value").asText(), node.path("value").asText(), cluster.name(i) + " " + key);
                            assertEquals(w.path("modifiedIndex").asLong(), node.path("modifiedIndex").asLong(),
                                    cluster.name(i) + " " + key);
                        }
                    }
                    // and the old leader comes back as a member for the next round
                    cluster.restart(oldLeader);
                    cluster.awaitValue(oldLeader, "failover/after-" + round, "done", RECOVER);
                }
                System.out.println("failover times (ms): " + failovers);
            });
        }
    }

    @Test
    void acknowledgedWritesSurviveRandomKillsUnderLoad() throws Exception {
        long seed = Long.getLong("etcdj.it.seed", System.nanoTime());
        int rounds = Integer.getInteger("etcdj.it.killRounds", 4);
        Random random = new Random(seed);
        System.out.println("ClusterFaultsIT random kills, seed " + seed + " (-Detcdj.it.seed=" + seed + " replays the choices)");
        try (EtcdCluster cluster = EtcdCluster.start(5)) {
            cluster.showLogsOnFailure(() -> {
                WriteLoad load = new WriteLoad(cluster, "load", 2);
                try {
                    int target = 50;
                    load.awaitAcknowledged(target, RECOVER);
                    for (int round = 1; round <= rounds; round++) {
                        // given writers that keep writing, when one or two random machines are killed
                        List<Integer> victims = new ArrayList<>(cluster.live());
                        Collections.shuffle(victims, random);
                        victims = victims.subList(0, 1 + random.nextInt(2));
                        int leaderBefore = cluster.leader();
                        victims.forEach(cluster::kill);
                        // then writes keep being acknowledged by the remaining majority
                        target = load.acknowledgedCount() + 50;
                        load.awaitAcknowledged(target, RECOVER);
                        // and the killed machines come back
                        cluster.restartAll(victims);
                        target = load.acknowledgedCount() + 50;
                        load.awaitAcknowledged(target, RECOVER);
                        System.out.println("round " + round + ": killed " + victims.stream().map(cluster::name).toList()
                                + (victims.contains(leaderBefore) ? " (incl. the leader)" : "") + ", "
                                + load.acknowledgedCount() + " writes acknowledged, " + load.failures() + " attempts failed");
                    }
                } finally {
                    load.stop();
                }
                // then every acknowledged write is on every machine with its value and index
                load.verifyOn(cluster.live(), RECOVER);
                assertEquals(5, cluster.live().size());
                System.out.println(load.acknowledgedCount() + " acknowledged writes verified on 5 machines (seed " + seed + ")");
            });
        }
    }

    @Test
    void acknowledgedWritesSurviveKillingEveryMachine() throws Exception {
        int rounds = 2;
        try (EtcdCluster cluster = EtcdCluster.start(3)) {
            cluster.showLogsOnFailure(() -> {
                WriteLoad load = new WriteLoad(cluster, "all", 3);
                try {
                    for (int round = 1; round <= rounds; round++) {
                        // given writers in full flow
                        load.awaitAcknowledged(load.acknowledgedCount() + 200, RECOVER);
                        // when every machine is killed at once, then all are started again
                        cluster.killAll();
                        int beforeRestart = load.acknowledgedCount();
                        cluster.restartAll();
                        // then the cluster takes writes again
                        load.awaitAcknowledged(beforeRestart + 50, RECOVER);
                        System.out.println("kill all, round " + round + ": " + load.acknowledgedCount()
                                + " writes acknowledged");
                    }
                } finally {
                    load.stop();
                }
                // and every acknowledged write is on every machine
                load.verifyOn(cluster.live(), RECOVER);
                assertTrue(load.acknowledgedCount() >= 500);
            });
        }
    }

    @Test
    void aFrozenLeaderThatResumesServesNoStaleReadAndLosesNoAcknowledgedWrite() throws Exception {
        try (EtcdCluster cluster = EtcdCluster.start(3)) {
            cluster.showLogsOnFailure(() -> {
                // given a leader that stops running (SIGSTOP) while the others go on
                cluster.set("frozen/k", "before");
                int oldLeader = cluster.leader();
                cluster.machine(oldLeader).signal("STOP");
                List<Integer> others = new ArrayList<>(cluster.live());
                others.remove(Integer.valueOf(oldLeader));
                // when the others elect a new leader and commit a newer value
                JsonNode newer = firstWriteThrough(cluster, others, "frozen/k", RECOVER, "after");
                // and a consistent read and a write reach the frozen leader before it resumes
                try (HttpConnection read = cluster.machine(oldLeader).connect(RECOVER);
                     HttpConnection write = cluster.machine(oldLeader).connect(RECOVER)) {
                    read.send(HttpConnection.request("GET", "/v2/keys/frozen/k?consistent=true", read.authority(),
                            List.of(), null));
                    write.send(HttpConnection.request("PUT", "/v2/keys/frozen/w", write.authority(),
                            List.of(Map.entry("Content-Type", "application/x-www-form-urlencoded")),
                            "value=from-old-leader".getBytes(StandardCharsets.UTF_8)));
                    cluster.machine(oldLeader).signal("CONT");
                    // then the read does not answer the old value: it is redirected, refused, or current
                    HttpAnswer readAnswer = read.readAnswer("GET");
                    System.out.println("consistent read on the resumed old leader: " + readAnswer.status());
                    if (readAnswer.status() == 200) {
                        JsonNode node = EtcdCluster.json(readAnswer).path("node");
                        assertEquals("after", node.path("value").asText(), "stale consistent read: " + readAnswer);
                        assertEquals(newer.path("modifiedIndex").asLong(), node.path("modifiedIndex").asLong());
                    }
                    // and the write, if acknowledged, is really committed
                    HttpAnswer writeAnswer = write.readAnswer("PUT");
                    System.out.println("write on the resumed old leader: " + writeAnswer.status());
                    if (writeAnswer.isSuccess()) {
                        long index = EtcdCluster.json(writeAnswer).path("node").path("modifiedIndex").asLong();
                        for (int i : others) {
                            JsonNode node = cluster.awaitValue(i, "frozen/w", "from-old-leader", RECOVER);
                            assertEquals(index, node.path("modifiedIndex").asLong());
                        }
                    }
                }
                // and the old leader follows the new one and catches up
                int leader = cluster.leader();
                assertTrue(others.contains(leader), "leader after the resume: " + cluster.name(leader));
                cluster.awaitValue(oldLeader, "frozen/k", "after", RECOVER);
            });
        }
    }

    /** Tries the machines in turn (following redirects) until one write succeeds; returns its node. */
    private static JsonNode firstWriteThrough(EtcdCluster cluster, List<Integer> machines, String key, Duration within,
                                              String value) {
        int[] next = {0};
        return EtcdCluster.poll(within, "a write through " + machines, () -> {
            int via = machines.get(next[0]++ % machines.size());
            // a short bound: a request redirected to a frozen leader must not hold up the next try
            HttpAnswer answer = cluster.put(via, key, value, Duration.ofSeconds(1));
            return answer.isSuccess() ? EtcdCluster.json(answer).path("node") : null;
        });
    }
}
