package io.etcdj.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code -watch-early-headers}: a real node sends a waiting watch's head at once, the event then
 * follows as a chunked body, and etcd 3.4's {@code etcdctl watch} works with that framing.
 */
class WatchEarlyHeadersIT {
    private static final String ETCDCTL = "/usr/bin/etcdctl";
    private static EtcdProcess node;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        node = EtcdProcess.startMember("early", List.of(), List.of("-watch-early-headers"));
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    private int put(String key, String value) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(node.clientUrl() + "/v2/keys" + key))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .PUT(HttpRequest.BodyPublishers.ofString("value=" + value)).build();
        return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void theHeadComesBeforeTheEventAndTheEventIsTheChunkedBody() throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(EtcdProcess.HOST, node.clientPort()), 5000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET /v2/keys/early/w?wait=true HTTP/1.1\r\nHost: x\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();

            // read before anything changes the key: only the head can have come
            String head = readUntil(in, "\r\n\r\n");
            assertTrue(head.startsWith("HTTP/1.1 200 OK\r\n"), head);
            assertTrue(head.contains("Transfer-Encoding: chunked\r\n"), head);
            assertTrue(head.contains("Content-Type: application/json\r\n"), head);
            assertTrue(head.contains("X-Etcd-Index: "), head);

            assertEquals(201, put("/early/w", "1"));
            String chunks = readUntil(in, "\r\n0\r\n\r\n");
            assertTrue(chunks.contains("{\"action\":\"set\",\"node\":{\"key\":\"/early/w\",\"value\":\"1\""), chunks);
        }
    }

    @Test
    void etcd34EtcdctlWatchesThroughTheEarlyHead() throws Exception {
        boolean present = Files.isExecutable(Path.of(ETCDCTL));
        if (!present && "true".equals(System.getenv("CI"))) {
            throw new AssertionError(ETCDCTL + " is needed (scripts/test installs it)");
        }
        assumeTrue(present, "no etcdctl: skipped");
        ProcessBuilder pb = new ProcessBuilder(ETCDCTL, "--endpoints", node.clientUrl(), "watch", "/early/ctl")
                .redirectErrorStream(true);
        pb.environment().put("ETCDCTL_API", "2");
        Process watcher = pb.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!watcher.waitFor(100, TimeUnit.MILLISECONDS) && System.nanoTime() < deadline) {
                put("/early/ctl", "changed");
            }
            assertFalse(watcher.isAlive(), "etcdctl watch did not return");
            String out = new String(watcher.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, watcher.exitValue(), out);
            assertEquals("changed", out.strip());
        } finally {
            watcher.destroyForcibly();
        }
    }

    private static String readUntil(InputStream in, String end) throws IOException {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        while (!seen.toString(StandardCharsets.ISO_8859_1).endsWith(end)) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed after: " + seen.toString(StandardCharsets.ISO_8859_1));
            }
            seen.write(b);
        }
        return seen.toString(StandardCharsets.ISO_8859_1);
    }
}
