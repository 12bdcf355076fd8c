package io.etcdj.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Decoding refuses anything that is not a whole, consistent saved store, always the same way. */
class StoreSnapshotDecodeTest {
    private static final String STATS = "\"stats\":{\"getsSuccess\":1}";

    private final FakeClock clock = new FakeClock(Instant.parse("2024-01-01T00:00:00Z"));

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** A snapshot of version 2 with the given nodes and history and store index 9. */
    private static String snapshot(String nodes, String history) {
        return "{\"version\":2,\"index\":9," + STATS + ",\"nodes\":[" + nodes + "],\"history\":[" + history + "]}";
    }

    private static IllegalArgumentException refused(String text) {
        return assertThrows(IllegalArgumentException.class, () -> StoreSnapshot.decode(utf8(text)), text);
    }

    /** A store with files, directories, TTLs, odd characters and a history of every kind of write. */
    private byte[] validSnapshot() {
        Store store = new Store(clock);
        store.create("/_etcd/machines/node0", false, "etcd=x&raft=y", false, null);
        store.set("/a/b/c", false, "h\u00e9llo \u2603\n\"\\ \ud800", null);
        store.set("/a/dir", true, null, clock.instant().plusSeconds(30));
        store.set("/t", false, "v", clock.instant().plusNanos(5_000_000_123L));
        store.update("/a/b/c", "changed", null);
        store.compareAndSwap("/t", "v", 0, "w", null);
        store.create("/q", false, "first", true, null);
        store.delete("/a/b", true, true);
        store.deleteExpiredKeys(clock.instant().plusSeconds(6));
        return store.save();
    }

    @Test
    void aValidSnapshotDecodesAndInstalls() {
        StoreSnapshot decoded = StoreSnapshot.decode(validSnapshot());

        Store copy = new Store(clock);
        copy.recover(decoded);

        assertEquals(9, decoded.index());
        assertEquals(9, copy.index());
        assertEquals(clock.instant().plusSeconds(30), copy.nextExpiration());
    }

    @Test
    void aListingEventInTheHistoryKeepsItsNestedViewsWhateverTheirDepth() {
        // given a history holding a get event that lists 3,000 nested directories and some files
        NodeView inner = new NodeView("/x/deep", "v", null, false, Instant.EPOCH, 7, null, 4, 3);
        for (int i = 0; i < 3_000; i++) {
            inner = new NodeView("/x/" + i, null, null, true, null, 0,
                    List.of(new NodeView("/x/f" + i, "", "p", false, null, 0, null, 1, 1), inner,
                            new NodeView("/x/e" + i, null, null, true, null, 0, List.of(), 2, 2)), 5, 5);
        }
        Event listing = new Event(Event.GET, inner);
        byte[] data = new StoreSnapshotWriter(9, Map.of()).finish(List.of(listing));

        // when it is decoded
        StoreSnapshot decoded = StoreSnapshot.decode(data);

        // then the same tree of views comes back, the empty listing and the missing one apart
        NodeView a = listing.node();
        NodeView b = decoded.history().get(0).node();
        int levels = 0;
        while (a.nodes() != null && a.nodes().size() == 3) {
            assertEquals(a.nodes().get(0), b.nodes().get(0));
            assertEquals(a.nodes().get(2), b.nodes().get(2));
            assertEquals(List.of(), b.nodes().get(2).nodes());
            assertEquals(a.key(), b.key());
            a = a.nodes().get(1);
            b = b.nodes().get(1);
            levels++;
        }
        assertEquals(3_000, levels);
        assertEquals(a, b);
    }

