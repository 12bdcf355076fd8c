package io.etcdj.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

class StoreTest {
    private final FakeClock clock = new FakeClock(Instant.parse("2024-01-01T00:00:00Z"));
    private final Store store = new Store(clock);

    private static List<String> keys(NodeView view) {
        return view.nodes().stream().map(NodeView::key).toList();
    }

    private EtcdException failure(Runnable action) {
        return assertThrows(EtcdException.class, action::run);
    }

    private void assertError(EtcdException e, int code, String cause, long index) {
        assertEquals(code, e.code(), e.toJson());
        assertEquals(cause, e.errorCause(), e.toJson());
        assertEquals(index, e.index(), e.toJson());
    }

    @Test
    void setCreatesKeyAndReplacingGivesNewCreatedIndexAndPrevValue() {
        Event first = store.set("/foo", false, "bar", null);
        Event second = store.set("foo", false, "baz", null);

        assertEquals(new NodeView("/foo", "bar", null, false, null, 0, null, 1, 1), first.node());
        assertEquals(Event.SET, second.action());
        assertEquals(new NodeView("/foo", "baz", "bar", false, null, 0, null, 2, 2), second.node());
        assertEquals(2, store.index());
        Event got = store.get("/foo", false, false);
        assertEquals(Event.GET, got.action());
        assertEquals(new NodeView("/foo", "baz", null, false, null, 0, null, 2, 2), got.node());
    }

    @Test
    void replacingAnEmptyValueReportsEmptyPrevValue() {
        store.set("/e", false, "", null);

        Event replaced = store.set("/e", false, "x", null);

        assertEquals("", replaced.node().prevValue());
    }

    @Test
    void getOfMissingKeyNamesFirstMissingComponent() {
        assertError(failure(() -> store.get("/missing", false, false)), 100, "/missing", 0);
        assertError(failure(() -> store.get("/a/b/c", true, false)), 100, "/a", 0);
        store.set("/a/x", false, "1", null);
        assertError(failure(() -> store.get("/a/b/c", false, false)), 100, "/a/b", 1);
        assertError(failure(() -> store.get("/a/x/y", false, false)), 104, "/a/x", 1);
    }

    @Test
    void nestedSetCreatesParentDirectoriesAtTheSameIndex() {
        store.set("/a/b/c", false, "1", null);

        NodeView a = store.get("/a", true, false).node();

        assertEquals(new NodeView("/a/b/c", "1", null, false, null, 0, null, 1, 1), a.nodes().get(0).nodes().get(0));
        assertEquals(1, a.createdIndex());
        assertEquals(1, a.nodes().get(0).modifiedIndex());
        assertTrue(a.dir());
        NodeView plain = store.get("/a", false, false).node();
        assertEquals(List.of(new NodeView("/a/b", null, null, true, null, 0, null, 1, 1)), plain.nodes());
    }

    @Test
    void rootListingHidesHiddenNodesButTheyReadDirectly() {
        store.create("/_etcd/machines/node0", false, "raft", false, null);
        store.set("/one", false, "1", null);
        store.set("/dir/_h", false, "hh", null);
        store.set("/dir/v", false, "v", null);

        NodeView root = store.get("/", true, true).node();

        assertEquals("/", root.key());
        assertTrue(root.dir());
        assertEquals(0, root.modifiedIndex());
        assertEquals(List.of("/dir", "/one"), keys(root));
        assertEquals(List.of("/dir/v"), keys(root.nodes().get(0)));
        assertEquals("hh", store.get("/dir/_h", false, false).node().value());
        assertEquals(List.of("/_etcd/machines/node0"), keys(store.get("/_etcd/machines", false, false).node()));
    }

    @Test
    void emptyRootListsNoNodes() {
        NodeView root = store.get("/", false, false).node();

        assertEquals(List.of(), root.nodes());
    }

