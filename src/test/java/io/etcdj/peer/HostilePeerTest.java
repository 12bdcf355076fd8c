package io.etcdj.peer;

import io.etcdj.raft.Membership;
import io.etcdj.raft.Message;
import io.etcdj.raft.Snapshot;
import io.etcdj.raft.SnapshotMetadata;
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
import java.util.concurrent.TimeUnit;

import static io.etcdj.peer.FakeMachine.next;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a confused or lying peer sends to the peer port: refused, dropped or closed, one stream at a time. */
class HostilePeerTest {
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

    private HttpResponse<String> call(String method, String path, String body) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(machine.peerUrl() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .timeout(Duration.ofSeconds(10)).build();
        return http.send(req, HttpResponse.BodyHandlers.ofString());
    }

    /** A connection upgraded to a Raft stream from {@code from}. */
    private Socket stream(String from) throws Exception {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), machine.port);
        s.setSoTimeout(10_000);
        s.getOutputStream().write(PeerFrames.upgrade(from, "http://127.0.0.1:7999", "node-a"));
        String head = readHead(s.getInputStream());
        assertTrue(head.startsWith("HTTP/1.1 101"), head);
        return s;
    }

    private static Message.Heartbeat heartbeat(String from, long term) {
        return new Message.Heartbeat(from, "node-a", term, 0, 0);
    }

    @Test
    void aFrameInAnotherMembersNameIsDroppedAndTheStreamGoesOn() throws Exception {
        try (Socket s = stream("b")) {
            OutputStream out = s.getOutputStream();
            out.write(PeerFrames.message(heartbeat("c", 5)));
            out.write(PeerFrames.message(heartbeat("b", 6)));
            out.flush();

            Message m = next(machine.received, "message");
            assertEquals("b", m.from());
            assertEquals(6, m.term());
            assertNull(machine.received.poll(200, TimeUnit.MILLISECONDS));
        }
    }

    @Test
    void streamsFromBadNamesOrUrlsAreRefused() throws Exception {
        for (String[] bad : new String[][] {{"a/b", null}, {"..", null}, {"a b", null}, {"x\u202Ey", null},
                {"b", "file:///etc/passwd"}, {"b", "http://host"}, {"b", "http://host:7001/raft?x"}}) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), machine.port)) {
                s.setSoTimeout(10_000);
                s.getOutputStream().write(PeerFrames.upgrade(bad[0], bad[1], "node-a"));
                String head = readHead(s.getInputStream());
                assertTrue(head.startsWith("HTTP/1.1 400"), bad[0] + " " + bad[1] + ": " + head);
            }
        }
    }

    @Test
    void joinsWithBadNamesUrlsOrJsonReachNobody() throws Exception {
        String[] bodies = {
                "{\"name\":\"a/b\",\"raftURL\":\"http://h:7001\",\"etcdURL\":\"http://h:4001\"}",
                "{\"name\":\"c\",\"raftURL\":\"h:7001\",\"etcdURL\":\"http://h:4001\"}",
                "{\"name\":\"c\",\"raftURL\":\"http://h:7001\",\"etcdURL\":\"javascript:alert(1)\"}",
                "{\"name\":\"" + "n".repeat(PeerInput.MAX_NAME_LENGTH + 1) + "\",\"raftURL\":\"http://h:7001\"}",
                "[".repeat(5000) + "]".repeat(5000),
                "{\"name\":" + "{\"a\":".repeat(100) + "1" + "}".repeat(101),
                "{\"minVersion\":" + "9".repeat(1000) + "}",
        };
        for (String body : bodies) {
            HttpResponse<String> r = call("POST", "/join", body);
            assertTrue(r.statusCode() == 400 || r.statusCode() == 500, r.statusCode() + " for " + body);
        }
        HttpResponse<String> huge = call("POST", "/join", "{\"name\":\"" + "x".repeat(2 << 20) + "\"}");
        assertEquals(413, huge.statusCode());
        assertTrue(machine.joins.isEmpty());
    }

    @Test
    void removalsOfBadNamesReachNobody() throws Exception {
        assertEquals(400, call("DELETE", "/remove/a%2Fb", null).statusCode());
        assertEquals(400, call("DELETE", "/remove/a%00b", null).statusCode());
        assertEquals(400, call("DELETE", "/remove/..", null).statusCode());
        assertTrue(machine.removals.isEmpty());
    }

    @Test
    void brokenSnapshotStreamsAreClosedWithoutDeliveringAnything() throws Exception {
        Message.InstallSnapshot snap = new Message.InstallSnapshot("b", "node-a", 3,
                new Snapshot(new SnapshotMetadata(10, 2, Membership.of("b", "node-a")), new byte[] {1, 2, 3}));
        Message.InstallSnapshot foreign = new Message.InstallSnapshot("c", "node-a", 3, snap.snapshot());
        byte[][][] cases = {
                {PeerFrames.snapshotChunk(new byte[] {1})},                                       // chunk without a head
                {PeerFrames.snapshotHead(snap, 3), PeerFrames.snapshotHead(snap, 3)},             // head twice
                {PeerFrames.snapshotHead(snap, Integer.MAX_VALUE - 8)},                           // absurd length
                {PeerFrames.snapshotHead(snap, 2), PeerFrames.snapshotChunk(new byte[] {1, 2, 3})}, // more than declared
                {PeerFrames.snapshotHead(foreign, 3)},                                            // in another's name
                {PeerFrames.prefixed(new byte[] {1, 7, 1, 'b'})},                                 // truncated
                {new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF}},                // frame too long
        };
        for (byte[][] frames : cases) {
            try (Socket s = stream("b")) {
                OutputStream out = s.getOutputStream();
                for (byte[] f : frames) {
                    out.write(f);
                }
                out.flush();
                assertEquals(-1, s.getInputStream().read(), "the stream stays open");
            }
        }
        assertTrue(machine.received.isEmpty());
        // and the port still serves a well-behaved member
        try (Socket s = stream("b")) {
            s.getOutputStream().write(PeerFrames.message(heartbeat("b", 7)));
            assertNotNull(next(machine.received, "message"));
        }
    }

    @Test
    void machineNamesAndUrls() {
        assertNull(PeerInput.nameProblem("node-1.example_a"));
        assertNull(PeerInput.nameProblem("nöde"));
        for (String bad : new String[] {"", ".", "..", "a/b", "a b", "a\nb", "a\u0000", "a\u202Eb", "a%2F"}) {
            assertNotNull(PeerInput.nameProblem(bad), bad);
        }
        assertNull(PeerInput.urlProblem("http://127.0.0.1:7001"));
        assertNull(PeerInput.urlProblem("https://[::1]:7001/"));
        for (String bad : new String[] {"", "127.0.0.1:7001", "ftp://h:1", "http://h", "http://u@h:1", "http://h:1/x",
                "http://h:1?q", "http://h:99999", "http://h:1#f"}) {
            assertNotNull(PeerInput.urlProblem(bad), bad);
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
