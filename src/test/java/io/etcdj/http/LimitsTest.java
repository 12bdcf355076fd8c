package io.etcdj.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.etcdj.http.EmbeddedClient.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The size limits on keys, values, forms, bodies, request lines and headers, over the wire. */
class LimitsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MIB = 1 << 20;

    private final FakeEtcdServer server = new FakeEtcdServer(Clock.systemUTC());
    private EmbeddedClient client = new EmbeddedClient(server, HttpOptions.defaults());

    @AfterEach
    void close() {
        client.close();
    }

    /** A key {@code levels} deep: {@code /a/a/.../a}. */
    private static String deepKey(int levels) {
        return "/a".repeat(levels);
    }

    private static void assertInvalidField(Response r, int status, String cause) throws Exception {
        assertEquals(status, r.status(), r.body());
        JsonNode error = JSON.readTree(r.body());
        assertEquals(209, error.get("errorCode").asInt(), r.body());
        assertEquals("Invalid field", error.get("message").asText());
        assertEquals(cause, error.get("cause").asText());
        assertEquals(r.header("X-Etcd-Index"), error.get("index").asText());
        assertEquals("text/plain; charset=utf-8", r.header("Content-Type"));
    }

    @Test
    void aKeyOf1024LevelsIsStoredAndReadBackAndOneOf1025IsRefusedBeforeTheLog() throws Exception {
        Response stored = client.form("PUT", "/v2/keys" + deepKey(1024), "value", "deep");
        Response read = client.get("/v2/keys" + deepKey(1024));
        long proposals = server.proposals.get();

        Response refused = client.form("PUT", "/v2/keys" + deepKey(1025), "value", "deeper");

        assertEquals(201, stored.status(), stored.body());
        assertEquals(200, read.status());
        assertTrue(read.body().contains("\"key\":\"" + deepKey(1024) + "\",\"value\":\"deep\""), read.body());
        assertInvalidField(refused, 400, "key has 1025 levels; the limit is 1024");
        assertEquals(proposals, server.proposals.get());
    }

    @Test
    void aRecursiveListingOfTheDeepestTreeIsAnswered() {
        client.form("PUT", "/v2/keys" + deepKey(1024), "value", "deep");

        Response r = client.get("/v2/keys/?recursive=true");

        assertEquals(200, r.status(), r.body().substring(0, Math.min(300, r.body().length())));
        assertTrue(r.body().startsWith("{\"action\":\"get\",\"node\":{\"key\":\"/\",\"dir\":true,\"nodes\":[{\"key\":\"/a\""));
        assertTrue(r.body().contains("\"value\":\"deep\""));
        assertTrue(r.body().endsWith("]}}"), "the root's listing closes last");
    }

    @Test
    void theKeyLimitCountsUtf8BytesAfterDecoding() throws Exception {
        // "/" + 4095 two-byte chars + "k" is 8192 bytes; one more char is over
        String atLimit = "/" + "%C3%A9".repeat(4095) + "k";
        String overLimit = "/" + "%C3%A9".repeat(4096);

        assertEquals(201, client.form("PUT", "/v2/keys" + atLimit, "value", "v").status());
        assertInvalidField(client.form("PUT", "/v2/keys" + overLimit, "value", "v"), 400,
                "key is 8193 bytes long; the limit is 8192");
        assertInvalidField(client.form("PUT", "/v2/keys/" + "k".repeat(8192), "value", "v"), 400,
                "key is 8193 bytes long; the limit is 8192");
    }

    @Test
    void anInOrderCreateCountsTheNameItAdds() throws Exception {
        assertEquals(201, client.form("POST", "/v2/keys" + deepKey(1023), "value", "v").status());
        assertInvalidField(client.form("POST", "/v2/keys" + deepKey(1024), "value", "v"), 400,
                "key has 1025 levels; the limit is 1024");
        // the directory and its 21-byte child name together: 8171 + 21 = 8192
        assertEquals(201, client.form("POST", "/v2/keys/" + "d".repeat(8170), "value", "v").status());
        assertInvalidField(client.form("POST", "/v2/keys/" + "d".repeat(8171), "value", "v"), 400,
                "key is 8193 bytes long; the limit is 8192");
    }

    @Test
    void deletesAndCompareAndSwapsAreCheckedToo() throws Exception {
        client.form("PUT", "/v2/keys/k", "value", "v");
        long proposals = server.proposals.get();

        assertInvalidField(client.delete("/v2/keys" + deepKey(1025)), 400, "key has 1025 levels; the limit is 1024");
        assertInvalidField(client.form("PUT", "/v2/keys/k", "value", "w", "prevValue", "p".repeat(MIB + 1)), 400,
                "prevValue is 1048577 bytes long; the limit is 1048576");
        assertEquals(proposals, server.proposals.get());
    }

    @Test
    void readsAndWatchesOfLongerKeysAnswerAsForAnyMissingKey() {
        Response r = client.get("/v2/keys" + deepKey(1025));

        assertEquals(404, r.status());
        assertEquals("{\"errorCode\":100,\"message\":\"Key not found\",\"cause\":\"/a\",\"index\":0}\n", r.body());
    }

    @Test
    void aValueOfOneMebibyteIsStoredAndOneByteMoreIsRefused() throws Exception {
        Response atLimit = client.form("PUT", "/v2/keys/big", "value", "x".repeat(MIB));
        Response over = client.form("PUT", "/v2/keys/big", "value", "y".repeat(MIB + 1));
        // two bytes per char: 524288 chars are the limit
        Response wideOver = client.form("PUT", "/v2/keys/wide", "value", "é".repeat(MIB / 2) + "z");

        assertEquals(201, atLimit.status());
        assertInvalidField(over, 400, "value is 1048577 bytes long; the limit is 1048576");
        assertInvalidField(wideOver, 400, "value is 1048577 bytes long; the limit is 1048576");
        assertEquals(MIB, JSON.readTree(client.get("/v2/keys/big").body()).get("node").get("value").asText().length());
        assertEquals(201, client.form("PUT", "/v2/keys/wide", "value", "é".repeat(MIB / 2)).status());
    }

    @Test
    void theV1RoutesGiveTheSameErrors() throws Exception {
        assertInvalidField(client.form("POST", "/v1/keys/big", "value", "x".repeat(MIB + 1)), 400,
                "value is 1048577 bytes long; the limit is 1048576");
        assertInvalidField(client.form("PUT", "/v1/keys" + deepKey(1025), "value", "v"), 400,
                "key has 1025 levels; the limit is 1024");
        assertInvalidField(client.delete("/v1/keys/" + "k".repeat(9000)), 400,
                "key is 9001 bytes long; the limit is 8192");
        assertEquals(0, server.proposals.get());
    }

    @Test
    void aBodyAtTheLimitIsReadAndOneByteMoreIs413OnAConnectionThatStays() throws Exception {
        int limit = HttpOptions.DEFAULT_MAX_BODY_BYTES;
        String head = "value=v&padding=";
        String atLimit = head + "p".repeat(limit - head.length());
        String over = atLimit + "p";

        Response taken = client.send("PUT", "/v2/keys/body", "application/x-www-form-urlencoded", atLimit);
        Response refused = client.send("PUT", "/v2/keys/body2", "application/x-www-form-urlencoded", over);

        assertEquals(201, taken.status(), taken.body());
        assertInvalidField(refused, 413, "request body larger than 4194304 bytes");
        assertEquals(1, server.proposals.get());
        assertEquals("etcd v0.2.0", client.get("/version").body());
    }

    @Test
    void aChunkedBodyThatGrowsOverTheLimitIs413AndTheConnectionCloses() throws Exception {
        client.close();
        client = new EmbeddedClient(server, HttpOptions.defaults().withMaxBodyBytes(1000));
        client.writeRaw("PUT /v2/keys/c HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n");
        // two chunks of 512 bytes: the second goes over
        client.writeRaw("200\r\n" + "v".repeat(0x200) + "\r\n");
        client.writeRaw("200\r\n" + "v".repeat(0x200) + "\r\n");

        Response r = client.awaitResponse(false);

        assertInvalidField(r, 413, "request body larger than 1000 bytes");
        assertEquals("close", r.header("Connection"));
        assertFalse(client.channel.isOpen());
        assertEquals(0, server.proposals.get());
    }

    @Test
    void aBodyDeclaredTooLongBehindExpectContinueIsRefusedBeforeItIsSent() throws Exception {
        client.writeRaw("PUT /v2/keys/c HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 52428800\r\n\r\n");

        Response r = client.awaitResponse(false);

        assertInvalidField(r, 413, "request body larger than 4194304 bytes");
        assertFalse(client.channel.isOpen());
    }

    @Test
    void anOverlongRequestLineIs414AndAnOverlargeHeaderBlock431() throws Exception {
        client.writeRaw("GET /v2/keys/" + "k".repeat(64 << 10) + " HTTP/1.1\r\nHost: x\r\n\r\n");
        Response line = client.awaitResponse(false);
        assertInvalidField(line, 414, "request line longer than 65536 bytes");
        assertFalse(client.channel.isOpen());

        client.close();
        client = new EmbeddedClient(server, HttpOptions.defaults());
        client.writeRaw("GET /v2/keys/k HTTP/1.1\r\nHost: x\r\nX-Big: " + "h".repeat(64 << 10) + "\r\n\r\n");
        Response headers = client.awaitResponse(false);
        assertInvalidField(headers, 431, "request headers larger than 65536 bytes");
        assertFalse(client.channel.isOpen());
    }

    @Test
    void aFormWithThousandsOfFieldsIsRefused() throws Exception {
        StringBuilder body = new StringBuilder("value=v");
        for (int i = 0; i < 1000; i++) {
            body.append("&f").append(i).append('=');
        }

        Response r = client.send("PUT", "/v2/keys/k", "application/x-www-form-urlencoded", body.toString());

        assertInvalidField(r, 400, "more than 1000 form fields");
        assertEquals(0, server.proposals.get());
        // a repeated field is one field: only its first value counts
        String repeated = "value=first" + "&value=again".repeat(5000);
        assertEquals(201, client.send("PUT", "/v2/keys/k", "application/x-www-form-urlencoded", repeated).status());
        assertEquals("first", JSON.readTree(client.get("/v2/keys/k").body()).get("node").get("value").asText());
    }

    @Test
    void oddKeysAreStoredAsDecodedAndBadEscapesRefused() throws Exception {
        Response nul = client.form("PUT", "/v2/keys/nul%00byte", "value", "1");
        Response slash = client.form("PUT", "/v2/keys/enc%2Fslash", "value", "2");
        Response badUtf8 = client.form("PUT", "/v2/keys/bad%C3%28utf8", "value", "3");

        assertEquals("/nul\u0000byte", JSON.readTree(nul.body()).get("node").get("key").asText());
        assertEquals("/enc/slash", JSON.readTree(slash.body()).get("node").get("key").asText());
        assertEquals("/bad\ufffd(utf8", JSON.readTree(badUtf8.body()).get("node").get("key").asText());
        for (String bad : new String[] {"/v2/keys/bad%zz", "/v2/keys/trailing%", "/v2/keys/half%4"}) {
            client.close();
            client = new EmbeddedClient(server, HttpOptions.defaults());
            assertEquals(400, client.form("PUT", bad, "value", "x").status(), bad);
        }
        assertEquals(3, server.proposals.get());
    }
}