    @Test
    void sortedListsInByteOrderRecursively() {
        for (String k : List.of("zeta", "alpha", "Mid", "beta/y", "beta/x", "10", "9", "\uD83D\uDE00", "\uFF5E")) {
            store.set("/s/" + k, false, "v", null);
        }

        NodeView s = store.get("/s", true, true).node();

        assertEquals(List.of("/s/10", "/s/9", "/s/Mid", "/s/alpha", "/s/beta", "/s/zeta", "/s/\uFF5E", "/s/\uD83D\uDE00"),
                keys(s));
        assertEquals(List.of("/s/beta/x", "/s/beta/y"), keys(s.nodes().get(4)));
    }

    @Test
    void setDirReplacesFileButNeverADirectory() {
        store.set("/x", false, "v", null);

        Event dir = store.set("/x", true, null, null);

        assertTrue(dir.node().dir());
        assertNull(dir.node().value());
        assertEquals("v", dir.node().prevValue());
        assertError(failure(() -> store.set("/x", false, "back", null)), 102, "/x", 2);
        assertError(failure(() -> store.set("/x", true, null, null)), 102, "/x", 2);
        assertEquals(2, store.index());
    }

    @Test
    void writesBelowAFileFailWithNotADirectory() {
        store.set("/f", false, "1", null);

        assertError(failure(() -> store.set("/f/g", false, "2", null)), 104, "/f", 1);
        assertError(failure(() -> store.set("/f/g/h", false, "2", null)), 104, "/f", 1);
        assertError(failure(() -> store.create("/f/g", false, "2", false, null)), 104, "/f", 1);
        assertError(failure(() -> store.create("/f", false, "2", true, null)), 104, "/f", 1);
        assertEquals(1, store.index());
    }

    @Test
    void createFailsWhenTheKeyExists() {
        store.create("/c", false, "1", false, null);
        store.create("/n/m", false, "deep", false, null);

        assertError(failure(() -> store.create("/c", false, "2", false, null)), 105, "/c", 2);
        assertError(failure(() -> store.create("/n", false, "x", false, null)), 105, "/n", 2);
        assertEquals("1", store.get("/c", false, false).node().value());
    }

    @Test
    void uniqueCreateNamesTheKeyAfterTheNewIndex() {
        store.set("/other", false, "x", null);

        Event first = store.create("/queue", false, "a", true, null);
        Event second = store.create("queue/", false, "b", true, null);

        assertEquals("/queue/2", first.node().key());
        assertEquals(Event.CREATE, first.action());
        assertEquals("/queue/3", second.node().key());
        assertEquals(2, store.get("/queue", false, false).node().createdIndex());
    }

    @Test
    void rootIsReadOnly() {
        assertError(failure(() -> store.set("/", false, "x", null)), 107, "/", 0);
        assertError(failure(() -> store.create("/", true, null, false, null)), 107, "/", 0);
        assertError(failure(() -> store.update("/", "x", null)), 107, "/", 0);
        assertError(failure(() -> store.compareAndSwap("/", "a", 0, "x", null)), 107, "/", 0);
        assertError(failure(() -> store.delete("/", true, true)), 107, "/", 0);
        assertEquals(0, store.index());
    }

    @Test
    void updateChangesValueKeepingCreatedIndex() {
        store.set("/u", false, "1", null);

        Event updated = store.update("/u", "2", null);

        assertEquals(new NodeView("/u", "2", "1", false, null, 0, null, 2, 1), updated.node());
        assertEquals(Event.UPDATE, updated.action());
        assertError(failure(() -> store.update("/missing", "2", null)), 100, "/missing", 2);
    }

    @Test
    void updateOfADirectoryOnlyChangesItsTtl() {
        store.set("/d/x", false, "1", null);
        Instant expire = clock.instant().plusSeconds(60);

        assertError(failure(() -> store.update("/d", "value", null)), 102, "/d", 1);
        Event updated = store.update("/d", "", expire);

        // the reference reports neither the dir flag nor a new modified index on the node itself
        assertFalse(updated.node().dir());
        assertEquals(2, updated.node().modifiedIndex());
        assertEquals(expire, updated.node().expiration());
        assertEquals(61, updated.node().ttl());
        NodeView d = store.get("/d", false, false).node();
        assertEquals(1, d.modifiedIndex());
        assertEquals(expire, d.expiration());
        assertEquals(2, store.index());
    }

