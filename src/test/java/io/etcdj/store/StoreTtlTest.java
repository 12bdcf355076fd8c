package io.etcdj.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class StoreTtlTest {
    private final FakeClock clock = new FakeClock(Instant.parse("2024-01-01T00:00:00Z"));
    private final Store store = new Store(clock);

    private Instant in(double seconds) {
        return clock.instant().plusNanos((long) (seconds * 1_000_000_000L));
    }

    @Test
    void ttlIsWholeSecondsLeftTruncatedPlusOne() {
        assertEquals(101, Node.ttlSeconds(in(100), clock.instant()));
        assertEquals(100, Node.ttlSeconds(in(99.999), clock.instant()));
        assertEquals(18, Node.ttlSeconds(in(17.5), clock.instant()));
        assertEquals(1, Node.ttlSeconds(in(0), clock.instant()));
        assertEquals(1, Node.ttlSeconds(in(-0.5), clock.instant()));
        assertEquals(0, Node.ttlSeconds(in(-1.5), clock.instant()));
        assertEquals(9223372037L, Node.ttlSeconds(Instant.MAX, clock.instant()));
    }

    @Test
    void setWithExpirationReportsItAndCountsDown() {
        Instant expire = in(19.9);

        Event set = store.set("/t", false, "v", expire);
        clock.advance(Duration.ofMillis(2500));
        NodeView got = store.get("/t", false, false).node();

        assertEquals(expire, set.node().expiration());
        assertEquals(20, set.node().ttl());
        assertEquals(expire, got.expiration());
        assertEquals(18, got.ttl());
        assertEquals(expire, store.nextExpiration());
    }

    @Test
    void expiredKeysAreRemovedWithAnExpireEventEach() {
        store.set("/a", false, "1", in(1));
        store.set("/b", false, "2", in(2));
        store.set("/c", false, "3", in(30));
        List<Event> seen = new ArrayList<>();
        store.watch("/", true, 0, seen::add);
        store.watch("/b", false, 0, seen::add);

        clock.advance(Duration.ofSeconds(3));
        store.deleteExpiredKeys(clock.instant());

        assertEquals(5, store.index());
        assertEquals(List.of(new Event(Event.EXPIRE, new NodeView("/a", null, null, false, null, 0, null, 4, 1),
                        new NodeView("/a", "1", null, false, Instant.parse("2024-01-01T00:00:01Z"), 0, null, 1, 1)),
                new Event(Event.EXPIRE, new NodeView("/b", null, null, false, null, 0, null, 5, 2),
                        new NodeView("/b", "2", null, false, Instant.parse("2024-01-01T00:00:02Z"), 0, null, 2, 2))), seen);
        assertEquals(100, assertThrows(EtcdException.class, () -> store.get("/a", false, false)).code());
        assertEquals("3", store.get("/c", false, false).node().value());
        assertEquals(in(27), store.nextExpiration());
        assertEquals(2L, StatsJson.of(store).get("expireCount"));
    }

    @Test
    void cutoffIsInclusive() {
        Instant expire = in(5);
        store.set("/a", false, "1", expire);

        store.deleteExpiredKeys(expire.minusNanos(1));
        assertEquals(1, store.index());
        store.deleteExpiredKeys(expire);

        assertEquals(2, store.index());
        assertNull(store.nextExpiration());
    }

    @Test
    void expiringDirectoryTakesItsExpiringChildrenAlong() {
        store.set("/d/x", false, "1", in(100));
        store.update("/d", "", in(10));
        List<Event> seen = new ArrayList<>();
        store.watch("/d/x", false, 0, seen::add);

        store.deleteExpiredKeys(in(10));

        assertEquals(List.of(new Event(Event.EXPIRE, new NodeView("/d", null, null, false, null, 0, null, 3, 1),
                new NodeView("/d", null, null, true, in(10), 1, null, 1, 1))), seen);
        assertNull(store.nextExpiration());
        assertEquals(List.of(), store.get("/", true, false).node().nodes());
    }

    @Test
    void plainSetDropsTheTtl() {
        store.set("/t", false, "a", in(100));

        Event replaced = store.set("/t", false, "b", null);
        store.deleteExpiredKeys(in(1000));

        assertNull(replaced.node().expiration());
        assertEquals(0, replaced.node().ttl());
        assertNull(store.nextExpiration());
        assertEquals("b", store.get("/t", false, false).node().value());
    }

    @Test
    void settingAgainWithANewTtlMovesTheExpiration() {
        store.set("/t", false, "v", in(20));

        Event again = store.set("/t", false, "w", in(30));
        store.deleteExpiredKeys(in(25));

        assertEquals(31, again.node().ttl());
        assertEquals("w", store.get("/t", false, false).node().value());
        assertEquals(in(30), store.nextExpiration());
        store.deleteExpiredKeys(in(30));
        assertNull(store.nextExpiration());
        assertEquals(3, store.index());
    }

    @Test
    void expirationsBefore2000MeanPermanentForSetAndCreate() {
        store.set("/s", false, "v", Instant.parse("1999-12-31T23:59:59Z"));
        store.create("/c", false, "v", false, Instant.EPOCH);

        assertNull(store.get("/s", false, false).node().expiration());
        assertNull(store.get("/c", false, false).node().expiration());
        assertNull(store.nextExpiration());
    }

    @Test
    void updateWithoutExpirationKeepsTheTtlAndTheKeyStillExpires() {
        Instant expire = in(10);
        store.set("/k", false, "a", expire);

        Event updated = store.update("/k", "b", null);
        Event swapped = store.compareAndSwap("/k", "b", 0, "c", null);

        assertEquals(expire, updated.node().expiration());
        assertEquals(expire, swapped.node().expiration());
        assertEquals(expire, store.get("/k", false, false).node().expiration());
        // the reference showed the expiration but forgot the key in its TTL queue
        assertEquals(expire, store.nextExpiration());
        store.deleteExpiredKeys(expire);
        assertEquals(100, assertThrows(EtcdException.class, () -> store.get("/k", false, false)).code());
    }

    @Test
    void updateAndCompareAndSwapCanMoveTheExpiration() {
        store.set("/k", false, "a", in(10));

        store.compareAndSwap("/k", "a", 0, "b", in(100));
        store.deleteExpiredKeys(in(50));
        assertEquals("b", store.get("/k", false, false).node().value());
        store.update("/k", "c", in(60));
        assertEquals(in(60), store.nextExpiration());

        store.deleteExpiredKeys(in(60));
        assertThrows(EtcdException.class, () -> store.get("/k", false, false));
    }

    @Test
    void permanentKeyGetsATtlThroughUpdate() {
        store.set("/k", false, "a", null);

        Event updated = store.update("/k", "a", in(5));

        assertEquals(6, updated.node().ttl());
        store.deleteExpiredKeys(in(5));
        assertThrows(EtcdException.class, () -> store.get("/k", false, false));
    }

    @Test
    void failedCompareAndSwapLeavesTheTtlAlone() {
        Instant expire = in(100);
        store.set("/k", false, "a", null);
        store.compareAndSwap("/k", "a", 0, "b", expire);

        assertThrows(EtcdException.class, () -> store.compareAndSwap("/k", "a", 0, "c", in(5)));

        assertEquals(expire, store.get("/k", false, false).node().expiration());
        assertEquals(expire, store.nextExpiration());
    }

    @Test
    void deletedKeyNoLongerExpires() {
        store.set("/d/k", false, "a", in(5));

        store.delete("/d", false, true);
        store.deleteExpiredKeys(in(10));

        assertNull(store.nextExpiration());
        assertEquals(2, store.index());
    }

    @Test
    void expiredKeyStaysReadableUntilRemoved() {
        store.set("/k", false, "a", in(1));
        clock.advance(Duration.ofSeconds(5));

        NodeView got = store.get("/k", false, false).node();

        assertEquals(-3, got.ttl());
    }
}
