package io.etcdj.peer;

import io.etcdj.store.EtcdException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.etcdj.peer.FakeMachine.next;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PeerListenerTest {
    private static final String JOIN_BODY = "{\"minVersion\":2,\"maxVersion\":2,\"name\":\"c\","
            + "\"raftURL\":\"http://127.0.0.1:7003\",\"etcdURL\":\"http://127.0.0.1:4003\"}\n";

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private FakeMachine machine;

    @BeforeEach
    void start() throws InterruptedException {
        machine = new FakeMachine("node-a").start();
    }

    @AfterEach
    void stop() {
        machine.close();
    }

    private HttpResponse<byte[]> call(String method, String path, String body) throws Exception {
        HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body);
        HttpRequest req = HttpRequest.newBuilder(URI.create(machine.peerUrl() + path))
                .method(method, publisher).timeout(Duration.ofSeconds(10)).build();
        return http.send(req, HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    private static String header(HttpResponse<byte[]> r, String name) {
        return r.headers().firstValue(name).orElse(null);
    }

    @Test
    void nameVersionAndClientUrlAnswerInPlainText() throws Exception {
        HttpResponse<byte[]> name = call("GET", "/name", null);
        HttpResponse<byte[]> version = call("GET", "/version", null);
        HttpResponse<byte[]> etcdUrl = call("GET", "/etcdURL", null);

        assertEquals(200, name.statusCode());
        assertEquals("node-a", text(name));
        assertEquals("text/plain; charset=utf-8", header(name, "Content-Type"));
        assertEquals(200, version.statusCode());
        assertEquals("2", text(version));
        assertEquals(200, etcdUrl.statusCode());
        assertEquals("http://127.0.0.1:4001", text(etcdUrl));
    }

    @Test
    void versionCheckAcceptsOnlyTheSupportedStoreVersion() throws Exception {
        assertEquals(200, call("GET", "/version/2/check", null).statusCode());
        assertEquals(403, call("GET", "/version/3/check", null).statusCode());
        assertEquals(403, call("GET", "/version/99999999999999999999/check", null).statusCode());
        assertEquals(404, call("GET", "/version/x/check", null).statusCode());
    }

    @Test
    void aJoinOnTheLeaderAnswersTheCommitIndexOnceApplied() throws Exception {
        // given a node that applies the join later
        CompletableFuture<ChangeOutcome> applied = new CompletableFuture<>();
        machine.onJoin = r -> applied;

        // when a machine asks to join
        CompletableFuture<HttpResponse<byte[]>> answer = http.sendAsync(HttpRequest.newBuilder(
                        URI.create(machine.peerUrl() + "/join")).POST(HttpRequest.BodyPublishers.ofString(JOIN_BODY)).build(),
                HttpResponse.BodyHandlers.ofByteArray());

        // then the node gets the request as sent, and the answer waits for the node
        assertEquals(new JoinRequest(2, 2, "c", "http://127.0.0.1:7003", "http://127.0.0.1:4003", ""),
                next(machine.joins, "join"));
        assertFalse(answer.isDone());
        applied.complete(new ChangeOutcome.Committed(300));
        HttpResponse<byte[]> r = answer.get(10, TimeUnit.SECONDS);
        assertEquals(200, r.statusCode());
        // 300 as a uvarint, padded to eight bytes as the reference writes it
        assertArrayEquals(new byte[] {(byte) 0xAC, 0x02, 0, 0, 0, 0, 0, 0}, r.body());
    }

    @Test
    void aJoinReadsFieldNamesInAnyCaseAndIgnoresOthers() throws Exception {
        HttpResponse<byte[]> r = call("POST", "/join",
                "{\"MINVERSION\":2,\"maxversion\":2,\"Name\":\"ü\",\"raftUrl\":\"http://r:7001\",\"etcdurl\":\"http://e:4001\",\"extra\":1}");

        assertEquals(200, r.statusCode());
        assertEquals(new JoinRequest(2, 2, "ü", "http://r:7001", "http://e:4001", ""), next(machine.joins, "join"));
    }

    @Test
    void aJoinOnAFollowerIsRedirectedToTheLeader() throws Exception {
        machine.onJoin = r -> CompletableFuture.completedFuture(new ChangeOutcome.NotLeader("http://10.0.0.1:7001"));

        HttpResponse<byte[]> r = call("POST", "/join", JOIN_BODY);

        assertEquals(307, r.statusCode());
        assertEquals("http://10.0.0.1:7001/join", header(r, "Location"));
        assertEquals(0, r.body().length);
    }

    @Test
    void aJoinToAFullClusterIsError103() throws Exception {
        machine.onJoin = r -> CompletableFuture.failedFuture(new EtcdException(EtcdException.NO_MORE_PEER, "", 7));

        HttpResponse<byte[]> r = call("POST", "/join", JOIN_BODY);

        assertEquals(400, r.statusCode());
        assertEquals("{\"errorCode\":103,\"message\":\"Reached the max number of peers in the cluster\",\"index\":7}\n",
                text(r));
        assertEquals("text/plain; charset=utf-8", header(r, "Content-Type"));
        assertEquals("7", header(r, "X-Etcd-Index"));
    }

    @Test
    void aJoinWithoutALeaderIsError300() throws Exception {
        machine.onJoin = r -> CompletableFuture.failedFuture(new EtcdException(EtcdException.RAFT_INTERNAL, "", 5));

        HttpResponse<byte[]> r = call("POST", "/join", JOIN_BODY);

        assertEquals(500, r.statusCode());
        assertEquals("{\"errorCode\":300,\"message\":\"Raft Internal Error\",\"index\":5}\n", text(r));
    }

    @Test
    void aMalformedJoinIsABare500AndReachesNobody() throws Exception {
        HttpResponse<byte[]> r = call("POST", "/join", "{\"name\": ");

        assertEquals(500, r.statusCode());
        assertEquals(0, r.body().length);
        assertTrue(machine.joins.isEmpty());
    }

    @Test
    void removeTakesTheDecodedNameAndAnswersLikeJoin() throws Exception {
        machine.onRemove = n -> CompletableFuture.completedFuture(new ChangeOutcome.Committed(5));

        HttpResponse<byte[]> r = call("DELETE", "/remove/n%C3%B6de", null);

        assertEquals(200, r.statusCode());
        assertArrayEquals(new byte[] {5, 0, 0, 0, 0, 0, 0, 0}, r.body());
        assertEquals("nöde", next(machine.removals, "removal"));
    }

    @Test
    void removeOnAFollowerRedirectsAndOtherMethodsAreRefused() throws Exception {
        machine.onRemove = n -> CompletableFuture.completedFuture(new ChangeOutcome.NotLeader("http://10.0.0.1:7001/"));

        HttpResponse<byte[]> redirected = call("DELETE", "/remove/b", null);
        HttpResponse<byte[]> get = call("GET", "/remove/b", null);

        assertEquals(307, redirected.statusCode());
        assertEquals("http://10.0.0.1:7001/remove/b", header(redirected, "Location"));
        assertEquals(405, get.statusCode());
        assertEquals("b", next(machine.removals, "removal"));
        assertTrue(machine.removals.isEmpty(), "the GET proposed nothing");
    }

    @Test
    void aFailedRemoveIsAnEmpty200AsInTheReference() throws Exception {
        machine.onRemove = n -> CompletableFuture.failedFuture(new IllegalStateException("no such machine"));

        HttpResponse<byte[]> r = call("DELETE", "/remove/ghost", null);

        assertEquals(200, r.statusCode());
        assertEquals(0, r.body().length);
    }

    @Test
    void unknownPathsAreGo404s() throws Exception {
        HttpResponse<byte[]> r = call("GET", "/vote", null);

        assertEquals(404, r.statusCode());
        assertEquals("404 page not found\n", text(r));
        assertEquals("nosniff", header(r, "X-Content-Type-Options"));
    }

    @Test
    void theRaftPathWithoutAnUpgradeIsRefused() throws Exception {
        HttpResponse<byte[]> r = call("POST", "/raft", "x");

        assertEquals(426, r.statusCode());
        assertEquals(StreamUpgrade.PROTOCOL, header(r, "Upgrade"));
    }

    @Test
    void aStreamThatSendsAnUnknownVersionIsClosed() throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), machine.port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            // given an upgraded stream
            out.write(("GET /raft HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: " + StreamUpgrade.PROTOCOL
                    + "\r\nX-Raft-From: b\r\nX-Raft-To: node-a\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String head = readHead(in);
            assertTrue(head.startsWith("HTTP/1.1 101"), head);

            // when a frame of format version 9 arrives
            out.write(new byte[] {0, 0, 0, 3, 9, 8, 0});
            out.flush();

            // then the listener closes the connection and delivers nothing
            assertEquals(-1, in.read());
            assertTrue(machine.received.isEmpty());
        }
    }

    private static String readHead(InputStream in) throws Exception {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                break;
            }
            head.append((char) c);
        }
        return head.toString();
    }
}
