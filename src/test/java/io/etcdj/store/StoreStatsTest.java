package io.etcdj.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

class StoreStatsTest {
    private final Store store = new Store(new FakeClock(Instant.parse("2024-01-01T00:00:00Z")));

    private void fails(Runnable action) {
        assertThrows(EtcdException.class, action::run);
    }

    /** What a fresh node does to register itself: two failed lookups, then a create. */
    private void registerNode() {
        fails(() -> store.get("/_etcd/machines/node0", false, false));
        fails(() -> store.get("/_etcd/machines/node0", false, false));
        store.create("/_etcd/machines/node0", false, "etcd=x&raft=y", false, null);
    }

    @Test
    void freshNodeStatsAreExactlyTheReferenceJson() {
        registerNode();

        assertEquals("{\"getsSuccess\":0,\"getsFail\":2,\"setsSuccess\":0,\"setsFail\":0,\"deleteSuccess\":0,"
                + "\"deleteFail\":0,\"updateSuccess\":0,\"updateFail\":0,\"createSuccess\":1,\"createFail\":0,"
                + "\"compareAndSwapSuccess\":0,\"compareAndSwapFail\":0,\"expireCount\":0,\"watchers\":0}",
                store.statsJson());
    }

    @Test
    void eachOperationCountsItsSuccessOrFailure() {
        registerNode();

        store.set("/a", false, "1", null);
        store.set("/a", false, "2", null);
        store.get("/a", false, false);
        fails(() -> store.get("/nope", false, false));
        store.create("/c", false, "1", false, null);
        fails(() -> store.create("/c", false, "1", false, null));
        store.update("/c", "2", null);
        fails(() -> store.update("/u", "2", null));
        store.compareAndSwap("/c", "2", 0, "3", null);
        fails(() -> store.compareAndSwap("/c", "2", 0, "3", null));
        store.delete("/a", false, false);
        fails(() -> store.delete("/a", false, false));
        store.create("/q", false, "x", true, null);

        assertEquals("{\"getsSuccess\":1,\"getsFail\":3,\"setsSuccess\":2,\"setsFail\":0,\"deleteSuccess\":1,"
                + "\"deleteFail\":1,\"updateSuccess\":1,\"updateFail\":1,\"createSuccess\":3,\"createFail\":1,"
                + "\"compareAndSwapSuccess\":1,\"compareAndSwapFail\":1,\"expireCount\":0,\"watchers\":0}",
                store.statsJson());
        assertEquals(8, store.totalTransactions());
        assertEquals(8, store.index());
    }

    @Test
    void failureBelowAFileAlsoCountsAsAFailedSetAsTheReferenceDoes() {
        store.set("/f", false, "1", null);

        fails(() -> store.set("/f/g", false, "2", null));
        fails(() -> store.create("/f/g", false, "2", false, null));

        Map<String, Long> stats = StatsJson.of(store);
        assertEquals(3, stats.get("setsFail"));
        assertEquals(1, stats.get("createFail"));
    }

    @Test
    void rootRefusalsCountOnlyForSetAndCreate() {
        fails(() -> store.set("/", false, "x", null));
        fails(() -> store.create("/", false, "x", false, null));
        fails(() -> store.update("/", "x", null));
        fails(() -> store.compareAndSwap("/", "x", 0, "y", null));
        fails(() -> store.delete("/", true, true));

        Map<String, Long> stats = StatsJson.of(store);
        assertEquals(1, stats.get("setsFail"));
        assertEquals(1, stats.get("createFail"));
        assertEquals(0, stats.get("updateFail"));
        assertEquals(0, stats.get("compareAndSwapFail"));
        assertEquals(0, stats.get("deleteFail"));
    }

    @Test
    void watchersCountsPendingWatches() {
        Watcher first = store.watch("/w", false, 0, event -> { });
        store.watch("/x", true, 0, event -> { });
        assertEquals(2, StatsJson.of(store).get("watchers"));

        first.cancel();
        store.set("/x/y", false, "1", null);

        assertEquals(0, StatsJson.of(store).get("watchers"));
    }
}
