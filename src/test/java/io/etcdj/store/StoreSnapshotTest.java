package io.etcdj.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class StoreSnapshotTest {
    private final FakeClock clock = new FakeClock(Instant.parse("2024-01-01T00:00:00Z"));
    private final Store original = new Store(clock);

    private Store roundTrip() {
        Store copy = new Store(clock);
        copy.recover(original.save());
        return copy;
    }

    private void fillOriginal() {
        assertThrows(EtcdException.class, () -> original.get("/nope", false, false));
        original.create("/_etcd/machines/node0", false, "etcd=x&raft=y", false, null);
        original.set("/a/b/c", false, "h\u00e9llo \u2603\n", null);
        original.set("/a/empty", false, "", null);
        original.set("/a/dir", true, null, clock.instant().plusSeconds(30));
        original.set("/t", false, "v", clock.instant().plusNanos(5_000_000_123L));
        original.update("/a/b/c", "changed", null);
        original.delete("/a/empty", false, false);
    }

    @Test
    void roundTripKeepsNodesIndexAndCounters() {
        fillOriginal();

        Store copy = roundTrip();

        assertEquals(original.index(), copy.index());
        assertEquals(original.get("/", true, true), copy.get("/", true, true));
        assertEquals(original.get("/_etcd", true, true), copy.get("/_etcd", true, true));
        assertEquals(original.statsJson(), copy.statsJson());
        assertEquals(original.totalTransactions(), copy.totalTransactions());
        assertEquals(original.nextExpiration(), copy.nextExpiration());
    }

    @Test
    void recoveredStoreKeepsIndexesOfEveryNode() {
        fillOriginal();

        Store copy = roundTrip();

        NodeView c = copy.get("/a/b/c", false, false).node();
        assertEquals(new NodeView("/a/b/c", "changed", null, false, null, 0, null, 6, 2), c);
        assertEquals(2, copy.get("/a", false, false).node().createdIndex());
    }

    @Test
    void recoveredExpirationsAreAbsoluteAndStillExpire() {
        fillOriginal();
        Instant expire = clock.instant().plusNanos(5_000_000_123L);

        Store copy = roundTrip();
        copy.deleteExpiredKeys(expire);

        assertEquals(original.index() + 1, copy.index());
        assertThrows(EtcdException.class, () -> copy.get("/t", false, false));
        assertEquals(clock.instant().plusSeconds(30), copy.nextExpiration());
        assertEquals(clock.instant().plusSeconds(30), copy.get("/a/dir", false, false).node().expiration());
    }

    @Test
    void recoveredHistoryServesPastWatches() {
        fillOriginal();

        Store copy = roundTrip();
        List<Event> seen = new ArrayList<>();
        copy.watch("/a/b/c", false, 3, seen::add);

        assertEquals(1, seen.size());
        assertEquals("/a/b/c", seen.get(0).node().key());
        assertEquals(6, seen.get(0).index());
        assertEquals("h\u00e9llo \u2603\n", seen.get(0).node().prevValue());
    }

    @Test
    void emptyStoreRoundTrips() {
        Store copy = roundTrip();

        assertEquals(0, copy.index());
        assertEquals(List.of(), copy.get("/", true, false).node().nodes());
        assertNull(copy.nextExpiration());
    }

    @Test
    void garbageIsRefused() {
        Store copy = new Store(clock);

        assertThrows(IllegalArgumentException.class, () -> copy.recover("not json".getBytes(StandardCharsets.UTF_8)));
        assertThrows(IllegalArgumentException.class, () -> copy.recover("{}".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void watchersPendingWhenASnapshotReplacesTheStoreAreEndedWithError400() {
        // given a watch waiting on a store
        Store follower = new Store(clock);
        java.util.List<Event> events = new java.util.ArrayList<>();
        java.util.List<EtcdException> errors = new java.util.ArrayList<>();
        follower.watch("/foo", false, 0, events::add, errors::add);
        original.set("/foo", false, "bar", null);

        // when the store is replaced by a snapshot
        follower.recover(original.save());

        // then the watch ends with "watcher is cleared" instead of waiting for ever
        assertEquals(java.util.List.of(), events);
        assertEquals(1, errors.size());
        assertEquals(400, errors.get(0).code());
        assertEquals(original.index(), errors.get(0).index());
        assertTrue(follower.statsJson().contains("\"watchers\":0"), follower.statsJson());
    }
}
