package io.etcdj.it;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * One Jepsen-style run: clients read, write and compare-and-swap a few keys (reads with
 * {@code consistent=true}) and add keys of their own, through random machines, while a seeded
 * {@link Nemesis} partitions, kills and pauses members. At the end everything is healed; every
 * key's history must be linearizable ({@link LinearizabilityChecker}), every member must come to
 * show every key's final value, and every acknowledged add must be on every member.
 *
 * <p>Along the way it measures, from outside: how long the majority takes to accept a write after a
 * fault, and how long a cut-off member takes to answer a consistent read after the heal.
 */
final class PartitionRun {
    record Settings(int machines, long seed, Duration duration, int clients, int keys) {}

    /** What a run found; {@code anomalies} is empty when all was well. */
    record Report(Settings settings, int operations, int unknown, int adds, Map<String, LinearizabilityChecker.Result> keys,
                  List<String> faults, List<Long> failoverMillis, List<Long> rejoinMillis, List<String> anomalies) {
        String summary() {
            StringBuilder out = new StringBuilder();
            out.append(String.format("run: %d machines, seed %d, %d s: %d operations (%d of unknown outcome), %d adds%n",
                    settings.machines(), settings.seed(), settings.duration().toSeconds(), operations, unknown, adds));
            keys.forEach((k, r) -> out.append("  ").append(k).append(": ").append(r.verdict()).append(" (")
                    .append(r.explored()).append(" configurations)").append(r.detail().isEmpty() ? "" : " " + r.detail()).append('\n'));
            out.append("  faults: ").append(faults).append('\n');
            out.append("  majority takes writes after a fault (ms): ").append(failoverMillis).append('\n');
            out.append("  cut-off member answers after the heal (ms): ").append(rejoinMillis).append('\n');
            out.append("  anomalies: ").append(anomalies.isEmpty() ? "none" : anomalies).append('\n');
            return out.toString();
        }
    }

    private final Settings settings;
    private final NetCluster cluster;
    private final long startNanos = System.nanoTime();
    private final Map<String, List<RegisterOp>> histories = new ConcurrentHashMap<>();
    private final Set<String> acknowledgedAdds = ConcurrentHashMap.newKeySet();
    private final List<String> faults = Collections.synchronizedList(new ArrayList<>());
    private final List<Long> failoverMillis = Collections.synchronizedList(new ArrayList<>());
    private final List<Long> rejoinMillis = Collections.synchronizedList(new ArrayList<>());
    private final List<String> anomalies = Collections.synchronizedList(new ArrayList<>());
    private final AtomicBoolean stop = new AtomicBoolean();
    private final String prefix;

    private PartitionRun(Settings settings, NetCluster cluster) {
        this.settings = settings;
        this.cluster = cluster;
        this.prefix = "jepsen/s" + settings.seed();
    }

    /** Starts a cluster in namespaces, runs, heals, checks; the cluster is gone when this returns. */
    static Report run(Settings settings) throws Exception {
        try (NetCluster cluster = NetCluster.start(settings.machines())) {
            PartitionRun run = new PartitionRun(settings, cluster);
            Report[] report = new Report[1];
            cluster.showLogsOnFailure(() -> report[0] = run.execute());
            return report[0];
        }
    }

