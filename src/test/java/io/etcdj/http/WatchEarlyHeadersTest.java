package io.etcdj.http;

import io.etcdj.http.EmbeddedClient.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code -watch-early-headers} extension: a v2 watch that has to wait sends its status line and
 * headers at once, then the event as a chunked body, as etcd 2 does; everything else is answered
 * whole, as without it.
 */
class WatchEarlyHeadersTest {
    private static final String EVENT = "{\"action\":\"set\",\"node\":{\"key\":\"/w\",\"value\":\"1\",\"modifiedIndex\":3,"
            + "\"createdIndex\":3}}";

    private final FakeEtcdServer server = new FakeEtcdServer(Clock.systemUTC());
    private final HttpOptions early = HttpOptions.defaults().withWatchEarlyHeaders(true);
    private final EmbeddedClient writer = new EmbeddedClient(server, early);
    private final EmbeddedClient watcher = new EmbeddedClient(server, early);

    @AfterEach
    void close() {
        writer.close();
        watcher.close();
    }

    private void twoWrites() {
        writer.form("PUT", "/v2/keys/a", "value", "x");
        writer.form("PUT", "/v2/keys/b", "value", "y");
    }

    @Test
    void aWaitingWatchSendsItsHeadAtOnceWithTheIndexItBeganAt() {
        twoWrites();
        watcher.writeRaw("GET /v2/keys/w?wait=true HTTP/1.1\r\nHost: x\r\n\r\n");

        String head = watcher.takeRaw();

        assertTrue(head.startsWith("HTTP/1.1 200 OK\r\n"), head);
        assertTrue(head.contains("Content-Type: application/json\r\n"), head);
        assertTrue(head.contains("X-Etcd-Index: 2\r\n"), head);
        assertTrue(head.contains("Transfer-Encoding: chunked\r\n"), head);
        assertFalse(head.contains("Content-Length"), head);
        assertTrue(head.endsWith("\r\n\r\n"), "nothing of the body yet: " + head);

        writer.form("PUT", "/v2/keys/w", "value", "1");
        String body = watcher.takeRaw();

        // one chunk holding exactly the answer a watch gives without the extension, then the end
        assertEquals(Integer.toHexString(EVENT.length()) + "\r\n" + EVENT + "\r\n0\r\n\r\n", body);
        // the connection goes on with the next request
        watcher.writeRaw("GET /version HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals("etcd v0.2.0", watcher.awaitResponse(false).body());
    }

    @Test
    void aWatchThatTheHistoryAnswersIsAnsweredWhole() {
        twoWrites();
        writer.form("PUT", "/v2/keys/w", "value", "1");

        Response r = watcher.get("/v2/keys/w?wait=true&waitIndex=3");

        assertEquals(200, r.status());
        assertEquals(EVENT, r.body());
        assertEquals("3", r.header("X-Etcd-Index"));
        assertEquals(Integer.toString(EVENT.length()), r.header("Content-Length"));
    }

    @Test
    void errorsKnownBeforeWaitingKeepTheirOwnStatus() {
        twoWrites();

        Response bad = watcher.get("/v2/keys/w?wait=true&waitIndex=abc");
        assertEquals(400, bad.status());
        assertTrue(bad.body().contains("\"errorCode\":203"), bad.body());

        for (int i = 0; i < 1100; i++) {
            server.store().set("/foo", false, "bar", null);
        }
        Response cleared = watcher.get("/v2/keys/foo?wait=true&waitIndex=1");
        assertEquals(400, cleared.status());
        assertTrue(cleared.body().contains("\"errorCode\":401"), cleared.body());
    }

    @Test
    void anHttp10WatchIsAnsweredWholeWhenItsEventComes() {
        watcher.writeRaw("GET /v2/keys/w?wait=true HTTP/1.0\r\nHost: x\r\n\r\n");
        assertNull(watcher.poll(false));

        writer.form("PUT", "/v2/keys/w", "value", "1");
        Response r = watcher.awaitResponse(false);

        assertEquals(200, r.status());
        assertEquals("1", r.header("X-Etcd-Index"));
    }

    @Test
    void aWatchClearedAfterItsHeadEndsEmptyAndClosesTheConnection() {
        writer.form("PUT", "/v2/keys/a", "value", "x");
        byte[] image = server.store().save();
        watcher.writeRaw("GET /v2/keys/w?wait=true HTTP/1.1\r\nHost: x\r\n\r\n");
        assertTrue(watcher.takeRaw().startsWith("HTTP/1.1 200 OK\r\n"));

        // the store is replaced by a snapshot: the watch can no longer be served
        server.store().recover(image);

        assertEquals("0\r\n\r\n", watcher.takeRaw());
        assertFalse(watcher.channel.isActive());
    }

    @Test
    void withoutTheExtensionAWatchSendsNothingUntilItsEvent() {
        try (EmbeddedClient plain = new EmbeddedClient(server, HttpOptions.defaults())) {
            plain.writeRaw("GET /v2/keys/w?wait=true HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals("", plain.takeRaw());

            writer.form("PUT", "/v2/keys/w", "value", "1");
            Response r = plain.awaitResponse(false);

            assertEquals("1", r.header("X-Etcd-Index"));
            assertEquals("{\"action\":\"set\",\"node\":{\"key\":\"/w\",\"value\":\"1\",\"modifiedIndex\":1,"
                    + "\"createdIndex\":1}}", r.body());
        }
    }
}
