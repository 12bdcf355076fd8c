package io.etcdj.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Many long-poll watches on one key, woken by one write: each is answered exactly once, with the
 * same bytes a single watch of that event gets, and the write itself is answered.
 */
class WatchFanOutIT {
    private static final int WATCHERS = 1000;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Duration POLL_PAUSE = Duration.ofMillis(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static EtcdProcess node;
    private final List<HttpConnection> watches = new ArrayList<>();
    /** The connection that asks for the node's stats. */
    private HttpConnection control;

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

    @AfterEach
    void closeWatches() throws IOException {
        for (HttpConnection c : watches) {
            c.close();
        }
        watches.clear();
        if (control != null) {
            control.close();
        }
    }

    @Test
    void aThousandWatchersOfOneKeyEachGetTheEventOnceWithTheSingleWatchersBytes() throws Exception {
        node.showLogOnFailure(() -> {
            openWatches("/v2/keys/fan?wait=true");
            HttpAnswer write;
            try (HttpConnection writer = node.connect(TIMEOUT)) {
                write = writer.sendForm("PUT", "/v2/keys/fan", "value=fired");
            }
            assertEquals(201, write.status(), write.toString());
            String index = write.header("X-Etcd-Index").orElseThrow();

            List<HttpAnswer> answers = readAnswers();
            HttpAnswer single;
            try (HttpConnection late = node.connect(TIMEOUT)) {
                // the same event, answered to one watch from the history
                single = late.get("/v2/keys/fan?wait=true&waitIndex=" + index);
            }
            assertEquals(200, single.status(), single.toString());
            assertTrue(single.text().startsWith("{\"action\":\"set\",\"node\":{\"key\":\"/fan\",\"value\":\"fired\""),
                    single.text());
            for (HttpAnswer answer : answers) {
                assertEquals(200, answer.status(), answer.toString());
                assertArrayEquals(single.body(), answer.body(), answer.text());
                assertEquals(withoutDate(single.headers()), withoutDate(answer.headers()));
            }
            assertNoSecondAnswer();
        });
    }

    @Test
    void aThousandRecursiveWatchersOfADirectoryEachGetTheEventOnce() throws Exception {
        node.showLogOnFailure(() -> {
            openWatches("/v2/keys/fandir?wait=true&recursive=true");
            try (HttpConnection writer = node.connect(TIMEOUT)) {
                assertEquals(201, writer.sendForm("PUT", "/v2/keys/fandir/a/b", "value=deep").status());
            }
            List<HttpAnswer> answers = readAnswers();
            byte[] first = answers.get(0).body();
            assertTrue(answers.get(0).text().contains("\"key\":\"/fandir/a/b\""), answers.get(0).text());
            for (HttpAnswer answer : answers) {
                assertEquals(200, answer.status(), answer.toString());
                assertArrayEquals(first, answer.body(), answer.text());
            }
            assertNoSecondAnswer();
        });
    }

    /** Opens the watches and waits until the node counts every one of them as registered. */
    private void openWatches(String target) throws Exception {
        long before = pendingWatchers();
        for (int i = 0; i < WATCHERS; i++) {
            HttpConnection c = node.connect(TIMEOUT);
            watches.add(c);
            c.send(HttpConnection.request("GET", target, c.authority(), List.of(), null));
        }
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (pendingWatchers() < before + WATCHERS) {
            if (System.nanoTime() > deadline) {
                fail("the node counts " + pendingWatchers() + " watchers, expected " + (before + WATCHERS));
            }
            LockSupport.parkNanos(POLL_PAUSE.toNanos());
        }
    }

    private List<HttpAnswer> readAnswers() throws IOException {
        List<HttpAnswer> answers = new ArrayList<>();
        for (HttpConnection c : watches) {
            answers.add(c.readAnswer("GET"));
        }
        return answers;
    }

    /**
     * Each watch was answered once: the next answer on its connection is that of the next
     * request, and the node holds no watcher any more.
     */
    private void assertNoSecondAnswer() throws Exception {
        for (HttpConnection c : watches) {
            c.send(HttpConnection.request("GET", "/version", c.authority(), List.of(), null));
        }
        for (HttpConnection c : watches) {
            HttpAnswer next = c.readAnswer("GET");
            assertTrue(next.text().startsWith("etcd"), "a second answer: " + next);
        }
        assertEquals(0, pendingWatchers());
    }

    private long pendingWatchers() throws IOException {
        if (control == null || !control.isReusable()) {
            control = node.connect(TIMEOUT);
        }
        return JSON.readTree(control.get("/v2/stats/store").body()).path("watchers").asLong();
    }

    private static List<Map.Entry<String, String>> withoutDate(List<Map.Entry<String, String>> headers) {
        return headers.stream().filter(h -> !h.getKey().equalsIgnoreCase("Date")).toList();
    }
}