    @Test
    void anUnknownVersionIsRefusedByName() {
        IllegalArgumentException e = refused("{\"version\":1,\"index\":0,\"root\":{}}");

        assertTrue(e.getMessage().contains("unknown store snapshot format version 1"), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            empty                     | ''                                                          | no data
            not json                  | not json                                                    | Unrecognized token
            a list                    | []                                                          | should be an object
            no version                | {}                                                          | first field must be "version"
            version as text           | {"version":"2"}                                             | should be an integer
            version as fraction       | {"version":2.0}                                             | should be an integer
            fields missing            | {"version":2,"index":0}                                     | a field is missing
            negative index            | {"version":2,"index":-1}                                    | negative
            index beyond a long       | {"version":2,"index":99999999999999999999}                  | out of range
            absurdly long number      | {"version":2,"index":1000000000000000000000000000000000000} | Number value length
            unknown field             | {"version":2,"root":{}}                                     | unknown field "root"
            duplicate field           | {"version":2,"index":1,"index":2}                           | Duplicate field 'index'
            unknown counter           | {"version":2,"stats":{"bogus":1}}                           | unknown counter "bogus"
            negative counter          | {"version":2,"stats":{"getsFail":-5}}                       | negative
            cut short                 | {"version":2,"index":0,"stats":{"getsFail":5                | end-of-input
            trailing data             | {"version":2,"index":0,"stats":{},"nodes":[],"history":[]}x | Unrecognized token
            a second document         | {"version":2,"index":0,"stats":{},"nodes":[],"history":[]}{} | data after the end
            deep json                 | {"version":2,"stats":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]} | should be an object, not an array
            null for a string         | {"version":2,"index":0,"stats":{},"nodes":[{"key":null}]}    | should be a string
            """)
    void malformedDocumentsAreRefusedWithWhatIsWrong(String name, String text, String expected) {
        IllegalArgumentException e = refused(text == null ? "" : text);

        assertTrue(e.getMessage().startsWith("not a valid store snapshot: "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), name + ": [" + expected + "] " + e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            parent missing            | {"key":"/a/b","value":"x","created":1,"modified":1}                                            | does not follow its parent
            parent is a file          | {"key":"/a","value":"","created":1,"modified":1},{"key":"/a/b","value":"","created":1,"modified":1} | does not follow its parent
            parent out of order       | {"key":"/a","dir":true,"created":1,"modified":1},{"key":"/b","dir":true,"created":1,"modified":1},{"key":"/a/c","value":"","created":1,"modified":1} | does not follow its parent
            duplicate key             | {"key":"/a","value":"","created":1,"modified":1},{"key":"/a","value":"","created":1,"modified":1} | duplicate key "/a"
            double slash              | {"key":"/a","dir":true,"created":1,"modified":1},{"key":"/a//b","value":"","created":1,"modified":1} | does not follow its parent
            slash at the root         | {"key":"//b","value":"","created":1,"modified":1}                                              | does not follow its parent
            relative key              | {"key":"a","value":"","created":1,"modified":1}                                                | bad key "a"
            dot                       | {"key":"/.","value":"","created":1,"modified":1}                                               | bad key
            dot dot                   | {"key":"/..","value":"","created":1,"modified":1}                                              | bad key
            the root                  | {"key":"/","dir":true,"created":1,"modified":1}                                                | bad key "/"
            trailing slash            | {"key":"/a/","value":"","created":1,"modified":1}                                              | bad key
            directory with a value    | {"key":"/a","dir":true,"value":"","created":1,"modified":1}                                    | directory "/a" has a value
            file without a value      | {"key":"/a","created":1,"modified":1}                                                          | file "/a" has no value
            no key                    | {"value":"","created":1,"modified":1}                                                          | lacks its "key"
            no index                  | {"key":"/a","value":""}                                                                        | lacks its "key"
            index beyond the store's  | {"key":"/a","value":"","created":1,"modified":10}                                              | beyond the store index 9
            bad expiration            | {"key":"/a","value":"","expire":"tomorrow","created":1,"modified":1}                           | bad expiration time "tomorrow"
            unknown node field        | {"key":"/a","value":"","created":1,"modified":1,"mode":7}                                      | unknown field "mode" in a node
            a node that is a list     | [1]                                                                                            | a node should be an object
            """)
    void inconsistentTreesAreRefused(String name, String nodes, String expected) {
        IllegalArgumentException e = refused(snapshot(nodes, ""));

        assertTrue(e.getMessage().contains(expected), name + ": [" + expected + "] " + e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            unknown action            | {"action":"explode","views":[{"key":"/a","created":1,"modified":1}]}                                  | unknown event action "explode"
            no views                  | {"action":"set","views":[]}                                                                           | an event without a view
            no action                 | {"views":[{"key":"/a","created":1,"modified":1}]}                                                     | lacks its "action"
            first view with a parent  | {"action":"get","views":[{"parent":0,"key":"/a","created":1,"modified":1}]}                           | bad parent position
            parent after the view     | {"action":"get","views":[{"key":"/a","listed":true,"created":1,"modified":1},{"parent":1,"key":"/b","created":1,"modified":1}]} | bad parent position
            parent without a listing  | {"action":"get","views":[{"key":"/a","created":1,"modified":1},{"parent":0,"key":"/b","created":1,"modified":1}]} | below a view without a listing
            events out of order       | {"action":"set","views":[{"key":"/a","created":1,"modified":5}]},{"action":"set","views":[{"key":"/a","created":1,"modified":4}]} | after one at index 5
            event beyond the store's  | {"action":"set","views":[{"key":"/a","created":1,"modified":12}]}                                     | beyond the store index 9
            a huge parent position    | {"action":"get","views":[{"key":"/a","listed":true,"created":1,"modified":1},{"parent":99999999999,"key":"/b","created":1,"modified":1}]} | bad parent position
            """)
    void inconsistentHistoriesAreRefused(String name, String history, String expected) {
        IllegalArgumentException e = refused(snapshot("", history));

        assertTrue(e.getMessage().contains(expected), name + ": [" + expected + "] " + e.getMessage());
    }

    @Test
    void jsonNestedMillionsDeepIsRefusedWithoutOverflowingTheStack() {
        // the format's own checks see a wrong type at a depth of at most four
        String deep = "[".repeat(5_000_000);

        IllegalArgumentException e = refused("{\"version\":2,\"stats\":{\"getsFail\":" + deep);

        assertTrue(e.getMessage().contains("\"getsFail\" should be an integer, not an array"), e.getMessage());
    }

    @Test
    void theParserItselfStopsAtSixteenLevels() throws Exception {
        // and below them, Jackson's nesting limit, in case a check is ever missed
        try (JsonParser p = StoreSnapshot.JSON.createParser(utf8("[".repeat(17)))) {
            StreamConstraintsException e = assertThrows(StreamConstraintsException.class, () -> {
                while (p.nextToken() != null) {
                    p.skipChildren();
                }
            });
            assertTrue(e.getMessage().contains("nesting depth (17)"), e.getMessage());
        }
    }

    @Test
    void everyTruncationIsRefused() {
        byte[] valid = validSnapshot();

        for (int length = 0; length < valid.length; length++) {
            byte[] cut = Arrays.copyOf(valid, length);
            assertThrows(IllegalArgumentException.class, () -> StoreSnapshot.decode(cut), "cut to " + length);
        }
    }

    @Test
    void randomDamageOnlyEverYieldsIllegalArgumentOrAUsableStore() {
        // given a valid snapshot and seeded random damage: flipped bits, changed, lost, inserted or
        // repeated bytes
        byte[] valid = validSnapshot();
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        Random random = new Random(seed);
        int refusals = 0;
        int rounds = 5_000;
        for (int round = 0; round < rounds; round++) {
            byte[] damaged = damage(valid, random);
            try {
                // when it is decoded, then either it is refused as malformed...
                StoreSnapshot decoded = StoreSnapshot.decode(damaged);
                // ...or it is a store that installs and answers
                Store copy = new Store(clock);
                copy.recover(decoded);
                copy.get("/", true, true);
                copy.deleteExpiredKeys(Instant.MAX);
            } catch (IllegalArgumentException expected) {
                refusals++;
            } catch (Throwable t) {
                fail("seed " + seed + " (rerun with -Dfuzz.seed=" + seed + "), round " + round + ": " + t, t);
            }
        }
        assertTrue(refusals > rounds / 2, "seed " + seed + ": only " + refusals + " refusals");
    }

    private static byte[] damage(byte[] valid, Random random) {
        byte[] out = valid.clone();
        int at = random.nextInt(valid.length);
        switch (random.nextInt(5)) {
            case 0 -> {
                for (int i = 0, n = 1 + random.nextInt(4); i < n; i++) {
                    int pos = random.nextInt(out.length);
                    out[pos] ^= (byte) (1 << random.nextInt(8));
                }
            }
            case 1 -> out[at] = (byte) random.nextInt(256);
            case 2 -> {
                int len = 1 + random.nextInt(Math.min(16, valid.length - at));
                byte[] shorter = new byte[valid.length - len];
                System.arraycopy(valid, 0, shorter, 0, at);
                System.arraycopy(valid, at + len, shorter, at, valid.length - at - len);
                out = shorter;
            }
            case 3 -> {
                byte[] inserted = new byte[1 + random.nextInt(8)];
                random.nextBytes(inserted);
                out = splice(valid, at, inserted);
            }
            default -> {
                int len = 1 + random.nextInt(Math.min(64, valid.length - at));
                out = splice(valid, at, Arrays.copyOfRange(valid, at, at + len));
            }
        }
        return out;
    }

    private static byte[] splice(byte[] into, int at, byte[] inserted) {
        List<byte[]> parts = new ArrayList<>(List.of(Arrays.copyOf(into, at), inserted,
                Arrays.copyOfRange(into, at, into.length)));
        byte[] out = new byte[into.length + inserted.length];
        int pos = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, out, pos, part.length);
            pos += part.length;
        }
        return out;
    }
}
