package io.etcdj.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A server start that is expected to fail: the jar runs with the long flag names (so that no
 * deprecation warning mixes into stderr) on free loopback ports and a temporary data directory,
 * with stdout and stderr kept apart. A process still running at the limit is killed and its exit
 * status is empty.
 *
 * @param exit   the exit status, or empty when the process was still running at the limit
 * @param stdout what it printed on stdout
 * @param stderr what it printed on stderr
 * @param millis how long it ran
 */
record StartAttempt(OptionalInt exit, String stdout, String stderr, long millis) {
    private static final List<String> JVM_ARGS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

    /** Runs machine {@code name} with {@code flags} after {@code -name -data-dir -addr -peer-addr}. */
    static StartAttempt run(String name, List<String> flags, Duration limit) {
        Path root;
        try {
            root = Files.createTempDirectory("etcdj-it-attempt-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int[] ports = EtcdProcess.freePorts(2);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_ARGS);
        command.addAll(List.of("-jar", EtcdProcess.jar().toString(), "-name", name,
                "-data-dir", root.resolve("data").toString(),
                "-addr", EtcdProcess.HOST + ":" + ports[0], "-peer-addr", EtcdProcess.HOST + ":" + ports[1]));
        command.addAll(flags);
        Path out = root.resolve("stdout");
        Path err = root.resolve("stderr");
        Process process = null;
        long started = System.nanoTime();
        try {
            process = new ProcessBuilder(command).directory(EtcdProcess.projectDir().toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            process.getOutputStream().close();
            boolean exited = process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
            long millis = (System.nanoTime() - started) / 1_000_000;
            if (!exited) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            return new StartAttempt(exited ? OptionalInt.of(process.exitValue()) : OptionalInt.empty(),
                    Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8),
                    millis);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        } finally {
            if (process != null && process.isAlive()) {
                process.destroyForcibly();
            }
            deleteTree(root);
        }
    }

    /** The non-blank lines of stderr. */
    List<String> errorLines() {
        return stderr.lines().filter(line -> !line.isBlank()).toList();
    }

    @Override
    public String toString() {
        return "exit " + (exit.isPresent() ? exit.getAsInt() : "(still running)") + " after " + millis + " ms; stderr:\n"
                + stderr + "stdout:\n" + stdout;
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            System.err.println("could not delete " + root + ": " + e);
        }
    }
}