    private Report execute() throws InterruptedException {
        log("cluster up: " + cluster);
        for (int k = 0; k < settings.keys(); k++) {
            histories.put(key(k), Collections.synchronizedList(new ArrayList<>()));
        }
        List<Thread> clients = new ArrayList<>();
        for (int p = 0; p < settings.clients(); p++) {
            int process = p;
            Random random = new Random(settings.seed() * 1000 + p);
            Thread t = new Thread(() -> clientLoop(process, random), "client-" + p);
            clients.add(t);
            t.start();
        }
        Nemesis nemesis = new Nemesis(cluster, new Random(settings.seed()), this::log);
        Random timing = new Random(settings.seed() ^ 0x5eed);
        long end = startNanos + settings.duration().toNanos();
        try {
            while (System.nanoTime() < end) {
                pause(Duration.ofMillis(1000 + timing.nextInt(2000)));
                if (System.nanoTime() > end) {
                    break;
                }
                Nemesis.Kind kind = nemesis.pick();
                Nemesis.Fault fault = nemesis.start(kind);
                long cutAt = System.nanoTime();
                faults.add(at() + " " + fault.description());
                long holdUntil = cutAt + Duration.ofMillis(4000 + timing.nextInt(2000)).toNanos();
                if (kind != Nemesis.Kind.BRIDGE) {
                    measureFailover(fault, cutAt, holdUntil);
                }
                pauseUntil(holdUntil);
                fault.heal();
                long healedAt = System.nanoTime();
                log("nemesis: healed");
                if (kind != Nemesis.Kind.KILL) {
                    for (int member : fault.cutOff()) {
                        measureRejoin(member, healedAt);
                    }
                }
            }
        } finally {
            stop.set(true);
            for (Thread t : clients) {
                t.join();
            }
            cluster.net().heal();
        }
        finalReads();
        Map<String, LinearizabilityChecker.Result> verdicts = new TreeMap<>();
        LinearizabilityChecker checker = new LinearizabilityChecker();
        int operations = 0;
        int unknown = 0;
        for (Map.Entry<String, List<RegisterOp>> e : new TreeMap<>(histories).entrySet()) {
            List<RegisterOp> history = new ArrayList<>(e.getValue());
            operations += history.size();
            unknown += (int) history.stream().filter(op -> !op.known()).count();
            LinearizabilityChecker.Result result = checker.check(history);
            verdicts.put(e.getKey(), result);
            if (result.verdict() != LinearizabilityChecker.Verdict.LINEARIZABLE) {
                anomalies.add(e.getKey() + " " + result.verdict() + ": " + result.detail());
            }
        }
        Report report = new Report(settings, operations, unknown, acknowledgedAdds.size(), verdicts, List.copyOf(faults),
                List.copyOf(failoverMillis), List.copyOf(rejoinMillis), List.copyOf(anomalies));
        System.out.print(report.summary());
        return report;
    }

    private void clientLoop(int process, Random random) {
        RegisterClient client = new RegisterClient(cluster, process);
        Map<String, String> lastSeen = new HashMap<>();
        int sequence = 0;
        while (!stop.get()) {
            int via = random.nextInt(cluster.size());
            String key = key(random.nextInt(settings.keys()));
            String value = "p" + process + "-" + sequence++;
            int dice = random.nextInt(10);
            RegisterOp op;
            if (dice < 1) {
                String added = prefix + "/added/" + value;
                if (client.add(via, added)) {
                    acknowledgedAdds.add("/" + added);
                }
                continue;
            } else if (dice < 5) {
                op = client.read(via, key);
                if (op != null) {
                    lastSeen.put(key, op.value());
                }
            } else if (dice < 7 || lastSeen.get(key) == null) {
                op = client.write(via, key, value);
            } else {
                op = client.cas(via, key, lastSeen.get(key), value);
            }
            if (op != null) {
                histories.get(key).add(op);
                if (op.kind() != RegisterOp.Kind.READ && op.outcome() == RegisterOp.Outcome.OK) {
                    lastSeen.put(key, value);
                }
            }
        }
    }

    /** Time from the fault until a write through the side that should keep working is acknowledged. */
    private void measureFailover(Nemesis.Fault fault, long cutAt, long holdUntil) {
        RegisterClient probe = new RegisterClient(cluster, -1);
        int n = 0;
        while (System.nanoTime() < holdUntil) {
            int via = fault.majority().get(n++ % fault.majority().size());
            RegisterClient.Outcome o = probe.send(via, "PUT", "/v2/keys/" + prefix + "/probe", "value=" + n);
            if (o instanceof RegisterClient.Outcome.Answered a && a.answer().isSuccess()) {
                long millis = (System.nanoTime() - cutAt) / 1_000_000;
                failoverMillis.add(millis);
                log("majority " + fault.majority() + " took a write " + millis + " ms into the fault");
                return;
            }
            pause(Duration.ofMillis(20));
        }
        anomalies.add("majority " + fault.majority() + " took no write during: " + fault.description());
    }

