package io.etcdj.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.etcdj.http.EmbeddedClient.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** v2 long-poll watches: they hold no thread, answer on the next matching change, and let go on close. */
class WatchTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final FakeEtcdServer server = new FakeEtcdServer(Clock.systemUTC());
    private final EmbeddedClient writer = new EmbeddedClient(server, HttpOptions.defaults());
    private final EmbeddedClient watcher = new EmbeddedClient(server, HttpOptions.defaults());

    @AfterEach
    void close() {
        writer.close();
        watcher.close();
    }

    private long pendingWatchers() throws Exception {
        return JSON.readTree(server.store().statsJson()).get("watchers").asLong();
    }

    private void startWatch(String target) {
        watcher.writeRaw("GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n");
    }

    @Test
    void aWatchAnswersTheNextChangeWithTheStoresIndex() throws Exception {
        startWatch("/v2/keys/w?wait=true");
        assertNull(watcher.poll(false));
        assertEquals(1, pendingWatchers());

        writer.form("PUT", "/v2/keys/w", "value", "1");
        Response r = watcher.awaitResponse(false);

        assertEquals(200, r.status());
        assertEquals("{\"action\":\"set\",\"node\":{\"key\":\"/w\",\"value\":\"1\",\"modifiedIndex\":1,"
                + "\"createdIndex\":1}}", r.body());
        assertEquals("1", r.header("X-Etcd-Index"));
        assertEquals("application/json", r.header("Content-Type"));
        assertEquals(0, pendingWatchers());
    }

    @Test
    void aClientThatLeavesFreesItsWatcherAtOnce() throws Exception {
        startWatch("/v2/keys/gone?wait=true");
        assertEquals(1, pendingWatchers());

        watcher.channel.close();
        watcher.channel.runPendingTasks();

        assertEquals(0, pendingWatchers());
        assertEquals(201, writer.form("PUT", "/v2/keys/gone", "value", "1").status());
    }

    @Test
    void aPastWaitIndexAnswersFromHistoryAtOnce() {
        writer.form("PUT", "/v2/keys/k", "value", "a");
        writer.form("PUT", "/v2/keys/other", "value", "x");
        writer.form("PUT", "/v2/keys/k", "value", "b");

        Response r = watcher.get("/v2/keys/k?wait=true&waitIndex=2");

        // prevNode: an extension, the node the set replaced
        assertEquals("{\"action\":\"set\",\"node\":{\"key\":\"/k\",\"value\":\"b\",\"modifiedIndex\":3,"
                + "\"createdIndex\":3},\"prevNode\":{\"key\":\"/k\",\"value\":\"a\",\"modifiedIndex\":1,"
                + "\"createdIndex\":1}}", r.body());
        assertEquals("3", r.header("X-Etcd-Index"));
    }

    @Test
    void waitIndexZeroWaitsForTheNextChange() {
        writer.form("PUT", "/v2/keys/k", "value", "a");
        startWatch("/v2/keys/k?wait=true&waitIndex=0");
        assertNull(watcher.poll(false));

        writer.form("PUT", "/v2/keys/k", "value", "b");

        assertEquals(2, watcherIndex(watcher.awaitResponse(false)));
    }

    private static long watcherIndex(Response r) {
        return Long.parseLong(r.header("X-Etcd-Index"));
    }

    @Test
    void aBadWaitIndexIsRefusedAndWaitMustBeExactlyTrue() {
        writer.form("PUT", "/v2/keys/k", "value", "a");

        for (String bad : new String[] {"abc", "-1", "1.0"}) {
            Response r = watcher.get("/v2/keys/k?wait=true&waitIndex=" + bad);
            assertEquals(400, r.status());
            assertEquals("{\"errorCode\":203,\"message\":\"The given index in POST form is not a number\","
                    + "\"cause\":\"Watch From Index\",\"index\":1}\n", r.body());
        }
        assertEquals("get", action(watcher.get("/v2/keys/k?wait=TRUE")));
        assertEquals("get", action(watcher.get("/v2/keys/k?wait=1")));
    }

    private static String action(Response r) {
        return r.body().substring(11, r.body().indexOf('"', 11));
    }

    @Test
    void clearedHistoryIsTheStoresError() {
        for (int i = 0; i < 1100; i++) {
            server.store().set("/foo", false, "bar", null);
        }

        Response r = watcher.get("/v2/keys/foo?wait=true&waitIndex=1");

        assertEquals(400, r.status());
        assertEquals("401", r.body().substring(13, 16));
        assertEquals("1100", r.header("X-Etcd-Index"));
    }

    @Test
    void aRecursiveWatchSeesChangesBelowAndAPlainOneDoesNot() {
        startWatch("/v2/keys/dir?wait=true");
        try (EmbeddedClient recursive = new EmbeddedClient(server, HttpOptions.defaults())) {
            recursive.writeRaw("GET /v2/keys/dir?wait=true&recursive=true HTTP/1.1\r\nHost: x\r\n\r\n");

            writer.form("PUT", "/v2/keys/dir/a/b", "value", "1");

            assertEquals(200, recursive.awaitResponse(false).status());
            assertNull(watcher.poll(false));
        }
    }

    @Test
    void aWatchCompletedFromAnotherThreadIsAnsweredOnTheConnectionsLoop() throws Exception {
        startWatch("/v2/keys/t?wait=true");
        Thread applier = new Thread(() -> server.store().set("/t", false, "v", null));
        applier.start();
        applier.join();

        Response r = watcher.awaitResponse(false);

        assertEquals(200, r.status());
        assertEquals("1", r.header("X-Etcd-Index"));
    }

    @Test
    void aWatchAndAPipelinedRequestAreAnsweredInOrder() {
        watcher.writeRaw("GET /v2/keys/w?wait=true HTTP/1.1\r\nHost: x\r\n\r\nGET /version HTTP/1.1\r\nHost: x\r\n\r\n");
        assertNull(watcher.poll(false));

        writer.form("PUT", "/v2/keys/w", "value", "1");

        assertEquals("set", action(watcher.awaitResponse(false)));
        assertEquals("etcd v0.2.0", watcher.awaitResponse(false).body());
    }

    @Test
    void manyWatchersOfOneEventGetTheSingleWatchersBytesOnceEach() {
        List<EmbeddedClient> v2 = new ArrayList<>();
        List<EmbeddedClient> v1 = new ArrayList<>();
        try {
            for (int i = 0; i < 50; i++) {
                v2.add(openWatch("GET /v2/keys/many?wait=true"));
                v1.add(openWatch("GET /v1/watch/many"));
            }
            writer.form("PUT", "/v2/keys/many", "value", "1");
            writer.form("PUT", "/v2/keys/other", "value", "2");

            // one watch of the same event, answered from the history
            Response single = watcher.get("/v2/keys/many?wait=true&waitIndex=1");
            for (EmbeddedClient c : v2) {
                Response r = c.awaitResponse(false);
                assertEquals(single.body(), r.body());
                assertEquals(single.headers().stream().filter(h -> !h.getKey().equals("Date")).toList(),
                        r.headers().stream().filter(h -> !h.getKey().equals("Date")).toList());
                assertNull(c.poll(false), "answered twice");
            }
            String v1Body = "{\"action\":\"set\",\"key\":\"/many\",\"value\":\"1\",\"newKey\":true,\"index\":2}";
            for (EmbeddedClient c : v1) {
                assertEquals(v1Body, c.awaitResponse(false).body());
                assertNull(c.poll(false), "answered twice");
            }
        } finally {
            v2.forEach(EmbeddedClient::close);
            v1.forEach(EmbeddedClient::close);
        }
    }

    private EmbeddedClient openWatch(String requestLine) {
        EmbeddedClient c = new EmbeddedClient(server, HttpOptions.defaults());
        c.writeRaw(requestLine + " HTTP/1.1\r\nHost: x\r\n\r\n");
        assertNull(c.poll(false));
        return c;
    }
}
