package io.etcdj.it;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;

/**
 * One server started as a child process for a multi-process test, on free 127.0.0.1 ports and
 * its own temporary data directory.
 *
 * <p>By default the command is {@code java -jar <etcdj.jar> -n NAME -d DIR -c 127.0.0.1:CPORT
 * -s 127.0.0.1:PPORT}, with the jar from the system property {@code etcdj.jar}. The system property
 * {@code etcdj.it.serverCommand} replaces it with a template using {@code {name} {dir} {cport}
 * {pport}} (as the conformance tool's {@code --server-cmd}); {@code etcdj.it.jvmArgs} adds JVM
 * options to the default command; {@code etcdj.it.readyPath} replaces the readiness request
 * ({@code ''} turns it off); {@code etcdj.it.startSeconds} bounds the start (default 30).
 *
 * <p>Start-up is complete when {@code GET /version} answers 200 and then the node's own
 * registration is visible: on a fresh start through a watch from index 1, after a restart by
 * reading the key (the event history of the first start may be gone by then). Output goes to a
 * log file beside the data directory; {@link #logTail} gives it for failure messages. Closing kills
 * the process (and anything it started) and deletes the temporary directory.
 *
 * <p>{@link #startMember} starts a cluster member instead: extra flags (such as {@code -peers}) follow
 * the usual ones, and readiness is always read from the registration key, since a machine that joins
 * a cluster with a long history may not have the event of its own registration.
 *
 * <p>A member started with a {@link Placement} runs elsewhere than on loopback: on a given address
 * and ports, its command behind a prefix (such as {@code ip netns exec NAME}, which execs, so the
 * process and its signals stay the server's own).
 *
 * <p>A member started with {@link Tls} contexts is reached over HTTPS on the port(s) it serves
 * with TLS: readiness checks, {@link #connect}, {@link #connectPeer} and the URLs this class gives.
 */
final class EtcdProcess implements AutoCloseable {
    static final String HOST = "127.0.0.1";

    private static final Set<EtcdProcess> LIVE = ConcurrentHashMap.newKeySet();
    private static final Duration POLL_PAUSE = Duration.ofMillis(50);

    static {
        // A test JVM that dies early must not leave servers behind.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(EtcdProcess::kill), "etcd-process-reaper"));
    }

    private final String name;
    private final Path root;
    private final Path dataDir;
    private final Path logFile;
    private final int clientPort;
    private final int peerPort;
    private final List<String> extraJvmArgs;
    private final List<String> extraArgs;
    private final boolean member;
    private final Tls tls;
    private final String host;
    private final List<String> commandPrefix;
    private Process process;
    private int starts;
    /** Flags for the next start only (e.g. {@code -f}), after the usual ones. */
    private List<String> nextStartArgs = List.of();

    private EtcdProcess(String name, Path root, int clientPort, int peerPort, List<String> extraJvmArgs,
                        List<String> extraArgs, boolean member, Tls tls, Placement placement, Path dataDir) {
        this.name = name;
        this.host = placement.host();
        this.commandPrefix = List.copyOf(placement.commandPrefix());
        this.root = root;
        this.dataDir = dataDir;
        this.logFile = root.resolve("server.log");
        this.clientPort = clientPort;
        this.peerPort = peerPort;
        this.extraJvmArgs = List.copyOf(extraJvmArgs);
        this.extraArgs = List.copyOf(extraArgs);
        this.member = member;
        this.tls = tls;
    }

    /**
     * How the test reaches a member that speaks TLS: the context for its client port and the one
     * for its peer port, each null where that port speaks plain HTTP.
     */
    record Tls(SSLContext client, SSLContext peer) {
        static final Tls NONE = new Tls(null, null);
    }

    /**
     * Where a member runs: the address it binds and advertises, its two ports, and what its command
     * runs behind (empty: nothing).
     */
    record Placement(String host, int clientPort, int peerPort, List<String> commandPrefix) {}

