package io.etcdj.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Durability under SIGKILL: concurrent writers keep setting keys, the process is killed at a random
 * moment, restarted on the same data directory, and every write whose success answer reached a
 * client must be there with the value and modifiedIndex that answer reported. Several rounds run in
 * one test, continuing the key sequence. System properties: {@code etcdj.it.seed},
 * {@code etcdj.it.crashRounds} (default 5), {@code etcdj.it.crashWriters} (default 8).
 */
class CrashRecoveryIT {
    private static final Duration ROUND_LIMIT = Duration.ofSeconds(60);

    /** A write whose success answer arrived: the value sent and the index the server reported. */
    private record Acknowledged(String value, long modifiedIndex) {
    }

    @Test
    void everyAcknowledgedWriteSurvivesSigkillAndRestart() throws Exception {
        try (EtcdProcess node = EtcdProcess.start()) {
            killAndRestartRounds(node);
        }
    }

    /**
     * With a snapshot every 100 writes, kills land while snapshots are being written and the log is
     * being compacted: the node must still start (from an older snapshot if the newest is
     * incomplete) with every acknowledged write.
     */
    @Test
    void everyAcknowledgedWriteSurvivesSigkillWhileSnapshotsAreTaken() throws Exception {
        try (EtcdProcess node = EtcdProcess.startMember("node0", List.of(), List.of("-snapshot-count", "100"))) {
            killAndRestartRounds(node);
            String log = node.logTail(1_000_000);
            assertTrue(log.contains("snapshot at index"), "snapshots were taken:\n" + node.logTail(4000));
        }
    }

    private static void killAndRestartRounds(EtcdProcess node) throws Exception {
        long seed = Long.getLong("etcdj.it.seed", System.nanoTime());
        int rounds = Integer.getInteger("etcdj.it.crashRounds", 5);
        int writers = Integer.getInteger("etcdj.it.crashWriters", 8);
        Random random = new Random(seed);
        System.out.println("CrashRecoveryIT seed " + seed + " (-Detcdj.it.seed=" + seed + " replays the kill points)");
        Map<String, Acknowledged> acknowledged = new ConcurrentHashMap<>();
        AtomicIntegerArray nextSequence = new AtomicIntegerArray(writers);
        node.showLogOnFailure(() -> {
            for (int round = 1; round <= rounds; round++) {
                // given writers that keep setting keys, when the process is killed after a random number of answers
                int killAfter = 100 + random.nextInt(1400);
                int answered = writeUntilKilled(node, writers, killAfter, nextSequence, acknowledged, seed);
                // and restarted on the same directory
                node.restart();
                long probeIndex = awaitWritable(node, round);
                // then every acknowledged write is there, as acknowledged
                verifyAll(node, acknowledged, round, seed);
                long highest = acknowledged.values().stream().mapToLong(Acknowledged::modifiedIndex).max().orElse(0);
                assertTrue(probeIndex > highest, "round " + round + ": a write after the restart got index "
                        + probeIndex + ", not above the highest acknowledged " + highest + " (seed " + seed + ")");
                System.out.println("round " + round + ": killed after " + answered + " answers in this round, "
                        + acknowledged.size() + " acknowledged writes verified");
            }
            long distinct = acknowledged.values().stream().mapToLong(Acknowledged::modifiedIndex).distinct().count();
            assertEquals(acknowledged.size(), distinct, "two acknowledged writes reported the same modifiedIndex");
        });
    }

