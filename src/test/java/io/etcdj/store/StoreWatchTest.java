package io.etcdj.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class StoreWatchTest {
    private final FakeClock clock = new FakeClock(Instant.parse("2024-01-01T00:00:00Z"));
    private final Store store = new Store(clock);

    /** Collects what a watch delivers. */
    private static final class Seen {
        final List<Event> events = new ArrayList<>();

        void add(Event event) {
            events.add(event);
        }

        List<String> keys() {
            return events.stream().map(e -> e.action() + " " + e.node().key() + " " + e.index()).toList();
        }
    }

    private Seen watch(String key, boolean recursive, long sinceIndex) {
        Seen seen = new Seen();
        store.watch(key, recursive, sinceIndex, seen::add);
        return seen;
    }

    private long watchers() {
        return StatsJson.of(store).get("watchers");
    }

    @Test
    void plainWatchFiresOnceOnTheNextChangeOfItsKey() {
        Seen seen = watch("/w", false, 0);

        store.set("/w", false, "1", null);
        store.delete("/w", false, false);

        assertEquals(List.of("set /w 1"), seen.keys());
        assertEquals(new NodeView("/w", "1", null, false, null, 0, null, 1, 1), seen.events.get(0).node());
        assertEquals(0, watchers());
    }

    @Test
    void plainWatchIgnoresChangesBelowButRecursiveSeesThem() {
        store.set("/dir", true, null, null);
        Seen plain = watch("/dir", false, 0);
        Seen recursive = watch("/dir", true, 0);
        Seen fromRoot = watch("/", true, 0);

        store.set("/dir/a/b", false, "1", null);

        assertEquals(List.of(), plain.keys());
        assertEquals(List.of("set /dir/a/b 2"), recursive.keys());
        assertEquals(List.of("set /dir/a/b 2"), fromRoot.keys());
        assertEquals(1, watchers());
    }

    @Test
    void recursiveWatchIsNotFooledBySiblingPrefixes() {
        Seen recursive = watch("/foo", true, 0);

        store.set("/foobar", false, "1", null);
        store.set("/foo", false, "1", null);

        assertEquals(List.of("set /foo 2"), recursive.keys());
    }

    @Test
    void watchOnAMissingPathFiresWhenItIsCreated() {
        Seen seen = watch("/a/b/c", false, 0);

        store.set("/a/b/x", false, "other", null);
        store.set("/a/b/c", false, "born", null);

        assertEquals(List.of("set /a/b/c 2"), seen.keys());
    }

    @Test
    void plainWatchOnADirectoryFiresWhenItIsCreatedOrDeleted() {
        Seen created = watch("/d", false, 0);
        store.set("/d", true, null, null);
        Seen deleted = watch("/d", false, 0);
        store.delete("/d", true, false);

        assertEquals(List.of("set /d 1"), created.keys());
        assertEquals(List.of("delete /d 2"), deleted.keys());
        assertTrue(deleted.events.get(0).node().dir());
    }

    @Test
    void deletingADirectoryWakesWatchersOfKeysBelowIt() {
        store.set("/p/q/c", false, "1", null);
        store.set("/p/q/d", false, "2", null);
        Seen file = watch("/p/q/c", false, 0);
        Seen innerDir = watch("/p/q", false, 0);
        Seen missing = watch("/p/q/none", false, 0);

        store.delete("/p", true, true);

        assertEquals(List.of("delete /p 3"), file.keys());
        assertEquals(List.of("delete /p 3"), innerDir.keys());
        assertEquals(List.of(), missing.keys());
        assertEquals(1, watchers());
    }

    @Test
    void expiryOfADirectoryWakesWatchersBelowIt() {
        store.set("/p/c", false, "1", null);
        store.update("/p", "", clock.instant().plusSeconds(1));
        Seen child = watch("/p/c", false, 0);

        store.deleteExpiredKeys(clock.instant().plusSeconds(1));

        assertEquals(List.of("expire /p 3"), child.keys());
    }

    @Test
    void pastIndexIsServedFromHistoryImmediately() {
        store.set("/k", false, "a", null);
        store.set("/other", false, "x", null);
        store.set("/k", false, "b", null);

        Seen fromThree = watch("/k", false, 2);
        Seen fromOne = watch("/k", false, 1);
        Seen fromLast = watch("/k", false, 3);
        Seen waiting = watch("/other", false, 3);

        assertEquals(List.of("set /k 3"), fromThree.keys());
        assertEquals(List.of("set /k 1"), fromOne.keys());
        assertEquals(List.of("set /k 3"), fromLast.keys());
        assertEquals(List.of(), waiting.keys());
        assertEquals(1, watchers());
    }

    @Test
    void recursiveHistoryScanFindsEventsBelowTheKey() {
        store.create("/jobs", false, "first", true, null);
        store.create("/jobs", false, "second", true, null);

        Seen seen = watch("/jobs", true, 1);

        assertEquals(List.of("create /jobs/1 1"), seen.keys());
    }

    @Test
    void futureIndexWaitsUntilAnEventAtOrAfterIt() {
        store.set("/k", false, "a", null);
        Seen seen = watch("/k", false, 3);

        store.set("/k", false, "b", null);
        store.set("/k", false, "c", null);

        assertEquals(List.of("set /k 3"), seen.keys());
    }

    @Test
    void indexOlderThanTheHistoryIsRefusedWith401() {
        for (int i = 0; i < Store.HISTORY_CAPACITY + 1; i++) {
            store.set("/foo", false, "bar", null);
        }

        EtcdException e = assertThrows(EtcdException.class, () -> store.watch("/foo", false, 1, event -> { }));
        Seen oldest = watch("/foo", false, 2);

        assertEquals(401, e.code());
        assertEquals("the requested history has been cleared [2/1]", e.errorCause());
        assertEquals(1001, e.index());
        assertEquals(400, e.httpStatus());
        assertEquals(List.of("set /foo 2"), oldest.keys());
        assertEquals(0, watchers());
    }

    @Test
    void historyKeepsTheLastThousandEventsAsInTheReferenceSpeedTest() {
        store.create("/_etcd/machines/node0", false, "x", false, null);
        for (int i = 0; i < 10_000; i++) {
            store.set("/foo", false, "bar", null);
        }

        EtcdException e = assertThrows(EtcdException.class, () -> store.watch("/foo", false, 9001, event -> { }));
        Seen oldest = watch("/foo", false, 9002);

        assertEquals("{\"errorCode\":401,\"message\":\"The event in requested index is outdated and cleared\","
                + "\"cause\":\"the requested history has been cleared [9002/9001]\",\"index\":10001}", e.toJson());
        assertEquals(List.of("set /foo 9002"), oldest.keys());
    }

    @Test
    void cancelFreesTheWatcherAtOnce() {
        Seen kept = new Seen();
        Seen cancelled = new Seen();
        store.watch("/w", false, 0, kept::add);
        Watcher watcher = store.watch("/w", false, 0, cancelled::add);
        assertEquals(2, watchers());

        watcher.cancel();
        watcher.cancel();
        assertEquals(1, watchers());
        store.set("/w", false, "1", null);

        assertEquals(1, kept.events.size());
        assertEquals(List.of(), cancelled.events);
        assertEquals(0, watchers());
    }

    @Test
    void cancellingAFiredWatcherChangesNothing() {
        Watcher fired = store.watch("/w", false, 0, event -> { });
        store.watch("/w", false, 0, event -> { });
        store.set("/w", false, "1", null);
        store.watch("/w", false, 0, event -> { });

        fired.cancel();

        assertEquals(1, watchers());
    }

    @Test
    void failingListenerDoesNotBreakTheWriteOrOtherWatchers() {
        store.watch("/w", false, 0, event -> {
            throw new IllegalStateException("boom");
        });
        Seen other = watch("/w", false, 0);

        Event set = store.set("/w", false, "1", null);

        assertEquals(1, set.index());
        assertEquals(1, other.events.size());
    }

    @Test
    void hiddenKeysAreWatchedLikeAnyOther() {
        Seen root = watch("/", true, 0);

        store.create("/_etcd/machines/node0", false, "x", false, null);

        assertEquals(List.of("create /_etcd/machines/node0 1"), root.keys());
    }

    @Test
    void updateAndCompareAndSwapAreDelivered() {
        store.set("/k", false, "a", null);
        Seen update = watch("/k", false, 0);
        store.update("/k", "b", null);
        Seen swap = watch("/", true, 0);
        store.compareAndSwap("/k", "b", 0, "c", null);

        assertEquals(List.of("update /k 2"), update.keys());
        assertEquals(List.of("compareAndSwap /k 3"), swap.keys());
        assertEquals("b", swap.events.get(0).node().prevValue());
    }

    @Test
    void heldWatchersAreToldOnceAtReleaseAndNoLongerCount() {
        List<Seen> seen = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            seen.add(watch("/many", false, 0));
        }
        Seen recursive = watch("/", true, 0);

        store.holdWatchers();
        store.set("/many", false, "1", null);
        store.set("/many", false, "2", null);

        assertTrue(seen.stream().allMatch(s -> s.events.isEmpty()), "told before the release");
        assertTrue(recursive.events.isEmpty());
        assertEquals(0, watchers());
        // a watch registered meanwhile catches up from the history, not from what is held
        Seen late = watch("/many", false, 1);
        assertEquals(List.of("set /many 1"), late.keys());

        store.releaseWatchers();
        store.releaseWatchers();

        for (Seen s : seen) {
            assertEquals(List.of("set /many 1"), s.keys());
        }
        assertEquals(List.of("set /many 1"), recursive.keys());
        Event first = seen.get(0).events.get(0);
        assertTrue(seen.stream().allMatch(s -> s.events.get(0) == first), "one event object for all");
    }

    @Test
    void holdingOnlyDelaysTheHoldingThreadsWrites() throws Exception {
        Seen mine = watch("/mine", false, 0);
        Seen theirs = watch("/theirs", false, 0);
        store.holdWatchers();

        Thread other = new Thread(() -> store.set("/theirs", false, "x", null));
        other.start();
        other.join();
        store.set("/mine", false, "y", null);

        assertEquals(List.of("set /theirs 1"), theirs.keys());
        assertTrue(mine.events.isEmpty());
        store.releaseWatchers();
        assertEquals(List.of("set /mine 2"), mine.keys());
    }
}
