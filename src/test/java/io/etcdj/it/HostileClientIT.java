package io.etcdj.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongPredicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Nothing a client sends can take a member down. One node, with a small heap (so that a server
 * buffering without bound dies instead of merely swelling), gets deep, long and odd keys, huge
 * values and bodies, absurd numbers, malformed HTTP, thousands of watchers whose connections are
 * reset, and clients that pipeline big reads and never read the answers. After each case it must
 * still take a write; at the end it is killed with SIGKILL and restarted on its directory, and every
 * write it acknowledged must be there. A second node, snapshotting every 100 changes, takes the
 * largest keys and values the limits allow through a snapshot and a restart.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileClientIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final int MIB = 1 << 20;
    private static final int MAX_VALUE = MIB;
    private static final int MAX_BODY = 4 * MIB;
    private static final int MAX_KEY_BYTES = 8192;
    private static final String FORM = "application/x-www-form-urlencoded";

    private static EtcdProcess node;
    /** Every acknowledged write still expected at the end: request target to value. */
    private static final Map<String, String> acknowledged = new LinkedHashMap<>();
    private static int sequence;

    @RegisterExtension
    static final TestWatcher SERVER_LOG_ON_FAILURE = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            if (node != null) {
                System.err.println("----- server log for " + context.getDisplayName() + " -----\n" + node.logTail(12_000));
            }
        }
    };

    @BeforeAll
    static void startNode() {
        // snapshots every 500 changes: what the hostile cases store goes through snapshots too, and
        // the restart at the end starts from one
        node = EtcdProcess.startMember("node0", List.of("-Xmx384m"), List.of("-snapshot-count", "500"));
    }

    @AfterAll
    static void closeNode() {
        if (node != null) {
            node.close();
        }
    }

    // ----- the cases

    @Test
    @Order(1)
    void deepKeysAreStoredUpTo1024LevelsAndLongerOnesRefused() throws Exception {
        // given keys 700 (as etcd v0.2.0's own test) and 1024 levels deep
        String deep700 = "/v2/keys/hostile/deep700" + "/d".repeat(698);
        String deep1024 = "/v2/keys/hostile/deep1024" + "/d".repeat(1022);
        acknowledge(deep700, "v700", put(deep700, "value=v700"));
        acknowledge(deep1024, "v1024", put(deep1024, "value=v1024"));
        // then they read back, alone and in a recursive listing of everything
        assertEquals("v700", value(get(deep700)));
        assertEquals("v1024", value(get(deep1024)));
        HttpAnswer listing = get("/v2/keys/?recursive=true");
        assertEquals(200, listing.status(), shorten(listing.text()));
        assertTrue(listing.text().contains("\"value\":\"v1024\""), "the deepest key is in the listing");
        // and an in-order key in a directory 1023 levels deep is created, while one level more is refused
        HttpAnswer inOrder = post("/v2/keys/hostile/queue" + "/q".repeat(1021), "value=last");
        assertEquals(201, inOrder.status(), inOrder.toString());
        acknowledge("/v2/keys" + json(inOrder).path("node").path("key").asText(), "last", inOrder);
        assertInvalidField(put(deep1024 + "/e", "value=x"), 400, "key has 1025 levels; the limit is 1024");
        assertInvalidField(post(deep1024, "value=x"), 400, "key has 1025 levels; the limit is 1024");
        assertStillServes();
    }

    @Test
    @Order(2)
    void longKeysAreStoredUpTo8192BytesAndLongerOnesRefused() throws Exception {
        String prefix = "/hostile/long/"; // the key as the store names it
        String atLimit = "/v2/keys" + prefix + "k".repeat(MAX_KEY_BYTES - prefix.length());
        acknowledge(atLimit, "long", put(atLimit, "value=long"));
        assertEquals("long", value(get(atLimit)));
        assertInvalidField(put(atLimit + "k", "value=x"), 400, "key is 8193 bytes long; the limit is 8192");
        // two-byte characters count twice, after percent-decoding
        String wide = "/v2/keys" + prefix + "%C3%A9".repeat((MAX_KEY_BYTES - prefix.length()) / 2);
        acknowledge(wide, "wide", put(wide, "value=wide"));
        assertInvalidField(put(wide + "%C3%A9", "value=x"), 400, "key is 8194 bytes long; the limit is 8192");
        // a key that still fits the request line, and one that does not
        assertInvalidField(put("/v2/keys" + prefix + "k".repeat(60_000), "value=x"), 400,
                "key is 60014 bytes long; the limit is 8192");
        assertInvalidField(put("/v2/keys" + prefix + "k".repeat(70_000), "value=x"), 414,
                "request line longer than 65536 bytes");
        assertStillServes();
    }

    @Test
    @Order(3)
    void oddKeysAreRedirectedStoredAsDecodedOrRefused() throws Exception {
        String indexBefore = currentIndex();
        for (String unclean : List.of("/v2/keys/hostile/odd/../x", "/v2/keys/hostile//odd", "/v2/keys/hostile/./odd")) {
            assertEquals(301, put(unclean, "value=x").status(), unclean);
        }
        assertEquals(indexBefore, currentIndex(), "a redirected write changed the store");

        Map<String, String> stored = new LinkedHashMap<>();
        stored.put("/v2/keys/hostile/odd/" + ScenarioRequest.quotePath("ключ-☃-🎉 x"), "/hostile/odd/ключ-☃-🎉 x");
        stored.put("/v2/keys/hostile/odd/nul%00byte", "/hostile/odd/nul\u0000byte");
        stored.put("/v2/keys/hostile/odd/enc%2Fslash", "/hostile/odd/enc/slash");
        stored.put("/v2/keys/hostile/odd/ctl%01%1F%7F", "/hostile/odd/ctl\u0001\u001f\u007f");
        stored.put("/v2/keys/hostile/odd/bad%C3%28utf8", "/hostile/odd/bad\ufffd(utf8");
        stored.put("/v2/keys/hostile/odd/lone%FF", "/hostile/odd/lone\ufffd");
        for (Map.Entry<String, String> odd : stored.entrySet()) {
            String value = "odd" + (++sequence);
            HttpAnswer set = put(odd.getKey(), "value=" + value);
            acknowledge(odd.getKey(), value, set);
            assertEquals(odd.getValue(), json(set).path("node").path("key").asText(), odd.getKey());
            assertEquals(value, value(get(odd.getKey())), odd.getKey());
        }
        for (String refused : List.of("/v2/keys/hostile/odd/bad%zz", "/v2/keys/hostile/odd/trailing%",
                "/v2/keys/hostile/odd/half%4", "/v2/keys/hostile/odd/ctl\u0001raw", "/v2/keys/hostile/odd/del\u007fraw")) {
            HttpAnswer answer = sendRaw(("PUT " + refused + " HTTP/1.1\r\nHost: x\r\nContent-Type: " + FORM
                    + "\r\nContent-Length: 7\r\n\r\nvalue=x").getBytes(StandardCharsets.ISO_8859_1));
            assertEquals(400, answer.status(), refused + ": " + answer);
        }
        assertStillServes();
    }

    @Test
    @Order(4)
    void valuesAndBodiesAtTheirLimitsAreTakenAndOneByteMoreRefused() throws Exception {
        for (int size : new int[] {MAX_VALUE - 1, MAX_VALUE}) {
            String key = "/v2/keys/hostile/value/" + size;
            String value = "x".repeat(size);
            acknowledge(key, value, put(key, "value=" + value));
        }
        assertInvalidField(put("/v2/keys/hostile/value/over", "value=" + "x".repeat(MAX_VALUE + 1)), 400,
                "value is 1048577 bytes long; the limit is 1048576");

        String head = "value=body&padding=";
        for (int size : new int[] {MAX_BODY - 1, MAX_BODY}) {
            String key = "/v2/keys/hostile/body/" + size;
            acknowledge(key, "body", put(key, head + "p".repeat(size - head.length())));
        }
        assertInvalidField(put("/v2/keys/hostile/body/over", head + "p".repeat(MAX_BODY + 1 - head.length())), 413,
                "request body larger than 4194304 bytes");

        // 50 MiB: answered before it is all sent; the rest is read and dropped
        byte[] huge = new byte[50 * MIB];
        Arrays.fill(huge, (byte) 'x');
        System.arraycopy(ascii("value="), 0, huge, 0, 6);
        try (HttpConnection c = node.connect(TIMEOUT)) {
            c.send(ascii("PUT /v2/keys/hostile/body/huge HTTP/1.1\r\nHost: " + c.authority() + "\r\nContent-Type: "
                    + FORM + "\r\nContent-Length: " + huge.length + "\r\n\r\n"));
            CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
                try {
                    c.send(huge);
                } catch (IOException closed) {
                    // the server may close once it has answered
                }
            });
            assertInvalidField(c.readAnswer("PUT"), 413, "request body larger than 4194304 bytes");
            writing.get();
        }
        assertEquals(404, get("/v2/keys/hostile/body/huge").status());
        assertStillServes();
    }

    @Test
    @Order(5)
    void oddEncodingsAndContentTypesAreAnsweredWithoutFailing() throws Exception {
        Map<String, String> ignoredBody = Map.of("text/plain", "value=ignored", "multipart/form-data; boundary=b",
                "--b\r\nContent-Disposition: form-data; name=\"value\"\r\n\r\nx\r\n--b--\r\n", "", "value=ignored",
                "application/json", "{\"value\":\"x\"}", "\u0000\u00ff", "value=x");
        for (Map.Entry<String, String> c : ignoredBody.entrySet()) {
            List<Map.Entry<String, String>> headers = c.getKey().isEmpty() ? List.of()
                    : List.of(Map.entry("Content-Type", c.getKey()));
            HttpAnswer answer = exchange("PUT", "/v2/keys/hostile/ct", headers, c.getValue().getBytes(StandardCharsets.ISO_8859_1));
            assertTrue(answer.status() < 500, c.getKey() + ": " + answer);
        }
        // the form type is matched without regard to case or parameters
        acknowledge("/v2/keys/hostile/enc/upper", "up", exchange("PUT", "/v2/keys/hostile/enc/upper",
                List.of(Map.entry("Content-Type", "APPLICATION/X-WWW-FORM-URLENCODED; charset=utf-16")), ascii("value=up")));
        // bytes that are not UTF-8 become U+FFFD
        HttpAnswer raw = exchange("PUT", "/v2/keys/hostile/enc/raw", List.of(Map.entry("Content-Type", FORM)),
                new byte[] {'v', 'a', 'l', 'u', 'e', '=', (byte) 0xff, (byte) 0xc3, '(', (byte) 0xed, (byte) 0xa0, (byte) 0x80});
        assertTrue(raw.isSuccess(), raw.toString());
        String stored = value(get("/v2/keys/hostile/enc/raw"));
        assertTrue(stored.startsWith("\ufffd"), stored);
        acknowledge("/v2/keys/hostile/enc/raw", stored, raw);
        // a body the server cannot decode is taken as it is, not unpacked
        HttpAnswer gzip = exchange("PUT", "/v2/keys/hostile/enc/gz", List.of(Map.entry("Content-Type", FORM),
                Map.entry("Content-Encoding", "gzip")), new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 'v', '='});
        assertTrue(gzip.status() < 500, gzip.toString());
        // a chunked form body is read like any other
        HttpAnswer chunked = sendRaw(ascii("PUT /v2/keys/hostile/enc/chunked HTTP/1.1\r\nHost: x\r\nContent-Type: " + FORM
                + "\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nvalue=\r\n4\r\nchnk\r\n0\r\n\r\n"));
        acknowledge("/v2/keys/hostile/enc/chunked", "chnk", chunked);
        assertStillServes();
    }

    @Test
    @Order(6)
    void absurdNumbersInEveryNumericParameterGetTheReferencesError() throws Exception {
        List<String> notNumbers = List.of("abc", "1.5", "1e9999", "99999999999999999999", "-99999999999999999999",
                "0x10", " 1", "+", "--1", "\u0661", "\uff19", "1_000", "NaN", "\u221e", "1\u0000");
        acknowledge("/v2/keys/hostile/num", "n", put("/v2/keys/hostile/num", "value=n"));
        for (String bad : notNumbers) {
            String q = URLEncoder.encode(bad, StandardCharsets.UTF_8);
            assertEtcdError(put("/v2/keys/hostile/num/t", "value=v&ttl=" + q), 202, "Update");
            assertEtcdError(post("/v2/keys/hostile/num/q", "value=v&ttl=" + q), 202, "Create");
            assertEtcdError(post("/v1/keys/hostile/num/t", "value=v&ttl=" + q), 202, "Set");
            assertEtcdError(put("/v2/keys/hostile/num", "value=v&prevIndex=" + q), 203, "CompareAndSwap");
            assertEtcdError(get("/v2/keys/hostile/num?wait=true&waitIndex=" + q), 203, "Watch From Index");
            assertEtcdError(post("/v1/watch/hostile/num", "index=" + q), 203, "Watch From Index");
        }
        for (String ttl : List.of("9223372036854775808", "-9223372036854775809")) {
            assertEtcdError(put("/v2/keys/hostile/num/t", "value=v&ttl=" + ttl), 202, "Update");
        }
        for (String unsigned : List.of("-1", "+1", "18446744073709551616")) {
            assertEtcdError(put("/v2/keys/hostile/num", "value=v&prevIndex=" + URLEncoder.encode(unsigned,
                    StandardCharsets.UTF_8)), 203, "CompareAndSwap");
        }
        // the extremes the reference accepts: the expiration wraps around, nothing fails
        for (String ttl : List.of("9223372036854775807", "-9223372036854775808", "9223372036", "-9223372036", "+0")) {
            String q = URLEncoder.encode(ttl, StandardCharsets.UTF_8);
            HttpAnswer set = put("/v2/keys/hostile/ttl/v2", "value=v&ttl=" + q);
            assertTrue(set.isSuccess(), ttl + ": " + set);
            HttpAnswer v1 = post("/v1/keys/hostile/ttl/v1", "value=v&ttl=" + q);
            assertTrue(v1.isSuccess(), ttl + ": " + v1);
            assertTrue(get("/v2/keys/hostile/ttl/?recursive=true").status() < 500, ttl);
        }
        HttpAnswer largest = put("/v2/keys/hostile/num", "value=v&prevIndex=18446744073709551615");
        assertEquals(412, largest.status(), largest.toString());
        for (String length : List.of("99999999999999999999", "-1", "1e3", "0x10")) {
            HttpAnswer answer = sendRaw(ascii("PUT /v2/keys/hostile/num/cl HTTP/1.1\r\nHost: x\r\nContent-Length: " + length
                    + "\r\nContent-Type: " + FORM + "\r\n\r\nvalue=1"));
            assertEquals(400, answer.status(), "Content-Length " + length + ": " + answer);
        }
        assertStillServes();
    }

    @Test
    @Order(7)
    void malformedHttpIsRefusedAndTruncatedRequestsWriteNothing() throws Exception {
        Random random = new Random(42);
        byte[] garbage = new byte[64 << 10];
        random.nextBytes(garbage);
        assertRefusedOrClosed(garbage, "random bytes");
        assertRefusedOrClosed(ascii("GET /\r\n\r\n"), "an HTTP/0.9 request");
        assertRefusedOrClosed(ascii("GET / HTTP/1.1\r\nHost: x\r\nBad\u0000Header: 1\r\n\r\n"), "a NUL in a header name");

        assertInvalidField(sendRaw(ascii("GET /version HTTP/1.1\r\nHost: x\r\nX-Big: " + "h".repeat(200 << 10) + "\r\n\r\n")),
                431, "request headers larger than 65536 bytes");
        assertInvalidField(sendRaw(ascii("GET /v2/keys/" + "k".repeat(100 << 10) + " HTTP/1.1\r\nHost: x\r\n\r\n")),
                414, "request line longer than 65536 bytes");
        StringBuilder many = new StringBuilder("GET /version HTTP/1.1\r\nHost: x\r\n");
        for (int i = 0; i < 5000; i++) {
            many.append("H").append(i).append(": v\r\n");
        }
        assertTrue(sendRaw(ascii(many + "\r\n")).status() < 500, "many small headers");

        String chunkedHead = "PUT /v2/keys/hostile/bad/chunked HTTP/1.1\r\nHost: x\r\nContent-Type: " + FORM
                + "\r\nTransfer-Encoding: chunked\r\n\r\n";
        for (String body : List.of("zz\r\nvalue=x\r\n0\r\n\r\n", "ffffffffffffffffffff\r\nvalue=x\r\n0\r\n\r\n",
                "-7\r\nvalue=x\r\n0\r\n\r\n", "7\r\nvalue=xtoolong\r\n0\r\n\r\n")) {
            // a lenient reading of a bad chunk may even take it; what matters is no 5xx
            assertNoServerError(ascii(chunkedHead + body), "chunked body " + body.replace("\r\n", "\\r\\n"));
        }
        HttpAnswer smuggled = sendRaw(ascii("PUT /v2/keys/hostile/bad/both HTTP/1.1\r\nHost: x\r\nContent-Type: " + FORM
                + "\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n7\r\nvalue=s\r\n0\r\n\r\n"));
        assertTrue(smuggled.status() < 500, smuggled.toString());

        // requests cut short and abandoned leave nothing behind
        for (String truncated : List.of("PUT /v2/keys/hostile/bad/cut HTTP/1.1\r\nHost: x\r\nContent-Type: " + FORM
                        + "\r\nContent-Length: 100\r\n\r\nvalue=cut",
                "PUT /v2/keys/hostile/bad/cut HTTP/1.1\r\nHost: x\r\nContent-Ty",
                "PUT /v2/keys/hostile/bad/cut HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: " + FORM
                        + "\r\n\r\n9\r\nvalue=cut\r\n")) {
            try (Socket socket = new Socket(EtcdProcess.HOST, node.clientPort())) {
                socket.getOutputStream().write(ascii(truncated));
                socket.getOutputStream().flush();
            }
        }
        assertEquals(404, get("/v2/keys/hostile/bad/cut").status(), "a truncated request was performed");
        assertStillServes();
    }

    @Test
    @Order(8)
    void thousandsOfWatchersWhoseConnectionsAreResetAreFreed() throws Exception {
        int watchers = 2000;
        long before = pendingWatchers();
        List<Socket> sockets = new ArrayList<>(watchers);
        try {
            byte[] watch = ascii("GET /v2/keys/hostile/watched?wait=true HTTP/1.1\r\nHost: x\r\n\r\n");
            for (int i = 0; i < watchers; i++) {
                Socket socket = new Socket(EtcdProcess.HOST, node.clientPort());
                sockets.add(socket);
                socket.getOutputStream().write(watch);
                socket.getOutputStream().flush();
            }
            awaitWatchers(n -> n >= before + watchers, "all " + watchers + " watches registered");
        } finally {
            for (Socket socket : sockets) {
                resetQuietly(socket);
            }
        }
        awaitWatchers(n -> n <= before, "the reset watchers freed");
        acknowledge("/v2/keys/hostile/watched", "w", put("/v2/keys/hostile/watched", "value=w"));
        assertStillServes();
    }

    @Test
    @Order(9)
    void clientsThatPipelineBigReadsAndNeverReadDoNotExhaustTheServer() throws Exception {
        // given a directory whose recursive listing is about 2 MiB
        String chunk = "b".repeat(20 << 10);
        for (int i = 0; i < 100; i++) {
            String key = "/v2/keys/hostile/big/" + i;
            acknowledge(key, chunk, put(key, "value=" + chunk));
        }
        // when 20 clients each pipeline 100 reads of it and never read an answer (4 GiB unread in
        // all, ten times the server's heap)
        byte[] reads = ascii("GET /v2/keys/hostile/big?recursive=true HTTP/1.1\r\nHost: x\r\n\r\n".repeat(100));
        List<Socket> slow = new ArrayList<>();
        long readsBefore = storeStat("getsSuccess");
        try {
            for (int i = 0; i < 20; i++) {
                Socket socket = new Socket();
                socket.setReceiveBufferSize(4096);
                socket.connect(new InetSocketAddress(EtcdProcess.HOST, node.clientPort()));
                slow.add(socket);
                socket.getOutputStream().write(reads);
                socket.getOutputStream().flush();
            }
            // then the node still serves everyone else, writes and big reads alike
            for (int i = 0; i < 10; i++) {
                assertStillServes();
                HttpAnswer listing = get("/v2/keys/hostile/big?recursive=true");
                assertEquals(200, listing.status());
                assertTrue(listing.body().length > 2_000_000, "listing of " + listing.body().length + " bytes");
            }
            // and of the 2000 reads pipelined it has answered only what the sockets could take
            long slowReads = storeStat("getsSuccess") - readsBefore - 2 * 10;
            assertTrue(slowReads <= 20 * 10, slowReads + " of the never-read reads were answered");
        } finally {
            for (Socket socket : slow) {
                resetQuietly(socket);
            }
        }
        assertStillServes();
    }

    @Test
    @Order(10)
    void afterSigkillAndRestartEveryAcknowledgedWriteIsThere() throws Exception {
        // given everything above acknowledged, when the node is killed and restarted on its directory (its log replayed)
        node.kill();
        node.restart();
        // then every acknowledged write reads back as acknowledged
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, String> write : acknowledged.entrySet()) {
            HttpAnswer answer = get(write.getKey());
            if (answer.status() != 200 || !write.getValue().equals(json(answer).path("node").path("value").asText())) {
                missing.add(shorten(write.getKey()) + " -> " + shorten(answer.toString()));
            }
        }
        assertEquals(List.of(), missing, missing.size() + " of " + acknowledged.size() + " acknowledged writes lost");
        assertStillServes();
    }

    @Test
    @Order(11)
    void theLargestAcceptedKeysAndValuesGoThroughASnapshotAndARestart() throws Exception {
        try (EtcdProcess snapshotting = EtcdProcess.startMember("node0", List.of("-Xmx384m"),
                List.of("-snapshot-count", "100"))) {
            snapshotting.showLogOnFailure(() -> {
                Map<String, String> written = new LinkedHashMap<>();
                // given the deepest, longest and largest a client may write, and odd bytes in a key
                written.put("/v2/keys/snap/deep700" + "/d".repeat(698), "v700");
                written.put("/v2/keys/snap/deep1024" + "/d".repeat(1022), "v1024");
                written.put("/v2/keys/snap/long/" + "k".repeat(MAX_KEY_BYTES - "/snap/long/".length()), "long");
                written.put("/v2/keys/snap/odd/nul%00%01%C3%28", "odd");
                written.put("/v2/keys/snap/value", "x".repeat(MAX_VALUE));
                // and enough changes after them for snapshots to be taken
                for (int i = 0; i < 250; i++) {
                    written.put("/v2/keys/snap/fill/" + i, "f" + i);
                }
                for (Map.Entry<String, String> w : written.entrySet()) {
                    HttpAnswer set;
                    try (HttpConnection c = snapshotting.connect(TIMEOUT)) {
                        set = c.sendForm("PUT", w.getKey(), "value=" + w.getValue());
                    } catch (IOException e) {
                        throw new AssertionError("the node stopped answering (" + e + "); it said: "
                                + stopReasons(snapshotting), e);
                    }
                    assertTrue(set.isSuccess(), shorten(w.getKey()) + ": " + set);
                }
                awaitLog(snapshotting, "snapshot at index", "a snapshot with the deep keys in it");
                assertTrue(snapshotting.isAlive(), "the node died taking a snapshot");
                // when the node is killed and restarted from its snapshot and log
                snapshotting.kill();
                snapshotting.restart();
                awaitLog(snapshotting, "store restored from the snapshot", "the restart read a snapshot");
                // then everything reads back
                for (Map.Entry<String, String> w : written.entrySet()) {
                    HttpAnswer read;
                    try (HttpConnection c = snapshotting.connect(TIMEOUT)) {
                        read = c.get(w.getKey());
                    }
                    assertEquals(w.getValue(), value(read), shorten(w.getKey()));
                }
            });
        }
    }

    // ----- helpers

    /** The process lives and takes a write, which reads back. */
    private static void assertStillServes() throws IOException {
        assertTrue(node.isAlive(), "the server process died");
        String key = "/v2/keys/hostile/alive/" + (++sequence);
        HttpAnswer set = put(key, "value=ok" + sequence);
        acknowledge(key, "ok" + sequence, set);
        assertEquals("ok" + sequence, value(get(key)));
    }

    private static void acknowledge(String target, String value, HttpAnswer answer) {
        assertTrue(answer.isSuccess(), "write to " + shorten(target) + ": " + answer);
        acknowledged.put(target, value);
    }

    private static void assertInvalidField(HttpAnswer answer, int status, String cause) throws IOException {
        assertEquals(status, answer.status(), answer.toString());
        JsonNode error = json(answer);
        assertEquals(209, error.path("errorCode").asInt(), answer.toString());
        assertEquals("Invalid field", error.path("message").asText());
        assertEquals(cause, error.path("cause").asText());
    }

    private static void assertEtcdError(HttpAnswer answer, int code, String cause) throws IOException {
        assertEquals(400, answer.status(), answer.toString());
        JsonNode error = json(answer);
        assertEquals(code, error.path("errorCode").asInt(), answer.toString());
        assertEquals(cause, error.path("cause").asText(), answer.toString());
    }

    /** Malformed input gets a 4xx, or at worst the connection closes; never a 5xx. */
    private static void assertRefusedOrClosed(byte[] input, String what) {
        try {
            HttpAnswer answer = sendRaw(input);
            assertTrue(answer.status() >= 400 && answer.status() < 500, what + ": " + answer);
        } catch (IOException closed) {
            // closed without an answer: acceptable for input that is not HTTP
        }
        assertTrue(node.isAlive(), "the server died on " + what);
    }

    private static void assertNoServerError(byte[] input, String what) {
        try {
            HttpAnswer answer = sendRaw(input);
            assertTrue(answer.status() < 500, what + ": " + answer);
        } catch (IOException closed) {
            // closed without an answer
        }
        assertTrue(node.isAlive(), "the server died on " + what);
    }

    private static void awaitWatchers(LongPredicate condition, String what) throws IOException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        long last;
        while (!condition.test(last = pendingWatchers())) {
            if (System.nanoTime() - deadline > 0) {
                fail(what + ": not within " + TIMEOUT + "; the store reports " + last + " watchers");
            }
            LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
        }
    }

    private static long pendingWatchers() throws IOException {
        return storeStat("watchers");
    }

    private static long storeStat(String name) throws IOException {
        return json(get("/v2/stats/store")).path(name).asLong();
    }

    private static void awaitLog(EtcdProcess process, String text, String what) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!process.logTail(4_000_000).contains(text)) {
            if (System.nanoTime() - deadline > 0) {
                fail(what + ": the log never said '" + text + "'");
            }
            LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
        }
    }

    /** The lines of a server's log that say why it stopped, or report errors. */
    private static String stopReasons(EtcdProcess process) {
        return process.logTail(4_000_000).lines()
                .filter(l -> l.contains("stopping") || l.contains("ERROR") || l.startsWith("Caused by"))
                .limit(10).toList().toString();
    }

    /** Closes with a reset (SO_LINGER 0), as a client that crashed or a middlebox would. */
    private static void resetQuietly(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
            socket.close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    private static String currentIndex() throws IOException {
        return get("/v2/keys/_etcd/machines/" + node.name()).header("X-Etcd-Index").orElseThrow();
    }

    private static HttpAnswer sendRaw(byte[] input) throws IOException {
        try (HttpConnection c = node.connect(TIMEOUT)) {
            CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
                try {
                    c.send(input);
                } catch (IOException closed) {
                    // the server may answer and close before it has read everything
                }
            });
            HttpAnswer answer = c.readAnswer("GET");
            writing.join();
            return answer;
        }
    }

    private static HttpAnswer exchange(String method, String target, List<Map.Entry<String, String>> headers, byte[] body)
            throws IOException {
        try (HttpConnection c = node.connect(TIMEOUT)) {
            return c.exchange(method, target, headers, body);
        }
    }

    private static HttpAnswer get(String target) throws IOException {
        return exchange("GET", target, List.of(), null);
    }

    private static HttpAnswer put(String target, String form) throws IOException {
        return exchange("PUT", target, List.of(Map.entry("Content-Type", FORM)), form.getBytes(StandardCharsets.UTF_8));
    }

    private static HttpAnswer post(String target, String form) throws IOException {
        return exchange("POST", target, List.of(Map.entry("Content-Type", FORM)), form.getBytes(StandardCharsets.UTF_8));
    }

    private static String value(HttpAnswer answer) throws IOException {
        assertEquals(200, answer.status(), answer.toString());
        return json(answer).path("node").path("value").asText();
    }

    private static JsonNode json(HttpAnswer answer) throws IOException {
        return Observation.JSON.readTree(answer.text());
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String shorten(String text) {
        return text.length() > 200 ? text.substring(0, 200) + "...(" + text.length() + " chars)" : text;
    }
}
