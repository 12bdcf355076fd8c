package io.etcdj.http;

import io.etcdj.http.EmbeddedClient.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The v1 keys and watch API: flat answers in sniffed plain text, no index header on success. */
class KeysV1Test {
    private final FakeEtcdServer server = new FakeEtcdServer(Clock.systemUTC());
    private final EmbeddedClient client = new EmbeddedClient(server, HttpOptions.defaults());

    @AfterEach
    void close() {
        client.close();
    }

    private static void assertOk(Response r, String body) {
        assertEquals(200, r.status(), r.body());
        assertEquals(body, r.body());
        assertEquals(List.of("content-type"), r.headerNames());
        assertEquals("text/plain; charset=utf-8", r.header("Content-Type"));
    }

    @Test
    void setReportsANewKeyThenThePreviousValue() {
        assertOk(client.form("POST", "/v1/keys/a", "value", "1"),
                "{\"action\":\"set\",\"key\":\"/a\",\"value\":\"1\",\"newKey\":true,\"index\":1}");
        assertOk(client.form("PUT", "/v1/keys/a", "value", "2"),
                "{\"action\":\"set\",\"key\":\"/a\",\"prevValue\":\"1\",\"value\":\"2\",\"index\":2}");
    }

    @Test
    void getReportsTheStoresIndex() {
        client.form("POST", "/v1/keys/a", "value", "1");
        client.form("POST", "/v1/keys/b", "value", "2");

        assertOk(client.get("/v1/keys/a"), "{\"action\":\"get\",\"key\":\"/a\",\"value\":\"1\",\"index\":2}");
    }

    @Test
    void aDirectoryIsTheArrayOfItsVisibleChildren() {
        client.form("POST", "/v1/keys/d/a", "value", "1");
        client.form("POST", "/v1/keys/d/sub/c", "value", "3");
        client.form("POST", "/v1/keys/d/_h", "value", "4");
        client.form("PUT", "/v2/keys/empty", "dir", "true");

        Response d = client.get("/v1/keys/d");

        assertEquals(200, d.status());
        assertEquals(true, d.body().contains("{\"action\":\"get\",\"key\":\"/d/a\",\"value\":\"1\",\"index\":4}"));
        assertEquals(true, d.body().contains("{\"action\":\"get\",\"key\":\"/d/sub\",\"dir\":true,\"index\":4}"));
        assertEquals(false, d.body().contains("_h"));
        assertOk(client.get("/v1/keys/empty"), "[]");
    }

    @Test
    void aValueIsRequiredAndTheTtlMustBeANumber() {
        Response noValue = client.send("POST", "/v1/keys/a", null, null);
        Response badTtl = client.form("POST", "/v1/keys/a", "value", "1", "ttl", "abc");

        assertEquals(400, noValue.status());
        assertEquals("{\"errorCode\":200,\"message\":\"Value is Required in POST form\",\"cause\":\"Set\","
                + "\"index\":0}\n", noValue.body());
        assertEquals("0", noValue.header("X-Etcd-Index"));
        assertEquals("{\"errorCode\":202,\"message\":\"The given TTL in POST form is not a number\","
                + "\"cause\":\"Set\",\"index\":0}\n", badTtl.body());
    }

    @Test
    void prevValueMakesATestAndSetAndAnEmptyOneAnExistenceTest() {
        client.form("POST", "/v1/keys/k", "value", "1");

        assertOk(client.form("POST", "/v1/keys/k", "value", "2", "prevValue", "1"),
                "{\"action\":\"testAndSet\",\"key\":\"/k\",\"prevValue\":\"1\",\"value\":\"2\",\"index\":2}");
        assertEquals(412, client.form("POST", "/v1/keys/k", "value", "2", "prevValue", "1").status());
        assertOk(client.form("POST", "/v1/keys/n", "value", "1", "prevValue", ""),
                "{\"action\":\"testAndSet\",\"key\":\"/n\",\"value\":\"1\",\"index\":3}");
        Response exists = client.form("POST", "/v1/keys/n", "value", "1", "prevValue", "");
        assertEquals(412, exists.status());
        assertEquals("{\"errorCode\":105,\"message\":\"Key already exists\",\"cause\":\"/n\",\"index\":3}\n",
                exists.body());
    }

    @Test
    void deleteReportsThePreviousValueAndNeverTakesADirectory() {
        client.form("POST", "/v1/keys/k", "value", "v");
        client.form("POST", "/v1/keys/d/x", "value", "1");

        assertOk(client.delete("/v1/keys/k"), "{\"action\":\"delete\",\"key\":\"/k\",\"prevValue\":\"v\",\"index\":3}");
        assertEquals(404, client.delete("/v1/keys/k").status());
        assertEquals(403, client.delete("/v1/keys/d").status());
    }

    @Test
    void aGetWatchWaitsForTheNextChange() {
        try (EmbeddedClient watcher = new EmbeddedClient(server, HttpOptions.defaults())) {
            watcher.writeRaw("GET /v1/watch/w HTTP/1.1\r\nHost: x\r\n\r\n");
            assertNull(watcher.poll(false));

            client.form("POST", "/v1/keys/w", "value", "1");

            assertOk(watcher.awaitResponse(false),
                    "{\"action\":\"set\",\"key\":\"/w\",\"value\":\"1\",\"newKey\":true,\"index\":1}");
        }
    }

    @Test
    void aPostWatchStartsFromTheGivenIndexAndRequiresOne() {
        client.form("POST", "/v1/keys/w", "value", "1");
        client.form("POST", "/v1/keys/w", "value", "2");

        Response fromHistory = client.form("POST", "/v1/watch/w", "index", "2");
        Response noIndex = client.send("POST", "/v1/watch/w", null, null);

        assertOk(fromHistory, "{\"action\":\"set\",\"key\":\"/w\",\"prevValue\":\"1\",\"value\":\"2\",\"index\":2}");
        assertEquals(400, noIndex.status());
        assertEquals("{\"errorCode\":203,\"message\":\"The given index in POST form is not a number\","
                + "\"cause\":\"Watch From Index\",\"index\":2}\n", noIndex.body());
    }

    @Test
    void aWatchFromClearedHistoryIsTheCodeWithoutAMessage() {
        for (int i = 0; i < 1100; i++) {
            server.store().set("/w", false, "v", null);
        }

        Response r = client.form("POST", "/v1/watch/w", "index", "1");

        assertEquals(400, r.status());
        assertEquals("{\"errorCode\":500,\"message\":\"\",\"cause\":\"/w\",\"index\":1100}\n", r.body());
    }
}
