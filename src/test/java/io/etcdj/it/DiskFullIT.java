package io.etcdj.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A machine whose data dir is on a small tmpfs the test fills, then frees: while full it refuses
 * writes at once with error 300, keeps serving reads and watches, and never exits; a leader hands
 * over to a healthy member; once space is freed it takes writes again (or catches up) by itself,
 * and nothing acknowledged is lost. Needs to mount a file system (root, as in CI): without that
 * it fails, it does not skip.
 */
class DiskFullIT {
    private static final String FULL = "the disk of this machine is full (No space left on device)";
    /** How long a refusal may take: at once, not at the 3 s request deadline. */
    private static final Duration AT_ONCE = Duration.ofSeconds(1);

    @Test
    void aLoneMachineOnAFullDiskRefusesWritesServesReadsAndWatchesAndResumesOnceSpaceIsFreed() throws Exception {
        try (SmallDisk disk = SmallDisk.mount("32m");
             EtcdCluster cluster = EtcdCluster.start(1, List.of("-snapshot-count", "10"), i -> disk.dataDir())) {
            cluster.showLogsOnFailure(() -> {
                Map<String, String> acked = new LinkedHashMap<>();
                for (int i = 0; i < 20; i++) {
                    put(cluster, 0, acked, "before/" + i, "v" + i);
                }
                long firstIndex = EtcdCluster.json(cluster.get(0, "before/0")).path("node").path("modifiedIndex")
                        .asLong();
                CompletableFuture<HttpAnswer> watch = watch(cluster, 0, "watched");

                long filled = disk.fill();
                HttpAnswer refusal = writeUntilRefused(cluster, 0, acked);
                assertRefusedForAFullDisk(refusal);
                long started = System.nanoTime();
                HttpAnswer again = cluster.request(0, "PUT", "/v2/keys/refused", "value=no");
                Duration took = Duration.ofNanos(System.nanoTime() - started);
                assertRefusedForAFullDisk(again);
                assertTrue(took.compareTo(AT_ONCE) < 0, "a refusal took " + took);
                assertEquals(FULL + ": writes are refused until it has space again",
                        EtcdCluster.json(again).path("cause").asText());
                // reads are served, and so are watches, old events at once and new ones later
                for (Map.Entry<String, String> e : acked.entrySet()) {
                    assertEquals(e.getValue(), value(cluster.get(0, e.getKey())), e.getKey());
                }
                HttpAnswer past = cluster.request(0, "GET", "/v2/keys/before/0?wait=true&waitIndex=" + firstIndex, null);
                assertEquals(200, past.status(), past.toString());
                assertTrue(cluster.machine(0).isAlive());
                assertTrue(!watch.isDone());
                System.out.printf("full disk, one machine: filled %d bytes, %d writes acknowledged, refusal in %d ms%n",
                        filled, acked.size(), took.toMillis());

                disk.free();
                long freed = System.nanoTime();
                EtcdCluster.poll(Duration.ofSeconds(10), "writes to be taken again", () -> {
                    HttpAnswer a = cluster.request(0, "PUT", "/v2/keys/watched", "value=after");
                    return a.isSuccess() ? a : null;
                });
                Duration recovered = Duration.ofNanos(System.nanoTime() - freed);
                acked.put("watched", "after");
                HttpAnswer event = watch.get(10, TimeUnit.SECONDS);
                assertEquals("after", EtcdCluster.json(event).path("node").path("value").asText(), event.toString());
                put(cluster, 0, acked, "after/1", "x");
                System.out.printf("full disk, one machine: writes taken again %d ms after the space was freed%n",
                        recovered.toMillis());

                // a restart on a full disk: the machine comes up, serves reads and refuses writes
                disk.fill();
                writeUntilRefused(cluster, 0, acked);
                cluster.restart(0);
                assertRefusedForAFullDisk(writeUntilRefused(cluster, 0, acked));
                assertEquals("v0", value(cluster.get(0, "before/0")));
                disk.free();
                EtcdCluster.poll(Duration.ofSeconds(10), "writes to be taken again after a restart", () -> {
                    HttpAnswer a = cluster.request(0, "PUT", "/v2/keys/restarted", "value=yes");
                    return a.isSuccess() ? a : null;
                });
                acked.put("restarted", "yes");
                // failed snapshots left no temporary files to eat the space freed
                try (var files = Files.list(disk.dataDir().resolve("snapshot"))) {
                    List<Path> temporary = files.filter(p -> p.toString().endsWith(".tmp")).toList();
                    assertEquals(List.of(), temporary);
                }
                String log = cluster.machine(0).logTail(1 << 20);
                System.out.printf("full disk, one machine: %d failed snapshots logged, %d stalls%n",
                        log.split("cannot save the snapshot", -1).length - 1, log.split("disk stalled", -1).length - 1);

                cluster.restart(0);
                for (Map.Entry<String, String> e : acked.entrySet()) {
                    assertEquals(e.getValue(), value(cluster.get(0, e.getKey())), e.getKey() + " after a restart");
                }
            });
        }
    }