    /** Starts node {@code node0} and waits until it is ready. */
    static EtcdProcess start() {
        return start("node0");
    }

    static EtcdProcess start(String name) {
        return start(name, List.of(), List.of(), false, Tls.NONE);
    }

    /**
     * Starts cluster member {@code name} with {@code extraArgs} after the usual flags (and
     * {@code extraJvmArgs} before {@code -jar} in the default command) and waits until it answers
     * and its registration key is readable (for a joining machine: it has joined and caught up).
     */
    static EtcdProcess startMember(String name, List<String> extraJvmArgs, List<String> extraArgs) {
        return start(name, extraJvmArgs, extraArgs, true, Tls.NONE);
    }

    /** As {@link #startMember(String, List, List)}, for a member whose flags turn TLS on where {@code tls} says. */
    static EtcdProcess startMember(String name, List<String> extraJvmArgs, List<String> extraArgs, Tls tls) {
        return start(name, extraJvmArgs, extraArgs, true, tls);
    }

    /** As {@link #startMember(String, List, List)}, at the address, ports and command prefix {@code placement} gives. */
    static EtcdProcess startMember(String name, List<String> extraJvmArgs, List<String> extraArgs, Placement placement) {
        return start(name, extraJvmArgs, extraArgs, true, Tls.NONE, placement, null);
    }

    /**
     * As {@link #startMember(String, List, List)}, with its data in {@code dataDir}, a directory the
     * caller owns (a file system it mounted, say): {@link #close()} leaves it alone.
     */
    static EtcdProcess startMember(String name, List<String> extraJvmArgs, List<String> extraArgs, Path dataDir) {
        int[] ports = freePorts(2);
        return start(name, extraJvmArgs, extraArgs, true, Tls.NONE, new Placement(HOST, ports[0], ports[1], List.of()),
                dataDir);
    }

    private static EtcdProcess start(String name, List<String> extraJvmArgs, List<String> extraArgs, boolean member,
                                     Tls tls) {
        int[] ports = freePorts(2);
        return start(name, extraJvmArgs, extraArgs, member, tls, new Placement(HOST, ports[0], ports[1], List.of()), null);
    }

