package io.etcdj.server;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Requests still waiting at their deadline fail; answered ones are forgotten without a timer each. */
class RequestDeadlinesTest {
    private static final IllegalStateException TIMEOUT = new IllegalStateException("timed out");

    @Test
    void onlyRequestsStillWaitingAtTheirDeadlineFail() {
        RequestDeadlines deadlines = new RequestDeadlines();
        CompletableFuture<Object> answered = new CompletableFuture<>();
        CompletableFuture<Object> early = new CompletableFuture<>();
        CompletableFuture<Object> late = new CompletableFuture<>();
        deadlines.track(answered, 100);
        deadlines.track(early, 100);
        deadlines.track(late, 200);
        answered.complete("ok");
        // before any deadline: nothing fails, but the answered head is forgotten
        deadlines.expire(50, () -> TIMEOUT);
        assertFalse(early.isDone());
        assertEquals(2, deadlines.size());
        // at the first deadline: only the request due then fails
        deadlines.expire(100, () -> TIMEOUT);
        assertTrue(early.isCompletedExceptionally());
        assertFalse(late.isDone());
        assertEquals("ok", answered.join());
        // and a request answered before its deadline keeps its answer
        late.complete("late but in time");
        deadlines.expire(500, () -> TIMEOUT);
        assertEquals("late but in time", late.join());
        assertEquals(0, deadlines.size());
    }

    @Test
    void deadlinesCompareCorrectlyAcrossTheWrapOfNanoTime() {
        RequestDeadlines deadlines = new RequestDeadlines();
        CompletableFuture<Object> f = new CompletableFuture<>();
        deadlines.track(f, Long.MIN_VALUE + 10);
        deadlines.expire(Long.MAX_VALUE - 10, () -> TIMEOUT);
        assertFalse(f.isDone(), "20 ns before its deadline");
        deadlines.expire(Long.MIN_VALUE + 10, () -> TIMEOUT);
        assertTrue(f.isCompletedExceptionally());
    }
}
