package io.etcdj.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

/**
 * Trees of extreme shapes, straight on the store (the client API limits keys to 1024 levels; the
 * store must not rely on that): nothing may recurse in the depth, nothing may be quadratic in the width.
 */
class StoreShapeTest {
    private static final int DEPTH = 5_000;
    private static final int WIDTH = 200_000;

    private final FakeClock clock = new FakeClock(Instant.parse("2024-01-01T00:00:00Z"));
    private final Store store = new Store(clock);

    private static String deepKey(int depth) {
        StringBuilder key = new StringBuilder(depth * 2);
        for (int i = 0; i < depth; i++) {
            key.append("/a");
        }
        return key.toString();
    }

    /** A view tree as one line per view, in pre-order, walked without recursion. */
    private static List<String> flatten(NodeView top) {
        List<String> lines = new ArrayList<>();
        Deque<NodeView> stack = new ArrayDeque<>();
        stack.push(top);
        while (!stack.isEmpty()) {
            NodeView v = stack.pop();
            lines.add(v.key().length() + ":" + v.key().hashCode() + " " + v.value() + " " + v.prevValue() + " "
                    + v.dir() + " " + v.expiration() + " " + v.ttl() + " " + v.modifiedIndex() + " "
                    + v.createdIndex() + " " + (v.nodes() == null ? "-" : v.nodes().size()));
            if (v.nodes() != null) {
                for (int i = v.nodes().size() - 1; i >= 0; i--) {
                    stack.push(v.nodes().get(i));
                }
            }
        }
        return lines;
    }

    @Test
    void aKeyFiveThousandLevelsDeepIsWrittenReadWatchedSavedAndDeleted() {
        // given a file 5,000 levels deep below a directory that expires
        String leaf = deepKey(DEPTH);
        store.set("/a", true, null, clock.instant().plusSeconds(10));
        store.set(leaf, false, "bottom", null);
        List<Event> atRoot = new ArrayList<>();
        List<Event> atMiddle = new ArrayList<>();
        store.watch("/", true, 0, atRoot::add);
        store.watch(deepKey(DEPTH / 2), true, 0, atMiddle::add);

        // when it is read recursively, changed, and the store saved and restored
        NodeView listing = store.get("/", true, true).node();
        store.update(leaf, "changed", null);
        Store copy = new Store(clock);
        copy.recover(store.save());

        // then every level is there, the watchers above saw the change, and the copy is the same
        assertEquals(DEPTH + 1, flatten(listing).size()); // the root, 4,999 directories, the file
        assertEquals("changed", copy.get(leaf, false, false).node().value());
        assertEquals(1, atRoot.size());
        assertEquals(1, atMiddle.size());
        assertEquals(flatten(store.get("/", true, false).node()), flatten(copy.get("/", true, false).node()));
        assertEquals(store.index(), copy.index());
        assertEquals(store.nextExpiration(), copy.nextExpiration());

        // when the top directory expires in one copy and is deleted in the other
        copy.deleteExpiredKeys(clock.instant().plusSeconds(10));
        store.delete("/a", true, true);

        // then both are empty again
        assertEquals(List.of(), copy.get("/", true, false).node().nodes());
        assertEquals(List.of(), store.get("/", true, false).node().nodes());
        assertNull(copy.nextExpiration());
    }

    @Test
    void aDirectoryOfTwoHundredThousandFilesRoundTripsInOrder() {
        // given one directory with 200,000 files, some of them expiring
        for (int i = 0; i < WIDTH; i++) {
            store.set("/wide/k" + i, false, "v" + i, i % 1000 == 0 ? clock.instant().plusSeconds(i) : null);
        }

        // when it is saved and restored
        StoreSnapshot decoded = StoreSnapshot.decode(store.save());
        Store copy = new Store(clock);
        copy.recover(decoded);

        // then the listing is the same, in the same order, with the same expirations
        assertEquals(WIDTH + 1, decoded.nodeCount());
        List<NodeView> nodes = copy.get("/wide", false, false).node().nodes();
        assertEquals(WIDTH, nodes.size());
        assertEquals("/wide/k0", nodes.get(0).key());
        assertEquals("/wide/k199999", nodes.get(WIDTH - 1).key());
        assertEquals(flatten(store.get("/", true, false).node()), flatten(copy.get("/", true, false).node()));
        assertEquals(clock.instant(), copy.nextExpiration());

        // and expiring works on the copy as on the original
        copy.deleteExpiredKeys(clock.instant().plusSeconds(WIDTH));
        assertEquals(WIDTH - WIDTH / 1000, copy.get("/wide", false, false).node().nodes().size());
    }

    @Test
    void indexAndNextExpirationAnswerWhileTheStoreIsLocked() throws Exception {
        // given a key with a TTL and a watch whose listener runs while a write holds the store's lock
        Instant expire = clock.instant().plusSeconds(5);
        store.set("/ttl", false, "x", expire);
        AtomicReference<String> seenFromAnotherThread = new AtomicReference<>();
        store.watch("/k", false, 0, event -> {
            // when another thread asks for the index and the next expiration meanwhile
            CompletableFuture<String> answer = CompletableFuture.supplyAsync(
                    () -> store.index() + " " + store.nextExpiration());
            try {
                seenFromAnotherThread.set(answer.get(30, TimeUnit.SECONDS));
            } catch (Exception e) {
                seenFromAnotherThread.set("blocked: " + e);
            }
        });

        store.set("/k", false, "v", null);

        // then it got an answer without waiting for the lock: the values of the change under way
        assertEquals("2 " + expire, seenFromAnotherThread.get());
    }

    @Test
    void aDecodedSnapshotIsInstalledOnlyOnce() {
        // given a decoded snapshot installed in one store
        store.set("/k", false, "v", null);
        StoreSnapshot decoded = StoreSnapshot.decode(store.save());
        new Store(clock).recover(decoded);

        // when it is installed again, then that is refused: the nodes belong to the first store
        assertThrows(IllegalStateException.class, () -> new Store(clock).recover(decoded));
    }

    @Test
    void aRefusedSnapshotLeavesTheStoreAsItWas() {
        // given a store with data
        store.set("/k", false, "v", null);
        byte[] saved = store.save();

        // when a damaged snapshot is offered
        byte[] damaged = java.util.Arrays.copyOf(saved, saved.length - 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> store.recover(damaged));

        // then nothing changed
        assertTrue(e.getMessage().startsWith("not a valid store snapshot"), e.getMessage());
        assertEquals("v", store.get("/k", false, false).node().value());
        assertEquals(1, store.index());
    }
}