    @Test
    void compareAndSwapOnValueAndIndexWithReferenceCauses() {
        store.set("/k", false, "one", null);

        Event swapped = store.compareAndSwap("/k", "one", 0, "two", null);
        assertEquals(new NodeView("/k", "two", "one", false, null, 0, null, 2, 1), swapped.node());
        assertEquals(Event.COMPARE_AND_SWAP, swapped.action());

        assertError(failure(() -> store.compareAndSwap("/k", "one", 0, "three", null)), 101,
                "[one != two] [0 != 2]", 2);
        assertError(failure(() -> store.compareAndSwap("/k", null, 1, "three", null)), 101,
                "[ != two] [1 != 2]", 2);
        assertError(failure(() -> store.compareAndSwap("/k", "two", 1, "three", null)), 101,
                "[two != two] [1 != 2]", 2);
        assertEquals("three", store.compareAndSwap("/k", "two", 2, "three", null).node().value());
        assertEquals("", store.compareAndSwap("/k", "", 3, "", null).node().value());
        assertEquals(4, store.index());
    }

    @Test
    void compareAndSwapRefusesDirectoriesAndMissingKeys() {
        store.set("/d", true, null, null);

        assertError(failure(() -> store.compareAndSwap("/d", "a", 0, "b", null)), 102, "/d", 1);
        assertError(failure(() -> store.compareAndSwap("/nope", "a", 0, "b", null)), 100, "/nope", 1);
    }

    @Test
    void deleteFollowsTheDirectoryRules() {
        store.set("/d/a", false, "1", null);
        store.set("/e", true, null, null);
        store.set("/k", false, "v", null);

        assertError(failure(() -> store.delete("/d", false, false)), 102, "/d", 3);
        assertError(failure(() -> store.delete("/d", true, false)), 108, "/d", 3);
        Event dir = store.delete("/d", false, true);
        Event empty = store.delete("/e", true, false);
        Event file = store.delete("/k", false, false);

        assertEquals(new NodeView("/d", null, null, true, null, 0, null, 4, 1), dir.node());
        assertEquals(new NodeView("/e", null, null, true, null, 0, null, 5, 2), empty.node());
        assertEquals(new NodeView("/k", null, "v", false, null, 0, null, 6, 3), file.node());
        assertEquals(Event.DELETE, file.action());
        assertError(failure(() -> store.delete("/k", false, false)), 100, "/k", 6);
        assertEquals(List.of(), store.get("/", true, false).node().nodes());
    }

    @Test
    void failedWritesDoNotAdvanceTheIndex() {
        store.set("/a", false, "1", null);

        assertThrows(EtcdException.class, () -> store.set("/a/b", false, "1", null));
        assertThrows(EtcdException.class, () -> store.compareAndSwap("/a", "x", 0, "2", null));
        assertThrows(EtcdException.class, () -> store.create("/a", false, "2", false, null));
        assertThrows(EtcdException.class, () -> store.update("/b", "2", null));
        assertThrows(EtcdException.class, () -> store.delete("/b", false, false));

        assertEquals(1, store.index());
        assertEquals(2, store.delete("/a", false, false).index());
    }

    @Test
    void internalRegistryUnderEtcdIsWritableAndReadable() {
        store.create("/_etcd/machines/node0", false, "etcd=x&raft=y", false, null);

        Event machines = store.get("/_etcd/machines", false, false);

        assertEquals(List.of(new NodeView("/_etcd/machines/node0", "etcd=x&raft=y", null, false, null, 0, null, 1, 1)),
                machines.node().nodes());
        assertEquals(List.of(), store.get("/", false, false).node().nodes());
    }

    @Test
    void pathsAreCleaned() {
        store.set("/a/./b//c/", false, "1", null);

        assertEquals("/a/b/c", store.get("a/x/../b/c", false, false).node().key());
        assertEquals("/a/b/c", store.get("/../a/b/c", false, false).node().key());
    }
}
