package io.etcdj.it;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ./etcd} starts the JVM with a class-data-sharing archive when it has a good one, and
 * starts all the same, quietly, when the archive is missing or damaged: the JVM crashes on a
 * truncated or rewritten archive instead of ignoring it, so the launcher must not hand it one:
 * it uses an archive only while its length, inode and modification time are those
 * {@code scripts/cds-archive} recorded.
 * {@code ETCDJ_CDS_ARCHIVE} points the launcher at the archive each case prepares.
 */
@Timeout(300)
class LauncherCdsIT {
    private static final Duration LIMIT = Duration.ofSeconds(60);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    @TempDir
    static Path shared;
    @TempDir
    Path dir;

    private static Path archive;
    private final List<Process> started = new ArrayList<>();

    @BeforeAll
    static void makeAnArchive() throws Exception {
        Path root = EtcdProcess.projectDir();
        archive = shared.resolve("etcdj.jsa");
        Process p = new ProcessBuilder(root.resolve("scripts/cds-archive").toString(),
                root.resolve("target/etcdj.jar").toString(), archive.toString(), shared.resolve("ctl.jsa").toString())
                .redirectErrorStream(true).redirectOutput(shared.resolve("cds.log").toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "scripts/cds-archive did not finish");
        assertEquals(0, p.exitValue(), "scripts/cds-archive failed:\n" + Files.readString(shared.resolve("cds.log")));
        String[] stamp = Files.readString(Path.of(archive + ".size")).trim().split(" ");
        assertEquals(3, stamp.length, "length, inode and modification time");
        assertEquals(Files.size(archive), Long.parseLong(stamp[0]));
        assertEquals(Files.getAttribute(archive, "unix:ino"), Long.parseLong(stamp[1]));
        assertEquals(Files.getLastModifiedTime(archive).toMillis() / 1000, Long.parseLong(stamp[2]));
    }

    @AfterEach
    void stop() throws InterruptedException {
        for (Process p : started) {
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
            }
        }
    }

    @Test
    void aGoodArchiveIsUsed() throws Exception {
        Path classes = dir.resolve("classes.txt");
        String log = serve(archive, "-Xlog:class+load=info:file=" + classes);

        String mainLoad = Files.readAllLines(classes).stream().filter(l -> l.contains(" io.etcdj.Main "))
                .findFirst().orElse("");
        assertTrue(mainLoad.contains("shared objects file"), "io.etcdj.Main: " + mainLoad);
        assertQuiet(log);
        // Netty's epoll library is mapped from the copy cds-archive unpacked, not from a temporary file.
        Path unpacked = shared.resolve("etcdj-native");
        assertTrue(Files.exists(unpacked.resolve("jar.stamp")), "no " + unpacked);
        if (System.getProperty("os.arch").equals("amd64")) {
            String maps = Files.readString(Path.of("/proc", Long.toString(started.get(0).pid()), "maps"));
            assertTrue(maps.contains(unpacked.resolve("libnetty_transport_native_epoll_x86_64.so").toString()),
                    "the epoll library is mapped from elsewhere");
        }
    }

    @Test
    void aMissingArchiveIsSkipped() throws Exception {
        assertQuiet(serve(dir.resolve("none.jsa"), ""));
    }

    @Test
    void aTruncatedArchiveIsSkipped() throws Exception {
        Path cut = dir.resolve("cut.jsa");
        byte[] bytes = Files.readAllBytes(archive);
        Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length / 3));
        Files.copy(Path.of(archive + ".size"), Path.of(cut + ".size"));

        assertQuiet(serve(cut, ""));
    }

    @Test
    void anArchiveRewrittenAfterItWasStampedIsSkipped() throws Exception {
        Path damaged = dir.resolve("damaged.jsa");
        Files.copy(archive, damaged);
        damaged.toFile().setWritable(true);
        try (RandomAccessFile f = new RandomAccessFile(damaged.toFile(), "rw")) {
            f.seek(f.length() / 2);
            f.write("not what the JVM wrote".getBytes(StandardCharsets.US_ASCII));
        }
        // The good archive's stamp: same length, but another file written later.
        Files.copy(Path.of(archive + ".size"), Path.of(damaged + ".size"));

        assertQuiet(serve(damaged, ""));
    }

    @Test
    void randomBytesOfTheRightLengthAreSkipped() throws Exception {
        Path noise = dir.resolve("noise.jsa");
        byte[] bytes = new byte[1 << 20];
        new java.util.Random(7).nextBytes(bytes);
        Files.write(noise, bytes);
        Files.writeString(Path.of(noise + ".size"), bytes.length + "\n");

        assertQuiet(serve(noise, ""));
    }

    /** Starts {@code ./etcd} with the archive, waits until it answers GET /version; its output. */
    private String serve(Path cdsArchive, String javaOpts) throws Exception {
        int[] ports = EtcdProcess.freePorts(2);
        Path output = dir.resolve("etcd.out");
        ProcessBuilder pb = new ProcessBuilder(EtcdProcess.projectDir().resolve("etcd").toString(),
                "-name", "node0", "-data-dir", dir.resolve("data").toString(),
                "-addr", "127.0.0.1:" + ports[0], "-peer-addr", "127.0.0.1:" + ports[1])
                .redirectErrorStream(true).redirectOutput(output.toFile());
        pb.environment().put("ETCDJ_CDS_ARCHIVE", cdsArchive.toString());
        pb.environment().put("ETCDJ_JAVA_OPTS", javaOpts);
        Process p = pb.start();
        started.add(p);
        HttpRequest version = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports[0] + "/version"))
                .timeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (true) {
            assertTrue(p.isAlive(), "./etcd exited with " + (p.isAlive() ? "" : p.exitValue()) + ":\n"
                    + Files.readString(output));
            try {
                if (HTTP.send(version, HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    return Files.readString(output);
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            assertTrue(System.nanoTime() - deadline < 0, "./etcd did not serve in time:\n" + Files.readString(output));
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
    }

    /** The server's own lines only: nothing from the JVM about the archive. */
    private static void assertQuiet(String output) {
        assertFalse(output.contains("fatal error"), output);
        assertFalse(output.contains("[cds"), output);
        assertFalse(output.contains("shared archive"), output);
        assertTrue(output.contains("etcd server [name node0"), output);
    }
}
