package io.etcdj.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * A snapshot serialized beside the running store gives the same bytes as serializing the store
 * that applied the same commands up to the freeze, whatever the writes (sets, updates, deletes of
 * files and directories, TTL expiry) do meanwhile.
 */
class FrozenStoreTest {
    private static final Instant START = Instant.parse("2024-01-01T00:00:00Z");

    /** One command of the random workload; applying it twice on equal stores gives equal stores. */
    private record Op(int kind, String key, String value, long seconds) {
        void apply(Store store, FakeClock clock) {
            Instant expire = seconds == 0 ? null : clock.instant().plusSeconds(seconds);
            try {
                switch (kind) {
                    case 0, 1, 2 -> store.set(key, false, value, expire);
                    case 3 -> store.set(key, true, null, expire);
                    case 4 -> store.create(key, false, value, true, expire);
                    case 5 -> store.update(key, value, expire);
                    case 6 -> store.refresh(key, clock.instant().plusSeconds(1 + seconds));
                    case 7 -> store.compareAndSwap(key, "", 0, value, expire);
                    case 8 -> store.compareAndDelete(key, value, 0);
                    case 9 -> store.delete(key, false, false);
                    case 10 -> store.delete(key, true, true);
                    case 11 -> {
                        clock.advance(Duration.ofMillis(700));
                        store.deleteExpiredKeys(clock.instant());
                    }
                    default -> store.get(key, true, false);
                }
            } catch (EtcdException expected) {
                // failed commands count in the statistics, which the snapshot holds too
            }
        }
    }

    private static List<Op> workload(long seed, int count) {
        Random random = new Random(seed);
        List<Op> ops = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String key = "/d" + random.nextInt(4) + (random.nextBoolean() ? "/e" + random.nextInt(3) : "")
                    + "/k" + random.nextInt(12);
            if (random.nextInt(6) == 0) {
                key = key.substring(0, key.lastIndexOf('/')); // a directory
            }
            long seconds = random.nextInt(4) == 0 ? 1 + random.nextInt(3) : 0;
            ops.add(new Op(random.nextInt(13), key, "v" + random.nextInt(5), seconds));
        }
        return ops;
    }

    /** A store that applied the first {@code count} commands, with its clock. */
    private static Store replay(List<Op> ops, int count, FakeClock clock) {
        Store store = new Store(clock);
        for (Op op : ops.subList(0, count)) {
            op.apply(store, clock);
        }
        return store;
    }

    @Test
    void writesBetweenSlicesDoNotChangeTheFrozenView() {
        for (long seed = 1; seed <= 40; seed++) {
            // given a store that applied some commands, frozen, and serialized a few nodes at a time
            Random random = new Random(seed);
            List<Op> ops = workload(seed, 1_500);
            int frozenAt = 300 + random.nextInt(300);
            FakeClock clock = new FakeClock(START);
            Store store = replay(ops, frozenAt, clock);
            FrozenStore view = store.freeze();
            int[] next = {frozenAt};
            int slice = 1 + random.nextInt(6);

            // when more commands run between the slices
            byte[] frozen = view.serialize(slice, () -> {
                for (int n = 1 + random.nextInt(4); n > 0 && next[0] < ops.size(); n--) {
                    ops.get(next[0]++).apply(store, clock);
                }
            });

            // then the bytes are those of the store at the freeze
            assertTrue(next[0] > frozenAt + 20, "seed " + seed + ": too few writes between slices");
            byte[] expected = replay(ops, frozenAt, new FakeClock(START)).save();
            assertArrayEquals(expected, frozen, "seed " + seed);
            // and the running store is the one that applied every command
            FakeClock againClock = new FakeClock(START);
            assertArrayEquals(replay(ops, next[0], againClock).save(), store.save(), "seed " + seed);
        }
    }

    @Test
    void aDeepDirectoryRemovedDuringTheSerializationIsStillInTheView() {
        // given 5,000 nested directories, frozen
        FakeClock clock = new FakeClock(START);
        Store store = new Store(clock);
        StringBuilder key = new StringBuilder();
        for (int i = 0; i < 5_000; i++) {
            key.append("/l");
        }
        store.set(key + "/leaf", false, "deep", null);
        store.set("/other", false, "x", null);
        byte[] expected = store.save();
        FrozenStore view = store.freeze();

        // when the tree is removed and another made while the view is serialized
        boolean[] changed = {false};
        byte[] frozen = view.serialize(100, () -> {
            if (!changed[0]) {
                store.delete("/l", true, true);
                store.set(key + "/new", false, "later", null);
                store.update("/other", "y", null);
                changed[0] = true;
            }
        });

        // then the view is the tree before
        assertArrayEquals(expected, frozen);
        assertEquals("later", store.get(key + "/new", false, false).node().value());
    }

    @Test
    void oneViewAtATimeAndAReleasedOneCannotBeSerialized() {
        Store store = new Store(new FakeClock(START));
        store.set("/a", false, "1", null);
        FrozenStore view = store.freeze();
        assertThrows(IllegalStateException.class, store::freeze);
        // a save meanwhile still works, holding the store still
        byte[] saved = store.save();
        view.release();
        assertThrows(IllegalStateException.class, view::serialize);
        assertArrayEquals(saved, store.freeze().serialize());
    }

    @Test
    void aViewSerializedOnAnotherThreadWhileWritesRunIsTheStoreAtTheFreeze() throws Exception {
        // given a store of 20,000 keys plus a random workload, frozen by the writing thread
        List<Op> ops = workload(7, 60_000);
        int frozenAt = 30_000;
        FakeClock clock = new FakeClock(START);
        Store store = new Store(clock);
        for (int i = 0; i < 20_000; i++) {
            store.set("/bulk/" + (i % 50) + "/" + i, false, "value " + i, null);
        }
        for (Op op : ops.subList(0, frozenAt)) {
            op.apply(store, clock);
        }
        FrozenStore view = store.freeze();

        // when another thread serializes it while this one keeps writing and deleting
        CompletableFuture<byte[]> serialized = CompletableFuture.supplyAsync(view::serialize);
        int applied = frozenAt;
        while (!serialized.isDone() && applied < ops.size()) {
            ops.get(applied++).apply(store, clock);
            if (applied % 997 == 0) {
                store.delete("/bulk/" + (applied % 50), true, true);
            }
        }
        byte[] frozen = serialized.get(60, TimeUnit.SECONDS);

        // then the bytes are those of the same store at the freeze
        FakeClock replayClock = new FakeClock(START);
        Store expected = new Store(replayClock);
        for (int i = 0; i < 20_000; i++) {
            expected.set("/bulk/" + (i % 50) + "/" + i, false, "value " + i, null);
        }
        for (Op op : ops.subList(0, frozenAt)) {
            op.apply(expected, replayClock);
        }
        assertArrayEquals(expected.save(), frozen);
    }
}
