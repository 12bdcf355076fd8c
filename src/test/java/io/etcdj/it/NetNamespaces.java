package io.etcdj.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small private network for multi-process tests: one network namespace per machine, each joined
 * by a veth pair to one bridge in the root namespace, all on a /28 of the benchmarking range
 * {@code 198.18.0.0/24}. The bridge holds the block's first address, so clients in the root
 * namespace reach every machine; the machines get the next ones. Partitions are iptables DROP
 * rules inside the machines' namespaces, so nothing outside them is touched.
 *
 * <p>Parallel runs: the /24 is cut into 16 slots of 16 addresses. A run claims a slot by holding
 * an OS file lock on {@code <tmp>/etcdj-netns/slot-N.lock} (released by the kernel when the JVM
 * dies, however it dies) and names everything it makes with the slot and a random tag. What it
 * makes is written to {@code slot-N.state} before it is made. A run that finds a state file in
 * a slot it has just locked knows its author is dead and removes what the file lists (and the
 * processes still inside those namespaces): those, and only those, are provably leftovers.
 *
 * <p>Closing (and a JVM shutdown hook, for exits that skip it) kills whatever still runs inside
 * the namespaces, deletes the namespaces and the links, and releases the slot.
 */
final class NetNamespaces implements AutoCloseable {
    static final String RANGE_PREFIX = "198.18.0.";
    private static final int SLOTS = 16;
    private static final int SLOT_SIZE = 16;
    /** Addresses of a slot: network, bridge, machines..., broadcast. */
    static final int MAX_MACHINES = SLOT_SIZE - 3;

    private final int slot;
    private final String tag;
    private final int machines;
    private final FileChannel lockFile;
    private final FileLock lock;
    private final Path stateFile;
    private final List<String> created = new ArrayList<>();
    private final Thread hook;
    private boolean closed;

    private NetNamespaces(int slot, String tag, int machines, FileChannel lockFile, FileLock lock, Path stateFile) {
        this.slot = slot;
        this.tag = tag;
        this.machines = machines;
        this.lockFile = lockFile;
        this.lock = lock;
        this.stateFile = stateFile;
        this.hook = new Thread(this::tearDown, "netns-cleanup-" + slot);
    }

