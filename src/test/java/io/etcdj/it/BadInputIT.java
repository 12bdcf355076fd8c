package io.etcdj.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Malformed, hostile or merely odd requests against one running node: each gets the reference's
 * error (codes from the etcd v0.2 handlers) or a clear 4xx, and afterwards the node still serves
 * an ordinary set and get.
 */
class BadInputIT {
    private static final String NOT_FOUND_PAGE = "404 page not found\n";
    private static final String HUGE_NUMBER = "99999999999999999999";

    private static EtcdProcess node;
    private static int sequence;

    @RegisterExtension
    static final TestWatcher SERVER_LOG_ON_FAILURE = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            if (node != null) {
                System.err.println("----- server log for " + context.getDisplayName() + " -----\n" + node.logTail(8000));
            }
        }
    };

    @BeforeAll
    static void startNode() {
        node = EtcdProcess.start();
    }

    @AfterAll
    static void closeNode() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void malformedRequestLinesGetAClientError() throws Exception {
        List<byte[]> inputs = List.of(
                ascii("GARBAGE\r\n\r\n"),
                ascii("GET\r\n\r\n"),
                ascii("GET /v2/keys/x HTTP/9.x\r\nHost: x\r\n\r\n"),
                new byte[] {0, 1, 2, 3, (byte) 0xff, (byte) 0xfe, ' ', '/', ' ', 0x7f, '\r', '\n', '\r', '\n'});
        for (byte[] input : inputs) {
            HttpAnswer answer = sendRaw(input);
            assertClientError(answer, "for " + printable(input));
        }
        assertStillServes();
    }

    @Test
    void badTtlIsError202NamingTheHandler() throws Exception {
        for (String ttl : List.of("abc", "1.5", HUGE_NUMBER, "-" + HUGE_NUMBER, "0x10")) {
            assertEtcdError(put("/v2/keys/bad-input/ttl", "value=v&ttl=" + ttl), 400, 202,
                    "The given TTL in POST form is not a number", "Update");
        }
        assertEtcdError(post("/v2/keys/bad-input/queue", "value=v&ttl=abc"), 400, 202,
                "The given TTL in POST form is not a number", "Create");
        assertStillServes();
    }

    @Test
    void badPrevIndexIsError203() throws Exception {
        put("/v2/keys/bad-input/cas", "value=one");
        for (String prevIndex : List.of("abc", "-1", HUGE_NUMBER, "")) {
            assertEtcdError(put("/v2/keys/bad-input/cas", "value=two&prevIndex=" + prevIndex), 400, 203,
                    "The given index in POST form is not a number", "CompareAndSwap");
        }
        assertStillServes();
    }

    @Test
    void badWaitIndexIsError203() throws Exception {
        for (String waitIndex : List.of("abc", "-1", HUGE_NUMBER, "1e3")) {
            assertEtcdError(get("/v2/keys/bad-input/watched?wait=true&waitIndex=" + waitIndex), 400, 203,
                    "The given index in POST form is not a number", "Watch From Index");
        }
        assertStillServes();
    }

    @Test
    void unknownPathsAndMethodsAreThePlain404() throws Exception {
        for (String path : List.of("/nope", "/v3/keys/x", "/v2/keysx", "/v2/keys", "/v2/stats/nope", "/version/x")) {
            assertNotFoundPage(get(path), "GET " + path);
        }
        for (String method : List.of("PATCH", "TRACE", "BREW", "FOO")) {
            try (HttpConnection c = node.connect(Duration.ofSeconds(10))) {
                assertNotFoundPage(c.exchange(method, "/v2/keys/bad-input/k", List.of(), null), method);
            }
        }
        assertStillServes();
    }

    @Test
    void dotSegmentsRedirectToTheCleanedPathAndWriteNothing() throws Exception {
        String indexBefore = currentIndex();
        Map<String, String> redirects = Map.of(
                "/v2/keys/a/../b", "/v2/keys/b",
                "/v2/keys/a/b/../../c", "/v2/keys/c",
                "/v2/keys/../../etc/passwd", "/etc/passwd",
                "/v2/keys/..", "/v2",
                "/v2/keys/./x/.", "/v2/keys/x",
                "/v2/keys/a/../b?recursive=true", "/v2/keys/b?recursive=true");
        for (Map.Entry<String, String> r : redirects.entrySet()) {
            HttpAnswer answer = get(r.getKey());
            assertEquals(301, answer.status(), "GET " + r.getKey() + ": " + answer);
            assertEquals(r.getValue(), answer.header("Location").orElse(null), "GET " + r.getKey());
        }
        // a write to a path with dot segments is redirected, not performed
        HttpAnswer escaped = put("/v2/keys/../bad-input-escape", "value=x");
        assertEquals(301, escaped.status(), escaped.toString());
        assertEquals("/v2/bad-input-escape", escaped.header("Location").orElse(null));
        assertEquals(indexBefore, currentIndex(), "a redirected write changed the store");
        assertEquals(404, get("/v2/keys/bad-input-escape").status());
        assertStillServes();
    }

    @Test
    void emptyKeyIsTheReadOnlyRoot() throws Exception {
        assertEtcdError(put("/v2/keys/", "value=x"), 400, 107, "Root is read only", "/");
        try (HttpConnection c = node.connect(Duration.ofSeconds(10))) {
            assertEtcdError(c.exchange("DELETE", "/v2/keys/?recursive=true", List.of(), null), 400, 107,
                    "Root is read only", "/");
        }
        assertNotFoundPage(put("/v2/keys", "value=x"), "PUT /v2/keys");
        assertStillServes();
    }

    @Test
    void unicodeKeysAndValuesRoundTrip() throws Exception {
        String key = "/bad-input/unicode/héllo-☃-你好 x";
        String value = "värde ☃ 値";
        String path = "/v2/keys" + ScenarioRequest.quotePath(key);
        // given a key and value outside ASCII, when set
        HttpAnswer created = put(path, "value=" + ScenarioRequest.quotePlus(value));
        assertEquals(201, created.status(), created.toString());
        assertEquals(key, json(created).path("node").path("key").asText());
        // then a get and a listing of its directory return them unchanged
        JsonNode got = json(get(path)).path("node");
        assertEquals(key, got.path("key").asText());
        assertEquals(value, got.path("value").asText());
        JsonNode listing = json(get("/v2/keys" + ScenarioRequest.quotePath("/bad-input/unicode"))).path("node").path("nodes");
        assertEquals(1, listing.size(), listing.toString());
        assertEquals(key, listing.get(0).path("key").asText());
        assertStillServes();
    }

    @Test
    void oversizedBodyIsRefused() throws Exception {
        // 16 MiB: far above any sane limit for a key's value
        byte[] body = new byte[16 << 20];
        Arrays.fill(body, (byte) 'x');
        System.arraycopy(ascii("value="), 0, body, 0, 6);
        try (HttpConnection c = node.connect(Duration.ofSeconds(30))) {
            c.send(ascii("PUT /v2/keys/bad-input/big HTTP/1.1\r\nHost: " + c.authority()
                    + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " + body.length + "\r\n\r\n"));
            // the server may answer and close before it has read the body: write it on the side
            CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
                try {
                    c.send(body);
                } catch (IOException refused) {
                    // expected once the server has answered and closed
                }
            });
            HttpAnswer answer = c.readAnswer("PUT");
            assertClientError(answer, "for a " + body.length + "-byte body");
            c.close();
            writing.join();
        }
        assertEquals(404, get("/v2/keys/bad-input/big").status(), "the oversized value was stored");
        assertStillServes();
    }

    @Test
    void hugeHeaderIsRefused() throws Exception {
        String big = "y".repeat(2 << 20);
        HttpAnswer answer;
        try (HttpConnection c = node.connect(Duration.ofSeconds(30))) {
            CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
                try {
                    c.send(ascii("GET /v2/keys/bad-input/k HTTP/1.1\r\nHost: " + c.authority() + "\r\nX-Big: " + big + "\r\n\r\n"));
                } catch (IOException refused) {
                    // expected once the server has answered and closed
                }
            });
            answer = c.readAnswer("GET");
            c.close();
            writing.join();
        }
        assertClientError(answer, "for a 2 MiB header");
        assertStillServes();
    }

    @Test
    void unusableContentLengthIsAClientError() throws Exception {
        for (String length : List.of(HUGE_NUMBER, "-1", "abc")) {
            HttpAnswer answer = sendRaw(ascii("PUT /v2/keys/bad-input/cl HTTP/1.1\r\nHost: x\r\nContent-Length: " + length
                    + "\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\nvalue=1"));
            assertClientError(answer, "for Content-Length " + length);
        }
        assertStillServes();
    }

    // ----- helpers

    /** A fresh set and get still work, and the process is alive. */
    private static void assertStillServes() throws IOException {
        assertTrue(node.isAlive(), "the server process died");
        String key = "/v2/keys/bad-input/alive/" + (++sequence);
        HttpAnswer set = put(key, "value=ok" + sequence);
        assertTrue(set.isSuccess(), "set after bad input: " + set);
        HttpAnswer got = get(key);
        assertEquals(200, got.status(), "get after bad input: " + got);
        assertEquals("ok" + sequence, json(got).path("node").path("value").asText());
    }

    private static void assertEtcdError(HttpAnswer answer, int status, int code, String message, String cause)
            throws IOException {
        assertEquals(status, answer.status(), answer.toString());
        JsonNode error = json(answer);
        assertEquals(code, error.path("errorCode").asInt(), answer.toString());
        assertEquals(message, error.path("message").asText(), answer.toString());
        assertEquals(cause, error.path("cause").asText(), answer.toString());
        assertEquals(answer.header("X-Etcd-Index").orElse("(none)"), error.path("index").asText(), answer.toString());
    }

    private static void assertNotFoundPage(HttpAnswer answer, String what) {
        assertEquals(404, answer.status(), what + ": " + answer);
        assertEquals(NOT_FOUND_PAGE, answer.text(), what);
    }

    private static void assertClientError(HttpAnswer answer, String what) {
        assertTrue(answer.status() >= 400 && answer.status() < 500, "expected a 4xx " + what + ", got " + answer);
    }

    private static String currentIndex() throws IOException {
        return get("/v2/keys/_etcd/machines/" + node.name()).header("X-Etcd-Index").orElseThrow();
    }

    private static HttpAnswer sendRaw(byte[] input) throws IOException {
        try (HttpConnection c = node.connect(Duration.ofSeconds(10))) {
            c.send(input);
            return c.readAnswer("GET");
        }
    }

    private static HttpAnswer get(String target) throws IOException {
        try (HttpConnection c = node.connect(Duration.ofSeconds(10))) {
            return c.get(target);
        }
    }

    private static HttpAnswer put(String target, String form) throws IOException {
        try (HttpConnection c = node.connect(Duration.ofSeconds(10))) {
            return c.sendForm("PUT", target, form);
        }
    }

    private static HttpAnswer post(String target, String form) throws IOException {
        try (HttpConnection c = node.connect(Duration.ofSeconds(10))) {
            return c.sendForm("POST", target, form);
        }
    }

    private static JsonNode json(HttpAnswer answer) throws IOException {
        return Observation.JSON.readTree(answer.text());
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String printable(byte[] input) {
        return new String(input, StandardCharsets.ISO_8859_1).replace("\r", "\\r").replace("\n", "\\n");
    }
}
