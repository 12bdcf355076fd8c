package io.etcdj.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs our etcdctl, the jar's {@code io.etcdj.ctl.Etcdctl}, as a process, the way {@code ./etcdctl}
 * does, and collects its exit code and output.
 */
final class Etcdctl {
    private static final long TIMEOUT_SECONDS = 60;

    private Etcdctl() {}

    record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** The command line for {@code etcdctl args...}. */
    static List<String> command(List<String> args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", EtcdProcess.jar().toString(),
                "io.etcdj.ctl.Etcdctl"));
        command.addAll(args);
        return command;
    }

    static Result run(String... args) {
        return runWithInput("", args);
    }

    static Result runWithInput(String stdin, String... args) {
        try {
            Process p = new ProcessBuilder(command(List.of(args))).start();
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("etcdctl " + String.join(" ", args) + " did not end in " + TIMEOUT_SECONDS + " s");
            }
            return new Result(p.exitValue(), out.join(), err.join());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Starts etcdctl and leaves it running (watch --forever, exec-watch); the caller destroys it. */
    static Process start(Path stdout, String... args) {
        try {
            return new ProcessBuilder(command(List.of(args))).redirectOutput(stdout.toFile())
                    .redirectError(stderrOf(stdout).toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where {@link #start} sends the standard error of a process whose output goes to {@code stdout}. */
    static Path stderrOf(Path stdout) {
        return stdout.resolveSibling(stdout.getFileName() + ".err");
    }

    /** A loopback URL on which nothing listens: a port just taken and given back. */
    static String deadEndpoint() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return "http://127.0.0.1:" + socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