    /**
     * Claims a free slot, removes provable leftovers in it, and makes the bridge and {@code machines}
     * namespaces. Fails loudly (never skips) when any of it cannot be done.
     */
    static NetNamespaces create(int machines) {
        if (machines < 1 || machines > MAX_MACHINES) {
            throw new IllegalArgumentException("1 to " + MAX_MACHINES + " machines, not " + machines);
        }
        ensureIptables();
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "etcdj-netns");
        try {
            Files.createDirectories(dir);
            for (int slot = 0; slot < SLOTS; slot++) {
                FileChannel channel = FileChannel.open(dir.resolve("slot-" + slot + ".lock"),
                        StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = channel.tryLock();
                if (lock == null) {
                    channel.close();
                    continue;
                }
                Path state = dir.resolve("slot-" + slot + ".state");
                removeLeftovers(state);
                byte[] random = new byte[2];
                new SecureRandom().nextBytes(random);
                String tag = HexFormat.of().formatHex(random);
                NetNamespaces net = new NetNamespaces(slot, tag, machines, channel, lock, state);
                Runtime.getRuntime().addShutdownHook(net.hook);
                try {
                    net.build();
                    return net;
                } catch (RuntimeException | Error e) {
                    net.close();
                    throw e;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot claim an address slot under " + dir, e);
        }
        throw new IllegalStateException("all " + SLOTS + " address slots of " + RANGE_PREFIX + "0/24 are in use");
    }

    int size() {
        return machines;
    }

    /** The address of machine {@code i}. */
    String address(int i) {
        return RANGE_PREFIX + (slot * SLOT_SIZE + 2 + i);
    }

    /** The root namespace's address on the bridge: where clients' connections come from. */
    String bridgeAddress() {
        return RANGE_PREFIX + (slot * SLOT_SIZE + 1);
    }

    String namespace(int i) {
        return "ej" + slot + "-" + tag + "-m" + i;
    }

    /** What a command is run behind to run inside machine {@code i}'s namespace. */
    List<String> execPrefix(int i) {
        return List.of("ip", "netns", "exec", namespace(i));
    }

    /** Machine {@code at} stops receiving packets from machine {@code from} (one way only). */
    void dropFrom(int at, int from) {
        run("ip", "netns", "exec", namespace(at), "iptables", "-w", "-A", "INPUT", "-s", address(from), "-j", "DROP");
    }

    /** Both machines stop receiving from each other. */
    void cut(int a, int b) {
        dropFrom(a, b);
        dropFrom(b, a);
    }

    /** Removes every rule this harness added: the network is whole again. */
    void heal() {
        for (int i = 0; i < machines; i++) {
            run("ip", "netns", "exec", namespace(i), "iptables", "-w", "-F", "INPUT");
        }
    }

    @Override
    public synchronized void close() {
        tearDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or about to: it finds everything gone
        }
    }

    @Override
    public String toString() {
        return "slot " + slot + " (" + RANGE_PREFIX + slot * SLOT_SIZE + "/28, tag " + tag + ")";
    }

    private String bridge() {
        return "ejb" + slot + tag;
    }

    private String rootVeth(int i) {
        return "ejv" + slot + tag + "m" + i;
    }

    private String nsVeth(int i) {
        return "ejp" + slot + tag + "m" + i;
    }

    private void build() {
        String prefix = "/" + 28;
        record("link " + bridge());
        run("ip", "link", "add", bridge(), "type", "bridge");
        run("ip", "addr", "add", bridgeAddress() + prefix, "dev", bridge());
        run("ip", "link", "set", bridge(), "up");
        for (int i = 0; i < machines; i++) {
            String ns = namespace(i);
            record("netns " + ns);
            run("ip", "netns", "add", ns);
            record("link " + rootVeth(i));
            run("ip", "link", "add", rootVeth(i), "type", "veth", "peer", "name", nsVeth(i));
            run("ip", "link", "set", nsVeth(i), "netns", ns);
            run("ip", "link", "set", rootVeth(i), "master", bridge());
            run("ip", "link", "set", rootVeth(i), "up");
            run("ip", "-n", ns, "link", "set", nsVeth(i), "name", "eth0");
            run("ip", "-n", ns, "addr", "add", address(i) + prefix, "dev", "eth0");
            run("ip", "-n", ns, "link", "set", "eth0", "up");
            run("ip", "-n", ns, "link", "set", "lo", "up");
        }
    }

    /** Writes a name to the state file before the thing is made, so a crash between leaves a trace. */
    private void record(String line) {
        created.add(line);
        try {
            Files.writeString(stateFile, String.join("\n", created) + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private synchronized void tearDown() {
        if (closed) {
            return;
        }
        closed = true;
        removeAll(created);
        try {
            Files.deleteIfExists(stateFile);
            lock.release();
            lockFile.close();
        } catch (IOException e) {
            System.err.println("netns slot " + slot + ": " + e);
        }
    }

    /** Leftovers of a run that died holding this slot: its state file names them. */
    private static void removeLeftovers(Path state) throws IOException {
        if (!Files.exists(state)) {
            return;
        }
        List<String> names = Files.readAllLines(state, StandardCharsets.UTF_8);
        System.err.println("removing leftovers of a dead run: " + names);
        removeAll(names);
        Files.delete(state);
    }

    /** Kills what runs in the listed namespaces, then deletes them and the listed links (a veth's peer goes with it). */
    private static void removeAll(List<String> names) {
        for (String line : names) {
            if (line.startsWith("netns ")) {
                killInside(line.substring(6));
            }
        }
        List<String> newestFirst = new ArrayList<>(names);
        java.util.Collections.reverse(newestFirst);
        for (String line : newestFirst) {
            String[] kindAndName = line.split(" ", 2);
            if (kindAndName.length != 2) {
                continue;
            }
            if (kindAndName[0].equals("netns")) {
                quietly("ip", "netns", "del", kindAndName[1]);
            } else if (kindAndName[0].equals("link")) {
                quietly("ip", "link", "del", kindAndName[1]);
            }
        }
    }

    private static void killInside(String namespace) {
        Result pids = exec(List.of("ip", "netns", "pids", namespace));
        if (pids.status() != 0) {
            return;
        }
        for (String pid : pids.output().trim().split("\\s+")) {
            if (!pid.isBlank()) {
                ProcessHandle.of(Long.parseLong(pid)).ifPresent(p -> {
                    p.destroyForcibly();
                    p.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> p).join();
                });
            }
        }
    }

    /** Installs iptables with apt-get when it is missing; fails loudly when that does not work. */
    static synchronized void ensureIptables() {
        if (exec(List.of("iptables", "--version")).status() == 0) {
            return;
        }
        System.err.println("iptables is missing: installing it with apt-get");
        Result install = exec(List.of("apt-get", "install", "-y", "iptables"));
        if (install.status() != 0) {
            exec(List.of("apt-get", "update"));
            install = exec(List.of("apt-get", "install", "-y", "iptables"));
        }
        Result check = exec(List.of("iptables", "--version"));
        if (check.status() != 0) {
            throw new IllegalStateException("iptables is needed for partitions and could not be installed: "
                    + install.output());
        }
    }

    private static void run(String... command) {
        Result result = exec(List.of(command));
        if (result.status() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed (" + result.status() + "): "
                    + result.output().trim() + " (network namespaces need root or CAP_NET_ADMIN)");
        }
    }

    private static void quietly(String... command) {
        exec(List.of(command));
    }

    private record Result(int status, String output) {}

    private static Result exec(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "timed out");
            }
            return new Result(p.exitValue(), output);
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }
}