    private static EtcdProcess start(String name, List<String> extraJvmArgs, List<String> extraArgs, boolean member,
                                     Tls tls, Placement placement, Path ownDataDir) {
        Path root;
        try {
            root = Files.createTempDirectory("etcdj-it-");
            Files.createDirectories(ownDataDir == null ? root.resolve("data") : ownDataDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        EtcdProcess node = new EtcdProcess(name, root, placement.clientPort(), placement.peerPort(), extraJvmArgs,
                extraArgs, member, tls, placement, ownDataDir == null ? root.resolve("data") : ownDataDir);
        LIVE.add(node);
        try {
            node.launchAndAwaitReady();
            return node;
        } catch (RuntimeException | Error e) {
            node.close();
            throw e;
        }
    }

    String name() {
        return name;
    }

    int clientPort() {
        return clientPort;
    }

    int peerPort() {
        return peerPort;
    }

    Path dataDir() {
        return dataDir;
    }

    String clientUrl() {
        return (tls.client() == null ? "http://" : "https://") + host + ":" + clientPort;
    }

    String peerUrl() {
        return (tls.peer() == null ? "http://" : "https://") + host + ":" + peerPort;
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** A new connection to the client port. */
    HttpConnection connect(Duration timeout) throws IOException {
        return HttpConnection.open(host, clientPort, timeout, tls.client());
    }

    /** A new connection to the peer port. */
    HttpConnection connectPeer(Duration timeout) throws IOException {
        return HttpConnection.open(host, peerPort, timeout, tls.peer());
    }

    /** Waits up to {@code limit} for the process to exit by itself; its exit status, or empty if it still runs. */
    OptionalInt awaitExitStatus(Duration limit) {
        Process p = process;
        if (p == null || !awaitExit(p, limit)) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(p.exitValue());
    }

    /**
     * Sends a signal by name ({@code STOP}, {@code CONT}) to the process through {@code kill}, for
     * tests that freeze a server rather than end it. Unix only.
     */
    void signal(String signal) {
        Process p = process;
        if (p == null || !p.isAlive()) {
            throw new IllegalStateException(this + " is not running");
        }
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).inheritIO().start();
            if (!awaitExit(kill, Duration.ofSeconds(10)) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + p.pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGKILL: the process gets no chance to flush or clean up. Waits until it is gone. */
    void kill() {
        Process p = process;
        if (p == null) {
            return;
        }
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        awaitExit(p, Duration.ofSeconds(10));
    }

    /** SIGTERM, then SIGKILL if the process has not exited within ten seconds. */
    void stop() {
        Process p = process;
        if (p == null || !p.isAlive()) {
            return;
        }
        p.destroy();
        if (!awaitExit(p, Duration.ofSeconds(10))) {
            kill();
        }
    }

    /** Stops the process if it still runs, then starts it again on the same directory and ports. */
    void restart() {
        stop();
        appendToLog("\n----- restart -----\n");
        launchAndAwaitReady();
    }

    /** As {@link #restart()}, with {@code flags} added for this start only. */
    void restart(List<String> flags) {
        stop();
        appendToLog("\n----- restart with " + flags + " -----\n");
        nextStartArgs = List.copyOf(flags);
        launchAndAwaitReady();
    }

    /**
     * Starts the stopped process again on its directory and ports, expecting it to give up by
     * itself; returns its exit status within {@code limit} (empty if it still ran: it is then
     * killed) and what it printed during this start.
     */
    StartOutcome restartExpectingExit(Duration limit) {
        stop();
        appendToLog("\n----- restart expecting exit -----\n");
        long from;
        try {
            from = Files.size(logFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> command = command();
        try {
            process = new ProcessBuilder(command).directory(projectDir().toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start();
            process.getOutputStream().close();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + command + ": " + e.getMessage(), e);
        }
        starts++;
        OptionalInt exit = awaitExitStatus(limit);
        if (exit.isEmpty()) {
            kill();
        }
        try {
            byte[] all = Files.readAllBytes(logFile);
            return new StartOutcome(exit, new String(all, (int) from, all.length - (int) from, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The end of a start that was expected to fail: exit status (empty: still ran) and output. */
    record StartOutcome(OptionalInt exit, String output) {}

    /** Deletes everything in the data dir, as a lost disk would; the process must not run. */
    void wipeData() {
        if (isAlive()) {
            throw new IllegalStateException(this + " still runs");
        }
        deleteTree(dataDir);
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The last {@code maxChars} characters of the server's output, for failure messages. */
    String logTail(int maxChars) {
        try (RandomAccessFile file = new RandomAccessFile(logFile.toFile(), "r")) {
            long from = Math.max(0, file.length() - maxChars);
            byte[] bytes = new byte[(int) (file.length() - from)];
            file.seek(from);
            file.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no server log: " + e.getMessage() + ")";
        }
    }

    /** Runs {@code body}; if it fails, prints the server log to stderr before passing the failure on. */
    void showLogOnFailure(Body body) throws Exception {
        try {
            body.run();
        } catch (Exception | Error e) {
            System.err.println("----- " + name + " log (" + clientUrl() + ") -----\n" + logTail(20_000));
            throw e;
        }
    }

    @FunctionalInterface
    interface Body {
        void run() throws Exception;
    }

    @Override
    public void close() {
        kill();
        LIVE.remove(this);
        deleteTree(root);
    }

    @Override
    public String toString() {
        return name + "@" + clientUrl() + " (peer " + peerPort + ", dir " + dataDir + ")";
    }

    private void launchAndAwaitReady() {
        List<String> command = command();
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(projectDir().toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        try {
            process = builder.start();
            process.getOutputStream().close();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + command + ": " + e.getMessage(), e);
        }
        starts++;
        long deadline = System.nanoTime() + Duration.ofSeconds(Long.getLong("etcdj.it.startSeconds", 30)).toNanos();
        awaitStatus200("/version", deadline);
        String ready = System.getProperty("etcdj.it.readyPath", "/v2/keys/_etcd/machines/{name}?wait=true&waitIndex=1");
        if (ready.isEmpty()) {
            return;
        }
        if (starts == 1 && !member) {
            awaitReadyWatch(ready.replace("{name}", name), deadline);
        } else {
            awaitStatus200("/v2/keys/_etcd/machines/" + name, deadline);
        }
    }

    private List<String> command() {
        String template = System.getProperty("etcdj.it.serverCommand", "");
        List<String> command = new ArrayList<>(commandPrefix);
        if (template.isBlank()) {
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(extraJvmArgs);
            String jvmArgs = System.getProperty("etcdj.it.jvmArgs", "");
            if (!jvmArgs.isBlank()) {
                command.addAll(List.of(jvmArgs.trim().split("\\s+")));
            }
            command.addAll(List.of("-jar", jar().toString(),
                    "-n", "{name}", "-d", "{dir}", "-c", host + ":{cport}", "-s", host + ":{pport}"));
        } else {
            command.addAll(List.of(template.trim().split("\\s+")));
        }
        command.addAll(extraArgs);
        command.addAll(nextStartArgs);
        nextStartArgs = List.of();
        return command.stream().map(arg -> arg.replace("{name}", name).replace("{dir}", dataDir.toString())
                .replace("{cport}", String.valueOf(clientPort)).replace("{pport}", String.valueOf(peerPort))).toList();
    }

    /** The shaded jar under test: system property etcdj.jar, else target/etcdj.jar of the project. */
    static Path jar() {
        String property = System.getProperty("etcdj.jar");
        Path jar = property != null && !property.isBlank() ? Path.of(property) : projectDir().resolve("target/etcdj.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no server jar at " + jar + ": build it with `mvn package` "
                    + "(mvn verify does) or point -Detcdj.jar at it");
        }
        return jar;
    }

    /** The project root: Maven's basedir when set, else the working directory. */
    static Path projectDir() {
        return Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
    }

    private void awaitStatus200(String path, long deadline) {
        String last = "no answer yet";
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException(this + " exited with status " + process.exitValue()
                        + " while starting; log:\n" + logTail(4000));
            }
            try (HttpConnection c = connect(Duration.ofSeconds(1))) {
                HttpAnswer answer = c.get(path);
                if (answer.status() == 200) {
                    return;
                }
                last = answer.toString();
            } catch (IOException e) {
                last = e.toString();
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("GET " + path + " on " + this + " did not answer 200 in time (last: "
                        + last + "); log:\n" + logTail(4000));
            }
            LockSupport.parkNanos(POLL_PAUSE.toNanos());
        }
    }

    private void awaitReadyWatch(String path, long deadline) {
        long leftMillis = Math.max(1000, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
        try (HttpConnection c = connect(Duration.ofMillis(leftMillis))) {
            HttpAnswer answer = c.get(path);
            if (answer.status() != 200) {
                throw new IllegalStateException("readiness GET " + path + " on " + this + " answered " + answer
                        + "; log:\n" + logTail(4000));
            }
        } catch (IOException e) {
            throw new IllegalStateException("readiness GET " + path + " on " + this + " failed: " + e
                    + "; log:\n" + logTail(4000), e);
        }
    }

    private static boolean awaitExit(Process p, Duration limit) {
        try {
            return p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !p.isAlive();
        }
    }

    private void appendToLog(String text) {
        try {
            Files.writeString(logFile, text, StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Distinct free loopback ports: all are bound at once, so they differ, then released. */
    static int[] freePorts(int count) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST));
                sockets.add(socket);
                ports[i] = socket.getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (ServerSocket socket : sockets) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // the port is still usable; nothing to do
                }
            }
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            System.err.println("could not delete " + root + ": " + e);
        }
    }
}
