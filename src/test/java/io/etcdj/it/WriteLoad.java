package io.etcdj.it;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Writer threads that keep setting new keys under one directory through whichever machine of a
 * cluster answers, recording every write whose success answer arrived with the value sent and
 * the modifiedIndex reported. Every attempt uses a key never tried before, so an attempt that
 * failed on the client's side but was committed anyway cannot be mistaken for an acknowledged one.
 */
final class WriteLoad {
    /** A write whose success answer reached the client. */
    record Acknowledged(String value, long modifiedIndex) {
    }

    private static final Duration FAILURE_PAUSE = Duration.ofMillis(10);

    private final EtcdCluster cluster;
    private final String dir;
    private final Map<String, Acknowledged> acknowledged = new ConcurrentHashMap<>();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicInteger barriers = new AtomicInteger();
    private final List<Thread> threads = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();

    /** Starts {@code writers} threads writing keys {@code dir/w<writer>-<n>}. */
    WriteLoad(EtcdCluster cluster, String dir, int writers) {
        this.cluster = cluster;
        this.dir = dir;
        for (int w = 0; w < writers; w++) {
            int writer = w;
            Thread t = new Thread(() -> write(writer), "writer-" + dir + "-" + w);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    int acknowledgedCount() {
        return acknowledged.size();
    }

    long failures() {
        return failures.get();
    }

    Map<String, Acknowledged> acknowledged() {
        return Map.copyOf(acknowledged);
    }

    /** Waits until at least {@code count} writes in all have been acknowledged. */
    void awaitAcknowledged(int count, Duration within) {
        EtcdCluster.poll(within, count + " acknowledged writes (have " + acknowledged.size() + ", "
                + failures.get() + " failed attempts)", () -> acknowledged.size() >= count ? Boolean.TRUE : null);
    }

    /** Stops the writers and waits for them to finish their current attempt. */
    void stop() {
        stopped.set(true);
        for (Thread t : threads) {
            try {
                t.join(Duration.ofSeconds(30).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * After the writers stopped: one more write through the leader, then on each given machine,
     * once it shows that write (so it has applied everything before it), every acknowledged write
     * is there with its value and index, and all machines hold the same keys under the directory.
     * The new write must also get an index above every acknowledged one.
     */
    void verifyOn(List<Integer> machines, Duration within) {
        synchronized (problems) {
            assertEquals(List.of(), problems, "writers saw answers that should not happen");
        }
        String barrier = dir + "-barrier/" + barriers.incrementAndGet();
        String mark = String.valueOf(System.nanoTime());
        JsonNode barrierNode = EtcdCluster.poll(within, "a write through the leader", () -> cluster.set(barrier, mark));
        long highest = acknowledged.values().stream().mapToLong(Acknowledged::modifiedIndex).max().orElse(0);
        if (barrierNode.path("modifiedIndex").asLong() <= highest) {
            fail("a write after the load got index " + barrierNode.path("modifiedIndex").asLong()
                    + ", not above the highest acknowledged " + highest);
        }
        Map<String, JsonNode> first = null;
        for (int i : machines) {
            cluster.awaitValue(i, barrier, mark, within);
            Map<String, JsonNode> leaves = cluster.leaves(i, dir);
            List<String> lost = new ArrayList<>();
            acknowledged.forEach((key, ack) -> {
                JsonNode node = leaves.get("/" + dir + "/" + key);
                if (node == null || !node.path("value").asText().equals(ack.value())
                        || node.path("modifiedIndex").asLong() != ack.modifiedIndex()) {
                    lost.add(key + " acknowledged as " + ack + ", found " + node);
                }
            });
            if (!lost.isEmpty()) {
                fail(cluster.name(i) + ": " + lost.size() + " of " + acknowledged.size()
                        + " acknowledged writes lost or changed, e.g.\n  "
                        + String.join("\n  ", lost.subList(0, Math.min(20, lost.size()))));
            }
            if (first == null) {
                first = leaves;
            } else {
                assertEquals(summary(first), summary(leaves), cluster.name(i) + " holds other keys under /" + dir
                        + " than " + cluster.name(machines.get(0)));
            }
        }
        long distinct = acknowledged.values().stream().mapToLong(Acknowledged::modifiedIndex).distinct().count();
        assertEquals(acknowledged.size(), distinct, "two acknowledged writes reported the same modifiedIndex");
    }

    private static Map<String, String> summary(Map<String, JsonNode> leaves) {
        Map<String, String> summary = new TreeMap<>();
        leaves.forEach((k, n) -> summary.put(k, n.path("value").asText() + "@" + n.path("modifiedIndex").asLong()));
        return summary;
    }

    private void write(int writer) {
        int target = writer % Math.max(1, cluster.size());
        int n = 0;
        while (!stopped.get()) {
            String key = "w" + writer + "-" + n;
            String value = "v" + n;
            n++;
            try {
                HttpAnswer answer = cluster.put(target, dir + "/" + key, value);
                if (answer.isSuccess()) {
                    JsonNode node = EtcdCluster.json(answer).path("node");
                    if (!node.path("value").asText().equals(value)) {
                        synchronized (problems) {
                            problems.add("PUT " + key + " answered with another value: " + answer);
                        }
                    }
                    acknowledged.put(key, new Acknowledged(value, node.path("modifiedIndex").asLong()));
                    continue;
                }
            } catch (RuntimeException e) {
                // the machine is down or lost its leader: try the next one
            }
            failures.incrementAndGet();
            target = (target + 1) % cluster.size();
            LockSupport.parkNanos(FAILURE_PAUSE.toNanos());
        }
    }
}
