package io.etcdj.server;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The deadlines of the requests the node loop is working on. Every request gets the same wait,
 * and the loop takes them in the order they arrived, so the deadlines are in order too: a queue
 * checked from its head once per tick is enough, with no timer per request. Answered requests
 * leave the head as it reaches them. Node loop only.
 */
final class RequestDeadlines {
    private record Tracked(long deadlineNanos, CompletableFuture<?> future) {}

    private final ArrayDeque<Tracked> queue = new ArrayDeque<>();

    /** Fails {@code future} with the timeout error if it is still waiting at {@code deadlineNanos}. */
    void track(CompletableFuture<?> future, long deadlineNanos) {
        queue.add(new Tracked(deadlineNanos, future));
    }

    /** Fails every tracked request whose deadline has passed; forgets the answered ones at the head. */
    void expire(long nowNanos, Supplier<? extends Throwable> timeout) {
        Tracked head;
        while ((head = queue.peek()) != null && (head.future().isDone() || nowNanos - head.deadlineNanos() >= 0)) {
            queue.poll();
            if (!head.future().isDone()) {
                head.future().completeExceptionally(timeout.get());
            }
        }
    }

    int size() {
        return queue.size();
    }
}