    @Test
    void aLeaderOnAFullDiskHandsOverAndCatchesUpOnceSpaceIsFreed() throws Exception {
        try (SmallDisk disk = SmallDisk.mount("32m");
             EtcdCluster cluster = EtcdCluster.start(3, List.of(), i -> i == 0 ? disk.dataDir() : null)) {
            cluster.showLogsOnFailure(() -> {
                assertEquals(0, cluster.leader(), "the first machine leads a new cluster");
                Map<String, String> acked = new LinkedHashMap<>();
                for (int i = 0; i < 10; i++) {
                    put(cluster, 0, acked, "before/" + i, "v" + i);
                }

                disk.fill();
                HttpAnswer refusal = writeUntilRefused(cluster, 0, acked);
                long refusedAt = System.nanoTime();
                assertRefusedForAFullDisk(refusal);
                int next = EtcdCluster.poll(Duration.ofSeconds(10), "a healthy machine to lead", () -> {
                    for (int i : List.of(1, 2)) {
                        HttpAnswer a = cluster.request(i, "GET", "/v2/leader", null);
                        int leader = a.status() == 200 ? cluster.byPeerUrl(a.text()) : -1;
                        if (leader == 1 || leader == 2) {
                            return leader;
                        }
                    }
                    return null;
                });
                Duration handOver = Duration.ofNanos(System.nanoTime() - refusedAt);
                assertTrue(handOver.compareTo(Duration.ofSeconds(2)) < 0, "the hand-over took " + handOver);
                // the cluster takes writes; the full machine refuses them itself and serves reads
                for (int i = 0; i < 10; i++) {
                    put(cluster, next, acked, "during/" + i, "d" + i);
                }
                assertRefusedForAFullDisk(cluster.request(0, "PUT", "/v2/keys/refused", "value=no"));
                assertEquals("v0", value(cluster.get(0, "before/0")));
                for (int i : List.of(1, 2)) {
                    assertEquals(cluster.machine(next).peerUrl(), cluster.request(i, "GET", "/v2/leader", null).text(),
                            cluster.name(i) + " names the new leader");
                }
                assertTrue(cluster.machine(0).isAlive());
                System.out.printf("full disk, leader of three: %s led %d ms after the first refusal%n",
                        cluster.name(next), handOver.toMillis());

                disk.free();
                long freed = System.nanoTime();
                cluster.awaitValue(0, "during/9", "d9", Duration.ofSeconds(20));
                Duration caughtUp = Duration.ofNanos(System.nanoTime() - freed);
                put(cluster, next, acked, "after/1", "x");
                for (int i = 0; i < 3; i++) {
                    for (Map.Entry<String, String> e : acked.entrySet()) {
                        cluster.awaitValue(i, e.getKey(), e.getValue(), Duration.ofSeconds(20));
                    }
                }
                assertTrue(cluster.machine(0).isAlive());
                System.out.printf("full disk, leader of three: caught up %d ms after the space was freed%n",
                        caughtUp.toMillis());
            });
        }
    }

    @Test
    void aFirstStartOnAFullDiskExitsWithOneLineAndLeavesNothingBehind() throws Exception {
        try (SmallDisk disk = SmallDisk.mount("8m")) {
            Files.createDirectories(disk.dataDir());
            disk.fill();
            // as a supervisor would: start it again and again
            for (int attempt = 0; attempt < 2; attempt++) {
                StartAttempt start = StartAttempt.run("m0", List.of("-data-dir", disk.dataDir().toString()),
                        Duration.ofSeconds(30));
                assertEquals(1, start.exit().orElse(-1), start.toString());
                List<String> lines = start.stderr().lines().toList();
                assertEquals(1, lines.size(), start.stderr());
                assertTrue(lines.get(0).startsWith("etcd: ") && lines.get(0).contains("No space left on device"),
                        lines.get(0));
                try (var files = Files.list(disk.dataDir())) {
                    assertEquals(List.of(), files.filter(Files::isRegularFile).toList(), "left behind");
                }
                System.out.printf("full disk, first start: exit %d after %d ms: %s%n", start.exit().getAsInt(),
                        start.millis(), lines.get(0));
            }
            disk.free();
            try (EtcdCluster cluster = EtcdCluster.start(1, List.of(), i -> disk.dataDir())) {
                Map<String, String> acked = new LinkedHashMap<>();
                put(cluster, 0, acked, "started", "at last");
            }
        }
    }

