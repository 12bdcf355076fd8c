package io.etcdj.it;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * Machines {@code m0..m{n-1}} of one cluster, each an {@link EtcdProcess} on its own free loopback
 * ports and temporary data directory. The first starts a new cluster; each next one joins through
 * the peer port of the machine before it, and is started only when that one answers. System
 * property {@code etcdj.it.clusterJvmArgs} replaces the JVM options given to every machine.
 *
 * <p>Machines are addressed by their position. Killing and restarting keep the position, the
 * ports and the directory. Client helpers follow 307 redirects the way a client library would,
 * sending the body again. Closing kills every process this cluster started and deletes their
 * directories; {@link #showLogsOnFailure} prints every machine's log when a test body fails.
 *
 * <p>A cluster started with {@link EtcdProcess.Tls} contexts reaches its machines over HTTPS on
 * the ports that speak TLS, including where a redirect points.
 */
final class EtcdCluster implements AutoCloseable {
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration POLL_PAUSE = Duration.ofMillis(20);
    private static final int MAX_REDIRECTS = 3;
    private static final int LOG_CHARS = 30_000;
    /**
     * JVM options for every machine: C1 only and the serial collector start a server in about half
     * the time on a small machine, which is most of what a cluster test waits for.
     */
    private static final String JVM_ARGS = System.getProperty("etcdj.it.clusterJvmArgs",
            "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC");

    private final List<EtcdProcess> machines = Collections.synchronizedList(new ArrayList<>());
    private final List<String> extraFlags;
    private final EtcdProcess.Tls tls;

    private EtcdCluster(List<String> extraFlags, EtcdProcess.Tls tls) {
        this.extraFlags = List.copyOf(extraFlags);
        this.tls = tls;
    }

    /** Starts {@code size} machines one after another, each joining the cluster of the first. */
    static EtcdCluster start(int size) {
        return start(size, List.of());
    }

    /** As {@link #start(int)}, every machine started with these flags too. */
    static EtcdCluster start(int size, List<String> extraFlags) {
        return start(size, extraFlags, EtcdProcess.Tls.NONE);
    }

    /**
     * As {@link #start(int, List)}, machine {@code i} keeping its data in {@code dataDirs.apply(i)} when
     * that is not null (directories the caller owns and cleans up).
     */
    static EtcdCluster start(int size, List<String> extraFlags, java.util.function.IntFunction<Path> dataDirs) {
        EtcdCluster cluster = new EtcdCluster(extraFlags, EtcdProcess.Tls.NONE);
        try {
            for (int i = 0; i < size; i++) {
                cluster.join(i == 0 ? -1 : i - 1, dataDirs.apply(i));
            }
            return cluster;
        } catch (RuntimeException | Error e) {
            cluster.printLogs();
            cluster.close();
            throw e;
        }
    }

    /** As {@link #start(int, List)}, for flags that turn TLS on where {@code tls} says. */
    static EtcdCluster start(int size, List<String> extraFlags, EtcdProcess.Tls tls) {
        EtcdCluster cluster = new EtcdCluster(extraFlags, tls);
        try {
            for (int i = 0; i < size; i++) {
                cluster.join(i == 0 ? -1 : i - 1);
            }
            return cluster;
        } catch (RuntimeException | Error e) {
            cluster.printLogs();
            cluster.close();
            throw e;
        }
    }

    /**
     * Starts one more machine, {@code m<size>}, that joins through the peer port of machine
     * {@code via} (or starts a new cluster when {@code via} is negative). Returns its position.
     */
    int join(int via) {
        return join(via, null);
    }

    /**
     * As {@link #join(int)}, the new machine keeping its data in {@code dataDir} (one the caller
     * owns and cleans up), or in a directory of its own when null.
     */
    int join(int via, Path dataDir) {
        int position = machines.size();
        List<String> flags = new ArrayList<>(List.of("-max-retry-attempts", "10"));
        flags.addAll(extraFlags);
        if (via >= 0) {
            flags.addAll(List.of("-peers", EtcdProcess.HOST + ":" + machine(via).peerPort()));
        }
        List<String> jvmArgs = JVM_ARGS.isBlank() ? List.of() : List.of(JVM_ARGS.trim().split("\\s+"));
        machines.add(dataDir == null ? EtcdProcess.startMember("m" + position, jvmArgs, flags, tls)
                : EtcdProcess.startMember("m" + position, jvmArgs, flags, dataDir));
        return position;
    }

    int size() {
        return machines.size();
    }

    EtcdProcess machine(int i) {
        return machines.get(i);
    }

    String name(int i) {
        return machine(i).name();
    }

    /** Positions of the machines whose process runs. */
    List<Integer> live() {
        List<Integer> live = new ArrayList<>();
        for (int i = 0; i < size(); i++) {
            if (machine(i).isAlive()) {
                live.add(i);
            }
        }
        return live;
    }

    /** The position of the machine with this peer URL, or -1. */
    int byPeerUrl(String peerUrl) {
        for (int i = 0; i < size(); i++) {
            if (machine(i).peerUrl().equals(peerUrl.trim())) {
                return i;
            }
        }
        return -1;
    }

    /** The leader, once every live machine names the same one, itself live; polls for up to 20 s. */
    int leader() {
        return leader(Duration.ofSeconds(20));
    }

    int leader(Duration within) {
        return poll(within, "live machines to agree on a live leader", () -> {
            List<Integer> live = live();
            Integer agreed = null;
            for (int i : live) {
                HttpAnswer answer = request(i, "GET", "/v2/leader", null);
                if (answer.status() != 200) {
                    return null;
                }
                int leader = byPeerUrl(answer.text());
                if (leader < 0 || !live.contains(leader) || (agreed != null && agreed != leader)) {
                    return null;
                }
                agreed = leader;
            }
            return agreed;
        });
    }

    /** A live machine other than the leader. */
    int follower() {
        int leader = leader();
        return live().stream().filter(i -> i != leader).findFirst()
                .orElseThrow(() -> new IllegalStateException("no live follower"));
    }

    /**
     * A live follower started with {@code -peers}: any machine but the first, which started the
     * cluster alone and so, without its data, would start a new cluster instead of joining again.
     */
    int joinedFollower() {
        int leader = leader();
        return live().stream().filter(i -> i != leader && i != 0).findFirst()
                .orElseThrow(() -> new IllegalStateException("no live follower started with -peers"));
    }

    /** SIGKILL, waiting until the process is gone. */
    void kill(int i) {
        machine(i).kill();
    }

    /** Starts a stopped or killed machine again on its directory and ports and waits until it answers. */
    void restart(int i) {
        machine(i).restart();
    }

    /** SIGKILL to every machine, as close together as the process API allows. */
    void killAll() {
        List<Thread> killers = new ArrayList<>();
        for (int i = 0; i < size(); i++) {
            EtcdProcess m = machine(i);
            Thread t = new Thread(m::kill, "kill-" + m.name());
            killers.add(t);
            t.start();
        }
        for (Thread t : killers) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while killing", e);
            }
        }
    }

    /** Restarts the given machines in parallel (none may wait for another to have a quorum). */
    void restartAll(List<Integer> which) {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, which.size()));
        try {
            List<Future<?>> started = new ArrayList<>();
            for (int i : which) {
                started.add(pool.submit(() -> restart(i)));
            }
            for (Future<?> f : started) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while restarting", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    void restartAll() {
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < size(); i++) {
            all.add(i);
        }
        restartAll(all);
    }

    /**
     * {@code DELETE /remove/<name of i>} on the peer port of machine {@code via}, following a
     * redirect to the leader's peer URL. Returns the final answer.
     */
    HttpAnswer remove(int i, int via) {
        return send(URI.create(machine(via).peerUrl()), "DELETE", "/remove/" + name(i), null);
    }

    /** One request to machine {@code i}'s peer port, no redirect followed. */
    HttpAnswer peerRequest(int i, String method, String target) {
        return exchange(URI.create(machine(i).peerUrl()), method, target, null);
    }

    // ---- client helpers ----

    /** One request to machine {@code i}'s client port, no redirect followed; {@code form} may be null. */
    HttpAnswer request(int i, String method, String target, String form) {
        return exchange(URI.create(machine(i).clientUrl()), method, target, form);
    }

    /** A request to machine {@code via}'s client port that follows redirects, resending the form. */
    HttpAnswer send(int via, String method, String target, String form) {
        return send(URI.create(machine(via).clientUrl()), method, target, form);
    }

    /** As {@link #send(int, String, String, String)}, with its own bound on each exchange (for requests that wait). */
    HttpAnswer send(int via, String method, String target, String form, Duration timeout) {
        return send(URI.create(machine(via).clientUrl()), method, target, form, timeout);
    }

    /** PUT value through machine {@code via}, following the redirect to the leader. */
    HttpAnswer put(int via, String key, String value) {
        return send(via, "PUT", "/v2/keys/" + key, "value=" + encode(value));
    }

    /** PUT value through machine {@code via} with its own bound on each exchange, following redirects. */
    HttpAnswer put(int via, String key, String value, Duration timeout) {
        return send(URI.create(machine(via).clientUrl()), "PUT", "/v2/keys/" + key, "value=" + encode(value), timeout);
    }

    /**
     * Sets a key through the leader and returns the answer's node. A leader change under way (an
     * I/O error or a 5xx answer) is waited out for up to 20 s; any other answer fails at once.
     */
    JsonNode set(String key, String value) {
        HttpAnswer answer = poll(Duration.ofSeconds(20), "PUT " + key + " to succeed", () -> {
            HttpAnswer a = put(leader(), key, value);
            return a.status() >= 500 ? null : a;
        });
        if (!answer.isSuccess()) {
            throw new AssertionError("PUT " + key + "=" + value + " answered " + answer);
        }
        return json(answer).path("node");
    }

    /** GET served by machine {@code i} itself. */
    HttpAnswer get(int i, String key) {
        return request(i, "GET", "/v2/keys/" + key, null);
    }

    /** GET with {@code consistent=true} through machine {@code via}, following the redirect to the leader. */
    HttpAnswer consistentGet(int via, String key) {
        return send(via, "GET", "/v2/keys/" + key + "?consistent=true", null);
    }

    /** Polls machine {@code i}'s local view until {@code key} has {@code value}; returns its node. */
    JsonNode awaitValue(int i, String key, String value, Duration within) {
        return poll(within, name(i) + " to show " + key + "=" + value, () -> {
            HttpAnswer answer = get(i, key);
            if (answer.status() != 200) {
                return null;
            }
            JsonNode node = json(answer).path("node");
            return node.path("value").asText().equals(value) ? node : null;
        });
    }

    /** Client URLs machine {@code i} lists in {@code /v2/machines}, in its order. */
    List<String> machinesListedBy(int i) {
        HttpAnswer answer = request(i, "GET", "/v2/machines", null);
        if (answer.status() != 200) {
            throw new AssertionError(name(i) + ": GET /v2/machines answered " + answer);
        }
        return List.of(answer.text().trim().split(",\\s*"));
    }

    /** Runs {@code body}; on failure prints every machine's log before passing the failure on. */
    void showLogsOnFailure(EtcdProcess.Body body) throws Exception {
        try {
            body.run();
        } catch (Exception | Error e) {
            printLogs();
            throw e;
        }
    }

    @Override
    public void close() {
        List<EtcdProcess> all;
        synchronized (machines) {
            all = new ArrayList<>(machines);
        }
        for (EtcdProcess m : all) {
            m.close();
        }
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < size(); i++) {
            parts.add(machine(i) + (machine(i).isAlive() ? "" : " (down)"));
        }
        return String.join(", ", parts);
    }

    // ---- plumbing ----

    static JsonNode json(HttpAnswer answer) {
        try {
            return Observation.JSON.readTree(answer.text());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + answer, e);
        }
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /**
     * Evaluates {@code probe} every few milliseconds until it gives a non-null value (exceptions
     * count as not yet), failing after {@code within}.
     */
    static <T> T poll(Duration within, String what, Supplier<T> probe) {
        long deadline = System.nanoTime() + within.toNanos();
        String last = "no attempt";
        while (true) {
            try {
                T value = probe.get();
                if (value != null) {
                    return value;
                }
                last = "not yet";
            } catch (RuntimeException | AssertionError e) {
                last = e.toString();
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + within + " waiting for " + what + " (last: " + last + ")");
            }
            LockSupport.parkNanos(POLL_PAUSE.toNanos());
        }
    }

    private HttpAnswer send(URI start, String method, String target, String form) {
        return send(start, method, target, form, REQUEST_TIMEOUT);
    }

    private HttpAnswer send(URI start, String method, String target, String form, Duration timeout) {
        URI at = start;
        String path = target;
        for (int hop = 0; ; hop++) {
            HttpAnswer answer = exchange(at, method, path, form, timeout);
            if (answer.status() != 307 || hop == MAX_REDIRECTS) {
                return answer;
            }
            String location = answer.header("Location")
                    .orElseThrow(() -> new AssertionError(method + " " + target + ": 307 without Location"));
            URI next = at.resolve(location);
            at = URI.create(next.getScheme() + "://" + next.getRawAuthority());
            path = next.getRawPath() + (next.getRawQuery() == null ? "" : "?" + next.getRawQuery());
        }
    }

    private HttpAnswer exchange(URI base, String method, String target, String form) {
        return exchange(base, method, target, form, REQUEST_TIMEOUT);
    }

    /** One exchange on a fresh connection; I/O failures become UncheckedIOException. */
    private HttpAnswer exchange(URI base, String method, String target, String form, Duration timeout) {
        try (HttpConnection c = HttpConnection.open(base.getHost(), base.getPort(), timeout, tlsFor(base))) {
            if (form == null) {
                return c.exchange(method, target, List.of(), null);
            }
            return c.sendForm(method, target, form);
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + base + target + ": " + e, e);
        }
    }

    /** Null for http; for https the context of the peer or client port the URI names. */
    private SSLContext tlsFor(URI base) {
        if (!"https".equals(base.getScheme())) {
            return null;
        }
        List<EtcdProcess> all;
        synchronized (machines) {
            all = new ArrayList<>(machines);
        }
        boolean peerPort = all.stream().anyMatch(m -> m.peerPort() == base.getPort());
        SSLContext context = peerPort ? tls.peer() : tls.client();
        if (context == null) {
            throw new IllegalStateException("no TLS context for " + base + " (" + tls + ")");
        }
        return context;
    }

    private void printLogs() {
        List<EtcdProcess> all;
        synchronized (machines) {
            all = new ArrayList<>(machines);
        }
        StringBuilder out = new StringBuilder();
        for (EtcdProcess m : all) {
            out.append("----- ").append(m).append(m.isAlive() ? "" : " (down)").append(" log -----\n")
                    .append(m.logTail(LOG_CHARS)).append('\n');
        }
        System.err.print(out);
    }

    /** Key to node of every leaf under {@code dir} in machine {@code i}'s local view. */
    Map<String, JsonNode> leaves(int i, String dir) {
        HttpAnswer answer = request(i, "GET", "/v2/keys/" + dir + "?recursive=true", null);
        Map<String, JsonNode> leaves = new TreeMap<>();
        if (answer.status() == 404) {
            return leaves;
        }
        if (answer.status() != 200) {
            throw new AssertionError(name(i) + ": GET " + dir + " answered " + answer);
        }
        collect(json(answer).path("node"), leaves);
        return leaves;
    }

    private static void collect(JsonNode node, Map<String, JsonNode> into) {
        if (node.path("dir").asBoolean()) {
            for (JsonNode child : node.path("nodes")) {
                collect(child, into);
            }
        } else {
            into.put(node.path("key").asText(), node);
        }
    }
}
