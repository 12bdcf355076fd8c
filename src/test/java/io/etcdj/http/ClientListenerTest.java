package io.etcdj.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The listener on a real socket: serving, long-polls on real event loops, and shutting down. */
class ClientListenerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final FakeEtcdServer server = new FakeEtcdServer(Clock.systemUTC());
    private final ClientListener listener = new ClientListener(server, HttpOptions.defaults().withIoThreads(1));
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void stop() {
        listener.stop();
    }

    private long pendingWatchers() {
        try {
            return JSON.readTree(server.store().statsJson()).get("watchers").asLong();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void servesWritesAndReadsOverTcp() throws Exception {
        InetSocketAddress address = listener.start("127.0.0.1", 0);
        URI keys = URI.create("http://127.0.0.1:" + address.getPort() + "/v2/keys/k");

        HttpResponse<String> put = http.send(HttpRequest.newBuilder(keys)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .PUT(HttpRequest.BodyPublishers.ofString("value=v")).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> get = http.send(HttpRequest.newBuilder(keys).build(), HttpResponse.BodyHandlers.ofString());

        assertEquals(201, put.statusCode());
        assertEquals(200, get.statusCode());
        assertEquals("{\"action\":\"get\",\"node\":{\"key\":\"/k\",\"value\":\"v\",\"modifiedIndex\":1,"
                + "\"createdIndex\":1}}", get.body());
    }

    @Test
    void aWatchWokenByAWriteAnswersAndADisconnectedOneIsFreed() throws Exception {
        InetSocketAddress address = listener.start("127.0.0.1", 0);
        try (Socket woken = new Socket("127.0.0.1", address.getPort());
             Socket leaving = new Socket("127.0.0.1", address.getPort())) {
            send(woken, "GET /v2/keys/w?wait=true HTTP/1.1\r\nHost: x\r\n\r\n");
            send(leaving, "GET /v2/keys/other?wait=true HTTP/1.1\r\nHost: x\r\n\r\n");
            EmbeddedClient.until(() -> pendingWatchers() == 2, 5000);

            leaving.close();
            EmbeddedClient.until(() -> pendingWatchers() == 1, 5000);
            server.propose(new io.etcdj.server.Command.Set("/w", false, "1", null)).join();

            woken.setSoTimeout(5000);
            String answer = readHead(woken.getInputStream());
            assertTrue(answer.startsWith("HTTP/1.1 200 OK"), answer);
        }
        assertEquals(0, pendingWatchers());
    }

    @Test
    void stoppingClosesOpenConnectionsAndFreesTheirWatches() throws Exception {
        InetSocketAddress address = listener.start("127.0.0.1", 0);
        try (Socket socket = new Socket("127.0.0.1", address.getPort())) {
            send(socket, "GET /v2/keys/w?wait=true HTTP/1.1\r\nHost: x\r\n\r\n");
            EmbeddedClient.until(() -> pendingWatchers() == 1, 5000);

            listener.stop();

            socket.setSoTimeout(5000);
            assertEquals(-1, socket.getInputStream().read());
            assertEquals(0, pendingWatchers());
        }
    }

    private static void send(Socket socket, String request) throws Exception {
        OutputStream out = socket.getOutputStream();
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static String readHead(InputStream in) throws Exception {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        return head.toString();
    }
}