    /** Runs the writers until {@code killAfter} answers arrived, then SIGKILLs the node mid-stream. */
    private static int writeUntilKilled(EtcdProcess node, int writers, int killAfter, AtomicIntegerArray nextSequence,
                                        Map<String, Acknowledged> acknowledged, long seed) throws Exception {
        AtomicBoolean killed = new AtomicBoolean();
        AtomicInteger answers = new AtomicInteger();
        List<String> problems = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                running.add(pool.submit(() -> write(node, writer, nextSequence, acknowledged, answers, killed, problems)));
            }
            long deadline = System.nanoTime() + ROUND_LIMIT.toNanos();
            while (answers.get() < killAfter && problems.isEmpty()) {
                if (System.nanoTime() - deadline > 0) {
                    fail("only " + answers.get() + " of " + killAfter + " writes answered in " + ROUND_LIMIT + " (seed " + seed + ")");
                }
                LockSupport.parkNanos(Duration.ofMillis(2).toNanos());
            }
            killed.set(true);
            node.kill();
            for (Future<?> f : running) {
                f.get(30, TimeUnit.SECONDS);
            }
            assertEquals(List.of(), problems, "writers saw errors before the kill (seed " + seed + ")");
            return answers.get();
        } finally {
            pool.shutdownNow();
        }
    }

    private static void write(EtcdProcess node, int writer, AtomicIntegerArray nextSequence,
                              Map<String, Acknowledged> acknowledged, AtomicInteger answers, AtomicBoolean killed,
                              List<String> problems) {
        HttpConnection connection = null;
        try {
            while (!killed.get()) {
                if (connection == null || !connection.isReusable()) {
                    closeQuietly(connection);
                    connection = node.connect(Duration.ofSeconds(10));
                }
                int n = nextSequence.getAndIncrement(writer);
                String key = writer + "-" + n;
                HttpAnswer answer = connection.sendForm("PUT", "/v2/keys/crash/" + key, "value=" + n);
                if (!answer.isSuccess()) {
                    problems.add("PUT " + key + " answered " + answer);
                    return;
                }
                JsonNode written = Observation.JSON.readTree(answer.text()).path("node");
                if (!written.path("value").asText().equals(String.valueOf(n))) {
                    problems.add("PUT " + key + " answered with another value: " + answer);
                    return;
                }
                acknowledged.put(key, new Acknowledged(String.valueOf(n), written.path("modifiedIndex").asLong()));
                answers.incrementAndGet();
            }
        } catch (IOException e) {
            if (!killed.get()) {
                problems.add("writer " + writer + " failed before the kill: " + e);
            }
        } finally {
            closeQuietly(connection);
        }
    }

    /** After a restart the node must elect itself and apply its log; one successful write shows both. */
    private static long awaitWritable(EtcdProcess node, int round) throws IOException {
        long deadline = System.nanoTime() + ROUND_LIMIT.toNanos();
        String last = "no answer";
        while (System.nanoTime() - deadline < 0) {
            try (HttpConnection c = node.connect(Duration.ofSeconds(10))) {
                HttpAnswer answer = c.sendForm("PUT", "/v2/keys/crash-probe/" + round, "value=" + round);
                if (answer.isSuccess()) {
                    return Observation.JSON.readTree(answer.text()).path("node").path("modifiedIndex").asLong();
                }
                last = answer.toString();
            } catch (IOException e) {
                last = e.toString();
            }
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        }
        throw new AssertionError("no write succeeded within " + ROUND_LIMIT + " of the restart; last: " + last);
    }

    private static void verifyAll(EtcdProcess node, Map<String, Acknowledged> acknowledged, int round, long seed)
            throws IOException {
        List<String> lost = new ArrayList<>();
        HttpConnection connection = null;
        try {
            for (Map.Entry<String, Acknowledged> write : acknowledged.entrySet()) {
                if (connection == null || !connection.isReusable()) {
                    closeQuietly(connection);
                    connection = node.connect(Duration.ofSeconds(10));
                }
                HttpAnswer answer = connection.get("/v2/keys/crash/" + write.getKey());
                JsonNode found = answer.status() == 200 ? Observation.JSON.readTree(answer.text()).path("node") : null;
                if (found == null || !found.path("value").asText().equals(write.getValue().value())
                        || found.path("modifiedIndex").asLong() != write.getValue().modifiedIndex()) {
                    lost.add(write.getKey() + " acknowledged as " + write.getValue() + ", now " + answer);
                }
            }
        } finally {
            closeQuietly(connection);
        }
        if (!lost.isEmpty()) {
            fail("round " + round + " (seed " + seed + "): " + lost.size() + " of " + acknowledged.size()
                    + " acknowledged writes lost or changed, e.g.\n  " + String.join("\n  ", lost.subList(0, Math.min(20, lost.size()))));
        }
    }

    private static void closeQuietly(HttpConnection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (IOException ignored) {
                // closing a broken connection
            }
        }
    }
}
