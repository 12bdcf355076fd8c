package io.etcdj.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The extensions of later v2 versions: prevNode, compare-and-delete and refresh. */
class StoreExtensionsTest {
    private final FakeClock clock = new FakeClock(Instant.parse("2024-01-01T00:00:00Z"));
    private final Store store = new Store(clock);

    @Test
    void everyReplacingOrRemovingWriteReportsThePreviousNode() {
        assertNull(store.set("/k", false, "a", null).prevNode());
        assertEquals(new NodeView("/k", "a", null, false, null, 0, null, 1, 1),
                store.set("/k", false, "b", null).prevNode());
        assertEquals(new NodeView("/k", "b", null, false, null, 0, null, 2, 2),
                store.update("/k", "c", null).prevNode());
        assertEquals(new NodeView("/k", "c", null, false, null, 0, null, 3, 2),
                store.compareAndSwap("/k", "c", 0, "d", null).prevNode());
        assertEquals(new NodeView("/k", "d", null, false, null, 0, null, 4, 2),
                store.delete("/k", false, false).prevNode());
        assertNull(store.create("/n", false, "x", false, null).prevNode());
        store.create("/dir/f", false, "x", false, null);
        assertEquals(new NodeView("/dir", null, null, true, null, 0, null, 7, 7),
                store.delete("/dir", true, true).prevNode());
    }

    @Test
    void compareAndDeleteRemovesOnlyWhenValueAndIndexMatch() {
        store.set("/k", false, "one", null);

        EtcdException wrongValue = assertThrows(EtcdException.class, () -> store.compareAndDelete("/k", "two", 0));
        EtcdException wrongIndex = assertThrows(EtcdException.class, () -> store.compareAndDelete("/k", "", 7));
        assertEquals(101, wrongValue.code());
        assertEquals("[two != one] [0 != 1]", wrongValue.errorCause());
        assertEquals(101, wrongIndex.code());
        assertEquals("one", store.get("/k", false, false).node().value());
        assertEquals(1, store.index());

        Event deleted = store.compareAndDelete("/k", "one", 1);
        assertEquals(Event.COMPARE_AND_DELETE, deleted.action());
        assertEquals(2, deleted.index());
        assertEquals("one", deleted.prevNode().value());
        assertEquals(100, assertThrows(EtcdException.class, () -> store.get("/k", false, false)).code());
        // counted with the deletes: /v2/stats/store keeps v0.2.0's counters
        assertEquals(1L, StatsJson.of(store).get("deleteSuccess"));
        assertEquals(2L, StatsJson.of(store).get("deleteFail"));
    }

    @Test
    void compareAndDeleteRefusesDirectoriesAndMissingKeys() {
        store.set("/d/f", false, "x", null);
        assertEquals(102, assertThrows(EtcdException.class, () -> store.compareAndDelete("/d", "x", 0)).code());
        assertEquals(100, assertThrows(EtcdException.class, () -> store.compareAndDelete("/nope", "x", 0)).code());
    }

    @Test
    void refreshResetsTheTtlKeepsTheValueAndWakesNoWatcher() {
        store.set("/k", false, "v", clock.instant().plusSeconds(5));
        List<Event> seen = new ArrayList<>();
        store.watch("/k", false, 0, seen::add);
        clock.advance(Duration.ofSeconds(4));

        Instant later = clock.instant().plusSeconds(30);
        Event refreshed = store.refresh("/k", later);

        assertEquals(List.of(), seen);
        assertEquals(Event.UPDATE, refreshed.action());
        assertEquals("v", refreshed.node().value());
        assertEquals(later, store.get("/k", false, false).node().expiration());
        assertEquals("v", store.get("/k", false, false).node().value());
        assertEquals(2, store.index());
        assertEquals(later, store.nextExpiration());
        // the next real change still wakes the watcher
        store.set("/k", false, "w", null);
        assertEquals(1, seen.size());
        assertEquals("w", seen.get(0).node().value());
    }
}
