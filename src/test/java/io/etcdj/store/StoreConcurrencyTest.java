package io.etcdj.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StoreConcurrencyTest {
    private static final int THREADS = 8;
    private static final int PER_THREAD = 500;

    private final Store store = new Store(new FakeClock(Instant.parse("2024-01-01T00:00:00Z")));
    private final ExecutorService pool = Executors.newFixedThreadPool(THREADS + 2);

    @AfterEach
    void stopPool() throws InterruptedException {
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
    }

    @Test
    void concurrentWatchRegistrationsNeverLoseAWatcher() throws Exception {
        AtomicInteger fired = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> tasks = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            tasks.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < PER_THREAD; i++) {
                    store.watch("/w", false, 0, event -> fired.incrementAndGet());
                }
                return null;
            }));
        }
        tasks.add(pool.submit(() -> {
            start.await();
            for (int i = 0; i < PER_THREAD; i++) {
                store.set("/other/" + (i % 10), false, "x", null);
                store.get("/other", true, true);
            }
            return null;
        }));

        start.countDown();
        for (Future<?> task : tasks) {
            task.get(30, TimeUnit.SECONDS);
        }
        assertEquals(THREADS * PER_THREAD, StatsJson.of(store).get("watchers"));
        store.set("/w", false, "go", null);

        assertEquals(THREADS * PER_THREAD, fired.get());
        assertEquals(0, StatsJson.of(store).get("watchers"));
    }

    @Test
    void watchRegisteredAtAnIndexNeverMissesTheChangeAfterIt() throws Exception {
        // each watcher asks for changes after the index it saw; every one must get exactly one event
        AtomicInteger fired = new AtomicInteger();
        AtomicInteger registered = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> tasks = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            tasks.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < PER_THREAD; i++) {
                    long seen = store.index();
                    store.watch("/k", false, seen + 1, event -> fired.incrementAndGet());
                    registered.incrementAndGet();
                }
                return null;
            }));
        }
        tasks.add(pool.submit(() -> {
            start.await();
            for (int i = 0; i < PER_THREAD; i++) {
                store.set("/k", false, Integer.toString(i), null);
            }
            return null;
        }));

        start.countDown();
        for (Future<?> task : tasks) {
            task.get(30, TimeUnit.SECONDS);
        }
        store.set("/k", false, "last", null);

        assertEquals(THREADS * PER_THREAD, registered.get());
        assertEquals(THREADS * PER_THREAD, fired.get());
        assertEquals(0, StatsJson.of(store).get("watchers"));
    }

    @Test
    void concurrentWritersEachAdvanceTheIndexOnce() throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> tasks = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            tasks.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < PER_THREAD; i++) {
                    store.set("/t" + thread + "/k" + i, false, "v", null);
                    store.get("/t" + thread, false, false);
                }
                return null;
            }));
        }

        start.countDown();
        for (Future<?> task : tasks) {
            task.get(30, TimeUnit.SECONDS);
        }

        assertEquals(THREADS * PER_THREAD, store.index());
        assertEquals(THREADS * PER_THREAD, StatsJson.of(store).get("setsSuccess"));
        assertEquals(THREADS * PER_THREAD, StatsJson.of(store).get("getsSuccess"));
        assertEquals(THREADS, store.get("/", false, false).node().nodes().size());
    }
}
