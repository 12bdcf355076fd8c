package io.etcdj.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The lock and leader modules on one node: waiters queue in index order, a waiter that goes away
 * leaves the queue at once, a TTL that lapses hands the lock (or the leadership) to the next in
 * line, and a timeout ends a wait. One node serves every test, each on a key of its own.
 */
class ModLockIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration QUICK = Duration.ofSeconds(10);

    private static EtcdProcess node;

    @BeforeAll
    static void start() {
        node = EtcdProcess.start();
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void threeWaitersAreServedInIndexOrder() throws Exception {
        node.showLogOnFailure(() -> {
            String first = call("POST", "/mod/v2/lock/queue?ttl=30&value=a", null).text();
            // Two connections are served by different event loops: c sent right after b may be
            // queued first (on a loaded machine about one time in ten), and then rightly gets the
            // lock before b. Send c only once b holds its place.
            try (PendingRequest b = PendingRequest.send(node, "POST", "/mod/v2/lock/queue?ttl=30&value=b", null, WAIT)) {
                awaitQueue("queue", 2);
                try (PendingRequest c = PendingRequest.send(node, "POST", "/mod/v2/lock/queue?ttl=30&value=c", null, WAIT)) {
                    servedInOrder(first, b, c);
                }
            }
        });
    }

    /** With a holding the lock and b, c queued behind it in that order: each is served in turn. */
    private static void servedInOrder(String first, PendingRequest b, PendingRequest c) {
        List<JsonNode> queue = awaitQueue("queue", 3);
        assertEquals(List.of("a", "b", "c"), queue.stream().map(n -> n.path("value").asText()).toList(),
                "the queue's order");
        assertFalse(b.isAnswered() || c.isAnswered(), "the waiters answered while a held the lock");

        assertEquals(200, call("DELETE", "/mod/v2/lock/queue?index=" + first, null).status());
        HttpAnswer second = b.await(QUICK);
        assertEquals(200, second.status(), second.toString());
        assertEquals(rankOf(queue, "b"), second.text());
        assertEquals("b", call("GET", "/mod/v2/lock/queue", null).text());
        assertFalse(c.isAnswered(), "c answered while b held the lock");

        assertEquals(200, call("DELETE", "/mod/v2/lock/queue?value=b", null).status());
        HttpAnswer third = c.await(QUICK);
        assertEquals(rankOf(queue, "c"), third.text());
        assertEquals(rankOf(queue, "c"), call("GET", "/mod/v2/lock/queue?field=index", null).text());
    }

    @Test
    void aWaiterThatDisconnectsLeavesTheQueueAtOnce() throws Exception {
        node.showLogOnFailure(() -> {
            String holder = call("POST", "/mod/v2/lock/gone?ttl=30", null).text();
            PendingRequest leaving = PendingRequest.send(node, "POST", "/mod/v2/lock/gone?ttl=30&value=leaving", null, WAIT);
            awaitQueue("gone", 2);
            leaving.close();
            // its node is deleted as soon as the server sees the connection close, long before its TTL
            awaitQueue("gone", 1);

            try (PendingRequest next = PendingRequest.send(node, "POST", "/mod/v2/lock/gone?ttl=30&value=next", null, WAIT)) {
                List<JsonNode> queue = awaitQueue("gone", 2);
                assertEquals(200, call("DELETE", "/mod/v2/lock/gone?index=" + holder, null).status());
                assertEquals(rankOf(queue, "next"), next.await(QUICK).text());
            }
        });
    }

    @Test
    void aLockWhoseTtlLapsesPassesToTheNextWaiter() throws Exception {
        node.showLogOnFailure(() -> {
            call("POST", "/mod/v2/lock/lapse?ttl=2&value=short", null);
            try (PendingRequest next = PendingRequest.send(node, "POST", "/mod/v2/lock/lapse?ttl=30&value=long", null, WAIT)) {
                List<JsonNode> queue = awaitQueue("lapse", 2);
                HttpAnswer answer = next.await(QUICK);
                assertEquals(200, answer.status(), answer.toString());
                assertEquals(rankOf(queue, "long"), answer.text());
                assertEquals("long", call("GET", "/mod/v2/lock/lapse?field=value", null).text());
            }
        });
    }

    @Test
    void aWaiterKeepsItsShortTtlAliveWhileItWaits() throws Exception {
        node.showLogOnFailure(() -> {
            String holder = call("POST", "/mod/v2/lock/alive?ttl=30&value=holder", null).text();
            try (PendingRequest waiter = PendingRequest.send(node, "POST", "/mod/v2/lock/alive?ttl=1&value=w", null, WAIT)) {
                List<JsonNode> queue = awaitQueue("alive", 2);
                long created = queue.get(1).path("modifiedIndex").asLong();
                // the waiter's 1 s TTL is refreshed: its node is modified again and never expires
                EtcdCluster.poll(QUICK, "three refreshes of the waiter's node", () -> {
                    List<JsonNode> now = queue("alive");
                    return now.size() == 2 && now.get(1).path("modifiedIndex").asLong() >= created + 3 ? now : null;
                });
                assertEquals(200, call("DELETE", "/mod/v2/lock/alive?index=" + holder, null).status());
                assertEquals(rankOf(queue, "w"), waiter.await(QUICK).text());
            }
        });
    }

    @Test
    void aTimeoutEndsTheWaitAndLeavesTheQueue() throws Exception {
        node.showLogOnFailure(() -> {
            call("POST", "/mod/v2/lock/slow?ttl=30&value=holder", null);
            HttpAnswer now = call("POST", "/mod/v2/lock/slow?ttl=30&value=impatient&timeout=0", null);
            assertEquals(500, now.status());
            assertEquals("acquire lock error: timeout\n", now.text());
            try (PendingRequest later = PendingRequest.send(node, "POST", "/mod/v2/lock/slow?ttl=30&timeout=1", null, WAIT)) {
                HttpAnswer answer = later.await(QUICK);
                assertEquals("acquire lock error: timeout\n", answer.text());
            }
            assertEquals(1, awaitQueue("slow", 1).size());
        });
    }

    @Test
    void theNextNameTakesOverWhenTheLeadersTtlLapses() throws Exception {
        node.showLogOnFailure(() -> {
            assertEquals(200, call("PUT", "/mod/v2/leader/svc", "name=n1&ttl=2").status());
            assertEquals("n1", call("GET", "/mod/v2/leader/svc", null).text());
            try (PendingRequest second = PendingRequest.send(node, "PUT", "/mod/v2/leader/svc", "name=n2&ttl=30", WAIT)) {
                List<JsonNode> queue = awaitQueue("svc", 2);
                HttpAnswer answer = second.await(QUICK);
                assertEquals(200, answer.status(), answer.toString());
                assertEquals(rankOf(queue, "n2"), answer.text());
                assertEquals("n2", call("GET", "/mod/v2/leader/svc", null).text());
                // setting it again renews it, at the same index
                assertEquals(rankOf(queue, "n2"), call("PUT", "/mod/v2/leader/svc", "name=n2&ttl=30").text());
                assertEquals(200, call("DELETE", "/mod/v2/leader/svc?name=n2", null).status());
                assertEquals("", call("GET", "/mod/v2/leader/svc", null).text());
            }
        });
    }

    @Test
    void errorsAnswerInTheReferencesWords() throws Exception {
        node.showLogOnFailure(() -> {
            assertAnswer(500, "invalid ttl: x\n", call("POST", "/mod/v2/lock/err?ttl=x", null));
            assertAnswer(500, "invalid timeout: soon\n", call("POST", "/mod/v2/lock/err?ttl=5&timeout=soon", null));
            assertAnswer(500, "read lock error: Cannot reach servers after 3 time\n", call("GET", "/mod/v2/lock/none", null));
            assertAnswer(200, "get leader error: read lock error: Cannot reach servers after 3 time\n",
                    call("GET", "/mod/v2/leader/none", null));
            assertAnswer(500, "leader name required\n", call("PUT", "/mod/v2/leader/err", "ttl=5"));
            assertAnswer(500, "set leader error: invalid ttl: \n", call("PUT", "/mod/v2/leader/err", "name=x"));
            assertAnswer(500, "release lock error: index or value required\n", call("DELETE", "/mod/v2/lock/err", null));
            assertAnswer(500, "release lock error: index and value cannot both be specified\n",
                    call("DELETE", "/mod/v2/lock/err?index=2&value=a", null));
            assertAnswer(500, "invalid ttl: strconv.ParseInt: parsing \"x\": invalid syntax\n",
                    call("PUT", "/mod/v2/lock/err?ttl=x&index=2", null));
            assertAnswer(500, "renew lock error: index or value required\n", call("PUT", "/mod/v2/lock/err?ttl=5", null));
            String index = call("POST", "/mod/v2/lock/err?ttl=30&value=v", null).text();
            assertAnswer(500, "read lock error: invalid field: size\n", call("GET", "/mod/v2/lock/err?field=size", null));
            assertAnswer(500, "renew lock error: cannot find: w\n", call("PUT", "/mod/v2/lock/err?ttl=5&value=w", null));
            assertAnswer(500, "delete leader error: release lock error: cannot find: w\n",
                    call("DELETE", "/mod/v2/leader/err?name=w", null));
            assertAnswer(500, "release lock error: invalid index: ../../../../x\n",
                    call("DELETE", "/mod/v2/lock/err?index=../../../../x", null));
            assertAnswer(200, "", call("DELETE", "/mod/v2/lock/err?index=" + index, null));
            assertAnswer(301, "", call("GET", "/mod/v2/leader", null));
            assertAnswer(404, "404 page not found\n", call("PATCH", "/mod/v2/lock/err", null));
        });
    }

    private static void assertAnswer(int status, String body, HttpAnswer answer) {
        assertEquals(status, answer.status(), answer.toString());
        assertEquals(body, answer.text(), answer.toString());
    }

    /** The index the lock node holding {@code value} was created at. */
    private static String rankOf(List<JsonNode> queue, String value) {
        for (JsonNode n : queue) {
            if (n.path("value").asText().equals(value)) {
                String key = n.path("key").asText();
                return key.substring(key.lastIndexOf('/') + 1);
            }
        }
        throw new AssertionError("no lock node holds " + value + " in " + queue);
    }

    private static List<JsonNode> awaitQueue(String lock, int size) {
        return EtcdCluster.poll(QUICK, size + " nodes in lock " + lock, () -> {
            List<JsonNode> nodes = queue(lock);
            return nodes.size() == size ? nodes : null;
        });
    }

    /** The lock's nodes in index order, read through the keys API. */
    static List<JsonNode> queue(String lock) {
        HttpAnswer answer = call("GET", "/v2/keys/_etcd/mod/lock/" + lock + "?recursive=true&sorted=true", null);
        List<JsonNode> nodes = new ArrayList<>();
        if (answer.status() == 200) {
            EtcdCluster.json(answer).path("node").path("nodes").forEach(nodes::add);
        }
        nodes.sort((x, y) -> Long.compare(x.path("createdIndex").asLong(), y.path("createdIndex").asLong()));
        return nodes;
    }

    private static HttpAnswer call(String method, String target, String form) {
        try (HttpConnection c = node.connect(QUICK)) {
            return form == null ? c.exchange(method, target, List.of(), null) : c.sendForm(method, target, form);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
