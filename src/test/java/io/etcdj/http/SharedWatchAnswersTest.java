package io.etcdj.http;

import io.etcdj.http.EmbeddedClient.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The watchers one event wakes get one answer encoded once and sent as the same bytes: each gets
 * exactly the answer encoding its own response gave, and the answers after it on the same
 * connection are framed as before (the codec's note of which request each answer is for stays in
 * step).
 */
class SharedWatchAnswersTest {
    private static final String EVENT = "{\"action\":\"set\",\"node\":{\"key\":\"/w\",\"value\":\"1\",\"modifiedIndex\":1,"
            + "\"createdIndex\":1}}";

    private final FakeEtcdServer server = new FakeEtcdServer(Clock.systemUTC());
    private final ClientChannelInitializer listener = new ClientChannelInitializer(server, HttpOptions.defaults());
    private final List<EmbeddedClient> clients = new ArrayList<>();

    @AfterEach
    void close() {
        clients.forEach(EmbeddedClient::close);
    }

    private EmbeddedClient connect() {
        EmbeddedClient client = new EmbeddedClient(listener);
        clients.add(client);
        return client;
    }

    /** The answer's bytes with the Date header's value blanked (it may turn a second between two). */
    private static String withoutDate(String raw) {
        return raw.replaceFirst("\r\nDate: [^\r]*\r\n", "\r\nDate: -\r\n");
    }

    @Test
    void everyWatcherOfAnEventGetsTheAnswerItsOwnResponseWouldGive() {
        EmbeddedClient writer = connect();
        List<EmbeddedClient> watchers = List.of(connect(), connect(), connect());
        for (EmbeddedClient w : watchers) {
            w.writeRaw("GET /v2/keys/w?wait=true HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals("", w.takeRaw());
        }

        writer.form("PUT", "/v2/keys/w", "value", "1");

        String expected = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Etcd-Index: 1\r\n"
                + "X-Raft-Index: " + server.raftIndex() + "\r\nX-Raft-Term: " + server.raftTerm() + "\r\n"
                + "Date: -\r\nContent-Length: " + EVENT.length() + "\r\n\r\n" + EVENT;
        for (EmbeddedClient w : watchers) {
            String raw = w.takeRaw();
            assertEquals(expected, withoutDate(raw));
            assertTrue(w.channel.isActive());
        }
    }

    @Test
    void answersAfterASharedOneOnTheSameConnectionAreFramedAsBefore() {
        EmbeddedClient writer = connect();
        EmbeddedClient other = connect();
        EmbeddedClient watcher = connect();
        other.writeRaw("GET /v2/keys/w?wait=true HTTP/1.1\r\nHost: x\r\n\r\n");
        // the watch, then a HEAD and a GET sent behind it before it is answered
        watcher.writeRaw("GET /v2/keys/w?wait=true HTTP/1.1\r\nHost: x\r\n\r\n"
                + "HEAD /v2/keys/w HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /v2/keys/w HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals("", watcher.takeRaw());

        writer.form("PUT", "/v2/keys/w", "value", "1");

        Response watched = watcher.awaitResponse(false);
        assertEquals(EVENT, watched.body());
        // keys take no HEAD: the router's 404, whose body a HEAD's answer leaves out
        Response head = watcher.awaitResponse(true);
        assertEquals(404, head.status());
        assertEquals("19", head.header("Content-Length"));
        Response get = watcher.awaitResponse(false);
        assertEquals(200, get.status());
        assertTrue(get.body().startsWith("{\"action\":\"get\""), get.body());
        assertEquals("", watcher.takeRaw(), "the HEAD's answer had no body");
        assertEquals(EVENT, other.awaitResponse(false).body());

        // and once more, one request at a time
        watcher.writeRaw("GET /v2/keys/w?wait=true HTTP/1.1\r\nHost: x\r\n\r\n");
        writer.form("PUT", "/v2/keys/w", "value", "2");
        assertTrue(watcher.awaitResponse(false).body().contains("\"value\":\"2\""));
        Response head2 = watcher.send("HEAD", "/v2/keys/w", null, null);
        assertEquals(404, head2.status());
        assertEquals("", watcher.takeRaw(), "the HEAD's answer had no body");
        Response get2 = watcher.get("/v2/keys/w");
        assertTrue(get2.body().contains("\"value\":\"2\""), get2.body());
    }

    @Test
    void eachWatcherGetsTheFramingOfItsOwnRequest() {
        EmbeddedClient writer = connect();
        EmbeddedClient http11 = connect();
        EmbeddedClient http10 = connect();
        EmbeddedClient closing = connect();
        http11.writeRaw("GET /v2/keys/w?wait=true HTTP/1.1\r\nHost: x\r\n\r\n");
        http10.writeRaw("GET /v2/keys/w?wait=true HTTP/1.0\r\nHost: x\r\n\r\n");
        closing.writeRaw("GET /v2/keys/w?wait=true HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

        writer.form("PUT", "/v2/keys/w", "value", "1");

        String keepAlive = http11.takeRaw();
        String old = http10.takeRaw();
        String close = closing.takeRaw();
        assertTrue(keepAlive.startsWith("HTTP/1.1 200 OK\r\n"), keepAlive);
        assertFalse(keepAlive.contains("Connection:"), keepAlive);
        assertTrue(old.startsWith("HTTP/1.0 200 OK\r\n"), old);
        assertFalse(old.contains("Connection:"), old);
        assertTrue(close.startsWith("HTTP/1.1 200 OK\r\n"), close);
        assertTrue(close.contains("\r\nConnection: close\r\n"), close);
        for (String raw : List.of(keepAlive, old, close)) {
            assertTrue(raw.endsWith("\r\n\r\n" + EVENT), raw);
        }
        assertTrue(http11.channel.isActive());
        assertFalse(http10.channel.isActive());
        assertFalse(closing.channel.isActive());
    }

    @Test
    void aWatcherAnsweredAfterALaterWriteSeesThatWritesIndex() {
        EmbeddedClient writer = connect();
        EmbeddedClient first = connect();
        first.writeRaw("GET /v2/keys/w?wait=true HTTP/1.1\r\nHost: x\r\n\r\n");
        writer.form("PUT", "/v2/keys/w", "value", "1");
        assertEquals("1", first.awaitResponse(false).header("X-Etcd-Index"));

        writer.form("PUT", "/v2/keys/other", "value", "x");
        // from the history: the same event, now with index 2 in the store
        EmbeddedClient late = connect();
        Response r = late.get("/v2/keys/w?wait=true&waitIndex=1");
        assertEquals(EVENT, r.body());
        assertEquals("2", r.header("X-Etcd-Index"));
    }

    @Test
    void v1WatchersShareTheirAnswerToo() {
        EmbeddedClient writer = connect();
        EmbeddedClient a = connect();
        EmbeddedClient b = connect();
        a.writeRaw("GET /v1/watch/w HTTP/1.1\r\nHost: x\r\n\r\n");
        b.writeRaw("GET /v1/watch/w HTTP/1.1\r\nHost: x\r\n\r\n");

        writer.form("PUT", "/v2/keys/w", "value", "1");

        String rawA = withoutDate(a.takeRaw());
        assertEquals(rawA, withoutDate(b.takeRaw()));
        assertTrue(rawA.startsWith("HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n"), rawA);
        assertTrue(rawA.contains("\"index\":1"), rawA);
    }
}