    private static void put(EtcdCluster cluster, int via, Map<String, String> acked, String key, String value) {
        HttpAnswer a = cluster.send(via, "PUT", "/v2/keys/" + key, "value=" + EtcdCluster.encode(value));
        if (!a.isSuccess()) {
            throw new AssertionError("PUT " + key + " answered " + a);
        }
        acked.put(key, value);
    }

    /**
     * Writes to machine {@code i} until one is refused: the last page of the log may still hold a
     * few records after the file system is full. Returns the refusal.
     */
    private static HttpAnswer writeUntilRefused(EtcdCluster cluster, int i, Map<String, String> acked) {
        String value = "x".repeat(512);
        for (int n = 0; n < 1000; n++) {
            HttpAnswer a = cluster.request(i, "PUT", "/v2/keys/full/" + n, "value=" + value);
            if (!a.isSuccess()) {
                return a;
            }
            acked.put("full/" + n, value);
        }
        throw new AssertionError("1000 writes of 512 bytes all succeeded on a full disk");
    }

    private static void assertRefusedForAFullDisk(HttpAnswer answer) {
        assertEquals(500, answer.status(), answer.toString());
        JsonNode error = EtcdCluster.json(answer);
        assertEquals(300, error.path("errorCode").asInt(), answer.toString());
        assertTrue(error.path("cause").asText().startsWith(FULL), answer.toString());
    }

    private static String value(HttpAnswer answer) {
        assertEquals(200, answer.status(), answer.toString());
        return EtcdCluster.json(answer).path("node").path("value").asText();
    }

    /** A long-poll watch on machine {@code i}, answered when {@code key} next changes. */
    private static CompletableFuture<HttpAnswer> watch(EtcdCluster cluster, int i, String key) {
        return CompletableFuture.supplyAsync(() -> {
            try (HttpConnection c = cluster.machine(i).connect(Duration.ofSeconds(60))) {
                return c.get("/v2/keys/" + key + "?wait=true");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** A tmpfs of a fixed size mounted under a temporary directory; unmounted and deleted on close. */
    private static final class SmallDisk implements AutoCloseable {
        private final Path base;
        private final Path mountPoint;

        private SmallDisk(Path base) {
            this.base = base;
            this.mountPoint = base.resolve("disk");
        }

        static SmallDisk mount(String size) throws IOException, InterruptedException {
            SmallDisk disk = new SmallDisk(Files.createTempDirectory("etcdj-diskfull-"));
            Files.createDirectories(disk.mountPoint);
            String out = run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", disk.mountPoint.toString());
            if (out != null) {
                disk.deleteBase();
                throw new AssertionError("cannot mount a tmpfs for the data dir (this test needs root, as CI has): "
                        + out);
            }
            return disk;
        }

        Path dataDir() {
            return mountPoint.resolve("data");
        }

        /** Fills the file system up to its last byte; returns how many bytes that took. */
        long fill() throws IOException {
            long written = 0;
            byte[] chunk = new byte[1 << 20];
            try (OutputStream out = Files.newOutputStream(mountPoint.resolve("filler"))) {
                for (int size = chunk.length; size > 0; size /= 2) {
                    try {
                        while (true) {
                            out.write(chunk, 0, size);
                            written += size;
                        }
                    } catch (IOException full) {
                        // try smaller pieces in what is left
                    }
                }
            }
            return written;
        }

        void free() throws IOException {
            Files.delete(mountPoint.resolve("filler"));
        }

        @Override
        public void close() throws Exception {
            String out = run("umount", mountPoint.toString());
            if (out != null) {
                // still busy: detach it now, the kernel frees it once the last user is gone
                run("umount", "-l", mountPoint.toString());
            }
            deleteBase();
        }

        private void deleteBase() throws IOException {
            Files.deleteIfExists(mountPoint);
            Files.deleteIfExists(base);
        }

        /** Runs a command; null when it succeeded, else its exit status and output. */
        private static String run(String... command) throws IOException, InterruptedException {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return String.join(" ", command) + ": did not finish in 30 s";
            }
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.exitValue() == 0 ? null : String.join(" ", command) + " exited with " + p.exitValue() + ": "
                    + output;
        }
    }
}
