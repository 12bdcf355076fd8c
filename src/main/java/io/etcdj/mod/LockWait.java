package io.etcdj.mod;

import io.etcdj.server.Command;
import io.etcdj.server.EtcdServer;
import io.etcdj.store.EtcdException;
import io.etcdj.store.Store;
import io.etcdj.store.Watcher;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One acquire waiting for its lock node to reach the head of the queue. It holds no thread: it
 * reads the queue, and while another node is ahead it watches that node and its own, reading again
 * when either changes. Everything runs on the event loop of the waiting client's connection.
 *
 * <p>A waiter that created its node keeps the node's TTL fresh while it waits (a waiter whose
 * member dies stops doing so, and its node lapses); it gives up at its deadline, when its node
 * disappears, or when it cannot refresh its node any more (this member lost the leadership).
 * {@link #result} completes when the node is at the head, or exceptionally with a {@link Failure}
 * naming why it is not.
 */
final class LockWait {
    /** Why a wait ended without the lock; the message is the answer's text. */
    static final class Failure extends RuntimeException {
        Failure(String message) {
            super(message, null, false, false);
        }
    }

    private final EtcdServer server;
    private final EventExecutor loop;
    private final Clock clock;
    private final String lockPath;
    private final LockNode own;
    private final boolean keepsAlive;
    private final long ttlSeconds;
    private final CompletableFuture<Void> result = new CompletableFuture<>();
    private final List<Watcher> watchers = new ArrayList<>(2);
    private final List<ScheduledFuture<?>> timers = new ArrayList<>(2);
    /** Bumped at every read of the queue, so that a late callback of an older watch is ignored. */
    private long generation;

    /**
     * @param keepsAlive whether this wait created {@code own} and refreshes its TTL of
     *                   {@code ttlSeconds} (none when not positive)
     */
    LockWait(EtcdServer server, EventExecutor loop, Clock clock, String lockPath, LockNode own, boolean keepsAlive,
             long ttlSeconds) {
        this.server = server;
        this.loop = loop;
        this.clock = clock;
        this.lockPath = lockPath;
        this.own = own;
        this.keepsAlive = keepsAlive;
        this.ttlSeconds = ttlSeconds;
    }

    /**
     * Starts waiting; call on the loop. A negative {@code timeoutSeconds} waits as long as it takes,
     * 0 takes the lock only if it is free now.
     */
    CompletableFuture<Void> start(long timeoutSeconds) {
        evaluate();
        if (result.isDone()) {
            return result;
        }
        if (timeoutSeconds >= 0) {
            timers.add(loop.schedule(() -> fail("acquire lock error: timeout"), timeoutSeconds, TimeUnit.SECONDS));
        }
        if (keepsAlive && ttlSeconds > 0) {
            long periodMillis = Math.max(100, ttlSeconds * 500);
            timers.add(loop.scheduleAtFixedRate(this::refresh, periodMillis, periodMillis, TimeUnit.MILLISECONDS));
        }
        return result;
    }

    /** Ends the wait without the lock (the client went away); nothing is answered. */
    void cancel() {
        fail("acquire lock error: user interrupted");
    }

    CompletableFuture<Void> result() {
        return result;
    }

    private void evaluate() {
        if (result.isDone()) {
            return;
        }
        long round = ++generation;
        cancelWatches();
        Store store = server.store();
        long seen = store.index();
        LockNodes queue;
        try {
            queue = LockNodes.read(store, lockPath);
        } catch (EtcdException e) {
            fail("lock watch lookup error: " + ClientLibraryErrors.describe(e, server));
            return;
        }
        if (queue.byRank(own.rank()) == null) {
            fail("lock watch error: lock node " + own.key() + " was removed");
            return;
        }
        LockNode ahead = queue.ahead(own.rank());
        if (ahead == null) {
            finish(null);
            return;
        }
        try {
            watchers.add(watchOnce(store, ahead.key(), seen, round));
            watchers.add(watchOnce(store, own.key(), seen, round));
        } catch (EtcdException e) {
            fail("lock watch error: " + ClientLibraryErrors.describe(e, server));
        }
    }

    /** Reads the queue again after the next change of {@code key} since {@code seen}. */
    private Watcher watchOnce(Store store, String key, long seen, long round) {
        // the store calls back under its lock: continue on the loop
        return store.watch(key, false, seen + 1,
                event -> post(() -> wake(round)),
                cleared -> post(() -> wake(round)));
    }

    private void post(Runnable task) {
        try {
            loop.execute(task);
        } catch (RejectedExecutionException shuttingDown) {
            // the connection's loop is gone, and the waiting client with it
        }
    }

    private void wake(long round) {
        if (round == generation) {
            evaluate();
        }
    }

    private void refresh() {
        if (result.isDone()) {
            return;
        }
        Command renew = new Command.Update(own.key(), own.value(), LockModule.expireTime(ttlSeconds, clock));
        server.propose(renew).whenCompleteAsync((ok, failure) -> {
            // a node that is gone is noticed by its watch; anything else means this member can no
            // longer keep the node alive, so the wait cannot be honoured
            if (failure != null && !ClientLibraryErrors.isKeyNotFound(failure)) {
                fail("lock watch error: " + ClientLibraryErrors.describe(failure, server));
            }
        }, loop);
    }

    private void fail(String message) {
        finish(new Failure(message));
    }

    private void finish(Failure failure) {
        if (result.isDone()) {
            return;
        }
        generation++;
        cancelWatches();
        for (ScheduledFuture<?> timer : timers) {
            timer.cancel(false);
        }
        timers.clear();
        if (failure == null) {
            result.complete(null);
        } else {
            result.completeExceptionally(failure);
        }
    }

    private void cancelWatches() {
        for (Watcher watcher : watchers) {
            watcher.cancel();
        }
        watchers.clear();
    }
}
