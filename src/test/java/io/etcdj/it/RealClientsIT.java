package io.etcdj.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The v2 clients users pick today, run as processes against a real node: etcd 3.4's {@code etcdctl}
 * in v2 mode (with and without {@code --no-sync}) and python-etcd. Each check is one client call
 * with the outcome its users rely on; the test reports how many pass and fails on any that does
 * not. {@code scripts/test} installs both clients (Debian's etcd-client and python3-etcd).
 */
class RealClientsIT {
    private static final String ETCDCTL = "/usr/bin/etcdctl";
    private static final String PYTHON = "/usr/bin/python3";

    private static EtcdProcess node;

    private record Run(int exit, String out) {
    }

    @BeforeAll
    static void start() {
        node = EtcdProcess.start("clients");
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    private static void requireTool(boolean present, String what) {
        if (!present && "true".equals(System.getenv("CI"))) {
            throw new AssertionError(what + " is needed (scripts/test installs it)");
        }
        assumeTrue(present, "no " + what + ": skipped");
    }

    @Test
    void etcdctlInV2Mode() throws Exception {
        requireTool(Files.isExecutable(Path.of(ETCDCTL)), ETCDCTL + " (apt-get install etcd-client)");
        List<String> failed = new ArrayList<>();
        int passed = 0;
        for (boolean noSync : new boolean[] {false, true}) {
            String d = noSync ? "/nosync" : "/sync";
            Checks c = new Checks(noSync ? "etcdctl --no-sync" : "etcdctl", failed);
            c.expect("set", ctl(noSync, "set", d + "/k", "v1"), 0, "v1");
            c.expect("get", ctl(noSync, "get", d + "/k"), 0, "v1");
            c.expect("mk", ctl(noSync, "mk", d + "/new", "n"), 0, "n");
            c.expect("mk existing", ctl(noSync, "mk", d + "/new", "n"), 4, "105: Key already exists");
            c.expect("mkdir", ctl(noSync, "mkdir", d + "/dir"), 0, "");
            ctl(noSync, "set", d + "/dir/child", "c");
            c.expect("ls --recursive", ctl(noSync, "ls", "--recursive", d), 0, d + "/dir/child");
            c.expect("update", ctl(noSync, "update", d + "/k", "v2"), 0, "v2");
            c.expect("rm --with-value wrong", ctl(noSync, "rm", "--with-value", "nope", d + "/k"), 4,
                    "101: Compare failed");
            c.expect("key kept", ctl(noSync, "get", d + "/k"), 0, "v2");
            c.expect("rm --with-value", ctl(noSync, "rm", "--with-value", "v2", d + "/k"), 0, "");
            c.expect("rm", ctl(noSync, "rm", d + "/new"), 0, "PrevNode.Value: n");
            ctl(noSync, "rm", d + "/dir/child");
            c.expect("rmdir", ctl(noSync, "rmdir", d + "/dir"), 0, "");
            c.expect("watch", watch(noSync, d + "/w"), 0, "changed");
            c.expect("member list", ctl(noSync, "member", "list"), 0, "name=clients");
            c.expect("cluster-health", ctl(noSync, "cluster-health"), 0, "cluster is healthy");
            passed += c.passed;
        }
        System.out.println("RealClientsIT: etcdctl 3.4 (v2 mode) passed " + passed + " of " + (passed + failed.size()));
        assertTrue(failed.isEmpty(), "etcdctl checks failed: " + failed);
    }

    @Test
    void pythonEtcd() throws Exception {
        requireTool(Files.isExecutable(Path.of(PYTHON)) && run(List.of(PYTHON, "-c", "import etcd"), 20).exit == 0,
                "python-etcd (apt-get install python3-etcd)");
        Path script = Files.createTempFile("python-etcd-checks", ".py");
        try (InputStream in = RealClientsIT.class.getResourceAsStream("/real-clients/python_etcd_checks.py")) {
            Files.write(script, in.readAllBytes());
        }
        try {
            Run run = run(List.of(PYTHON, script.toString(), "127.0.0.1", Integer.toString(node.clientPort())), 120);
            List<String> lines = run.out.lines().filter(l -> l.startsWith("ok ") || l.startsWith("FAIL ")).toList();
            long passed = lines.stream().filter(l -> l.startsWith("ok ")).count();
            System.out.println("RealClientsIT: python-etcd passed " + passed + " of " + lines.size());
            assertEquals(8, lines.size(), "every python-etcd check reports:\n" + run.out);
            assertEquals(8, passed, run.out);
        } finally {
            Files.deleteIfExists(script);
        }
    }

    /** The outcome of named checks of one client, kept for the report. */
    private static final class Checks {
        private final String client;
        private final List<String> failed;
        int passed;

        Checks(String client, List<String> failed) {
            this.client = client;
            this.failed = failed;
        }

        void expect(String name, Run run, int exit, String output) {
            if (run.exit == exit && run.out.contains(output)) {
                passed++;
            } else {
                failed.add(client + " " + name + ": exit " + run.exit + ", output " + run.out.strip());
            }
        }
    }

    private Run ctl(boolean noSync, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(ETCDCTL, "--endpoints", node.clientUrl()));
        if (noSync) {
            command.add("--no-sync");
        }
        command.addAll(List.of(args));
        return run(command, 30);
    }

    /** {@code etcdctl watch} in the background; the key is written until the watch has answered. */
    private Run watch(boolean noSync, String key) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(ETCDCTL, "--endpoints", node.clientUrl()));
        if (noSync) {
            command.add("--no-sync");
        }
        command.addAll(List.of("watch", key));
        Process watcher = start(command);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!watcher.waitFor(100, TimeUnit.MILLISECONDS) && System.nanoTime() < deadline) {
            ctl(noSync, "set", key, "changed");
        }
        if (watcher.isAlive()) {
            watcher.destroyForcibly().waitFor();
        }
        return new Run(watcher.exitValue(), new String(watcher.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private static Process start(List<String> command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("ETCDCTL_API", "2");
        return pb.start();
    }

    private static Run run(List<String> command, int seconds) throws IOException, InterruptedException {
        Process p = start(command);
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            return new Run(-1, "timed out: " + String.join(" ", command));
        }
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