    /** Time from the heal until member answers a consistent read (through itself, redirects followed). */
    private void measureRejoin(int member, long healedAt) {
        RegisterClient probe = new RegisterClient(cluster, -1);
        long limit = healedAt + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < limit) {
            RegisterClient.Outcome o = probe.send(member, "GET", "/v2/keys/" + prefix + "?consistent=true", null);
            if (o instanceof RegisterClient.Outcome.Answered a && (a.answer().status() == 200 || a.answer().status() == 404)) {
                long millis = (System.nanoTime() - healedAt) / 1_000_000;
                rejoinMillis.add(millis);
                log("m" + member + " answers again " + millis + " ms after the heal");
                return;
            }
            pause(Duration.ofMillis(20));
        }
        anomalies.add("m" + member + " did not answer within 15 s of the heal");
    }

    /** After the heal: every member comes to show each key's value and every acknowledged add. */
    private void finalReads() {
        int leader = cluster.awaitLeader(cluster.all(), Duration.ofSeconds(20));
        log("final leader m" + leader);
        RegisterClient reader = new RegisterClient(cluster, 1000);
        for (int k = 0; k < settings.keys(); k++) {
            String key = key(k);
            RegisterOp last = EtcdCluster.poll(Duration.ofSeconds(10), "a consistent read of " + key,
                    () -> reader.read(leader, key));
            histories.get(key).add(last);
            for (int i : cluster.all()) {
                int member = i;
                try {
                    EtcdCluster.poll(Duration.ofSeconds(10), "m" + i + " to show " + key + "=" + last.value(), () -> {
                        HttpAnswer answer = localGet(member, key);
                        String value = answer.status() == 200 ? EtcdCluster.json(answer).path("node").path("value").asText()
                                : null;
                        return answer.status() == 200 || answer.status() == 404
                                ? (java.util.Objects.equals(value, last.value()) ? Boolean.TRUE : null) : null;
                    });
                } catch (AssertionError e) {
                    anomalies.add(e.getMessage());
                }
                RegisterOp read = EtcdCluster.poll(Duration.ofSeconds(10), "a consistent read of " + key + " via m" + i,
                        () -> reader.read(member, key));
                histories.get(key).add(read);
            }
        }
        for (int i : cluster.all()) {
            int member = i;
            try {
                EtcdCluster.poll(Duration.ofSeconds(10), "m" + i + " to show all " + acknowledgedAdds.size() + " acknowledged adds",
                        () -> {
                            Set<String> missing = ConcurrentHashMap.newKeySet();
                            missing.addAll(acknowledgedAdds);
                            missing.removeAll(addedOn(member));
                            return missing.isEmpty() ? Boolean.TRUE : null;
                        });
            } catch (AssertionError e) {
                Set<String> missing = ConcurrentHashMap.newKeySet();
                missing.addAll(acknowledgedAdds);
                missing.removeAll(addedOn(member));
                anomalies.add("m" + i + " lacks acknowledged adds " + missing);
            }
        }
    }

    private Set<String> addedOn(int member) {
        HttpAnswer answer = localGet(member, prefix + "/added?recursive=true");
        Set<String> keys = ConcurrentHashMap.newKeySet();
        if (answer.status() == 200) {
            for (JsonNode child : EtcdCluster.json(answer).path("node").path("nodes")) {
                keys.add(child.path("key").asText());
            }
        }
        return keys;
    }

    private HttpAnswer localGet(int member, String target) {
        try (HttpConnection c = HttpConnection.open(cluster.address(member), NetCluster.CLIENT_PORT, Duration.ofSeconds(5))) {
            return c.get("/v2/keys/" + target);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private String key(int k) {
        return prefix + "/k" + k;
    }

    private String at() {
        return String.format("t=%.1fs", (System.nanoTime() - startNanos) / 1e9);
    }

    private void log(String line) {
        System.out.println(at() + " " + line);
    }

    /** The nemesis's schedule: waits out a fixed time (no condition is awaited). */
    private static void pause(Duration d) {
        LockSupport.parkNanos(d.toNanos());
    }

    private static void pauseUntil(long nanoTime) {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0) {
            LockSupport.parkNanos(left);
        }
    }
}
