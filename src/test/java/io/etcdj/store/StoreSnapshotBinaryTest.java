package io.etcdj.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

/**
 * Version 3 of the snapshot format (JSON head, binary node records): what it keeps exactly, that
 * version 2 (all JSON) snapshots still load, and that damaged records are refused by name.
 */
class StoreSnapshotBinaryTest {
    private static final Instant START = Instant.parse("2024-01-01T00:00:00Z");
    private static final String HEAD = "{\"version\":3,\"index\":9,\"stats\":{},\"history\":[]}";

    private final FakeClock clock = new FakeClock(START);

    /** A version 3 document with the given head and node records (the end mark not added). */
    private static byte[] document(String head, byte[] records) {
        byte[] json = head.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + json.length + records.length)
                .putInt(StoreSnapshot.BINARY_MAGIC).putInt(json.length).put(json).put(records).array();
    }

    /** Node records written by the writer, then the extra bytes given. */
    private static byte[] records(Consumer<NodeRecords.Writer> nodes, int... extra) {
        ByteChunks out = new ByteChunks();
        nodes.accept(new NodeRecords.Writer(out));
        byte[] written = out.toByteArray();
        byte[] all = Arrays.copyOf(written, written.length + extra.length);
        for (int i = 0; i < extra.length; i++) {
            all[written.length + i] = (byte) extra[i];
        }
        return all;
    }

    private static String refused(byte[] data) {
        return assertThrows(IllegalArgumentException.class, () -> StoreSnapshot.decode(data)).getMessage();
    }

    private static void assertRefused(byte[] data, String expected) {
        String message = refused(data);
        assertTrue(message.startsWith("not a valid store snapshot: "), message);
        assertTrue(message.contains(expected), "[" + expected + "] " + message);
    }

    @Test
    void aSavedStoreIsVersionThreeAndComesBackExactly() {
        // given a store with strings of every width, a lone surrogate, an empty value, TTLs with
        // nanoseconds and directories several levels deep
        Store store = new Store(clock);
        store.set("/latin/caf\u00e9", false, "\u00ff\u0000\u007f", null);
        store.set("/wide/\u2603/\ud83d\ude00", false, "lone \ud800 surrogate", null);
        store.set("/empty", false, "", null);
        store.set("/dir/a/b/c", true, null, START.plusNanos(5_000_000_123L));
        store.set("/ttl", false, "v", START.plusSeconds(30));
        store.set("/ancient", false, "x", Instant.parse("1970-01-01T00:00:00.000000001Z").plusSeconds(1L << 40));
        store.set("/big", false, "y".repeat(100_000), null);
        store.delete("/empty", false, false);
        store.set("/empty", false, "", null);

        // when it is saved and installed in another store
        byte[] saved = store.save();
        Store copy = new Store(clock);
        copy.recover(saved);
        byte[] savedAgain = copy.save();

        // then the bytes are a version 3 snapshot, and the copy answers the same and saves the same bytes
        assertEquals(StoreSnapshot.BINARY_MAGIC, ByteBuffer.wrap(saved).getInt());
        assertEquals(store.get("/", true, true), copy.get("/", true, true));
        assertEquals(store.index(), copy.index());
        assertEquals(store.nextExpiration(), copy.nextExpiration());
        assertEquals("lone \ud800 surrogate", copy.get("/wide/\u2603/\ud83d\ude00", false, false).node().value());
        assertArrayEquals(saved, savedAgain);
    }

    @Test
    void aVersionTwoJsonSnapshotStillLoads() {
        // given a snapshot in the JSON format earlier builds wrote
        String json = "{\"version\":2,\"index\":7,\"stats\":{\"setsSuccess\":4},\"nodes\":["
                + "{\"key\":\"/a\",\"dir\":true,\"created\":1,\"modified\":1},"
                + "{\"key\":\"/a/b\",\"value\":\"h\u00e9llo\",\"created\":2,\"modified\":5},"
                + "{\"key\":\"/t\",\"value\":\"v\",\"expire\":\"2024-01-01T00:00:30Z\",\"created\":6,\"modified\":6}],"
                + "\"history\":[{\"action\":\"set\",\"views\":[{\"key\":\"/t\",\"value\":\"v\",\"created\":6,\"modified\":6}]}]}";

        // when it is installed
        Store store = new Store(clock);
        store.recover(json.getBytes(StandardCharsets.UTF_8));

        // then it holds the nodes, and saving it gives version 3 with the same contents
        assertEquals("h\u00e9llo", store.get("/a/b", false, false).node().value());
        assertEquals(7, store.index());
        assertEquals(START.plusSeconds(30), store.nextExpiration());
        Store again = new Store(clock);
        again.recover(store.save());
        assertEquals(store.get("/", true, true), again.get("/", true, true));
    }

    @Test
    void fiftyThousandNodesInOneDirectoryDecodeWithTheirCount() {
        Store store = new Store(clock);
        for (int i = 0; i < 50_000; i++) {
            store.set("/bench/k" + i, false, Integer.toString(i), null);
        }
        StoreSnapshot decoded = StoreSnapshot.decode(store.save());

        assertEquals(50_001, decoded.nodeCount());
        Store copy = new Store(clock);
        copy.recover(decoded);
        assertEquals("12345", copy.get("/bench/k12345", false, false).node().value());
    }

    @Test
    void damagedPrefixesAndHeadsAreRefused() {
        byte[] none = records(w -> { }, NodeRecords.END);
        assertRefused(new byte[] {0, 'E', 'S'}, "cut short");
        assertRefused(new byte[] {0, 'E', 'S', '4', 0, 0, 0, 0}, "bad magic number");
        byte[] longHead = document(HEAD, none);
        ByteBuffer.wrap(longHead).putInt(4, longHead.length);
        assertRefused(longHead, "runs past the end");
        byte[] negativeHead = document(HEAD, none);
        ByteBuffer.wrap(negativeHead).putInt(4, -1);
        assertRefused(negativeHead, "runs past the end");
        assertRefused(document("{\"version\":2,\"index\":9,\"stats\":{},\"nodes\":[],\"history\":[]}", none),
                "unknown store snapshot format version 2");
        assertRefused(document("{\"version\":3,\"index\":9,\"stats\":{},\"nodes\":[],\"history\":[]}", none),
                "unknown field \"nodes\"");
        assertRefused(document("{\"version\":3,\"index\":9,\"stats\":{}}", none), "a field is missing");
        assertRefused(document(HEAD + " {}", none), "data after the end");
        assertRefused("{\"version\":3,\"index\":9,\"stats\":{},\"history\":[]}".getBytes(StandardCharsets.UTF_8),
                "unknown store snapshot format version 3");
    }

    @Test
    void damagedNodeRecordsAreRefusedByName() {
        assertRefused(document(HEAD, records(w -> { })), "cut short where a node or the end");
        assertRefused(document(HEAD, records(w -> { }, NodeRecords.END, 0)), "data after the end");
        assertRefused(document(HEAD, records(w -> { }, 4)), "unknown flags 4");
        assertRefused(document(HEAD, records(w -> { }, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f)),
                "beyond a long");
        assertRefused(document(HEAD, records(w -> { }, 0, 20, '/', 'a')), "cut short in \"key\"");
        assertRefused(document(HEAD, records(w -> { }, 0, 0x80, 0x80, 0x80, 0x41)), "longer than");
        assertRefused(document(HEAD, records(w -> w.node("/a/b", "v", null, 1, 1), NodeRecords.END)),
                "does not follow its parent directory");
        assertRefused(document(HEAD, records(w -> {
            w.node("/a", "v", null, 1, 1);
            w.node("/a", "w", null, 2, 2);
        }, NodeRecords.END)), "duplicate key \"/a\"");
        assertRefused(document(HEAD, records(w -> w.node("/a/..", "v", null, 1, 1), NodeRecords.END)), "bad key");
        assertRefused(document(HEAD, records(w -> w.node("/a", "v", null, 1, 10), NodeRecords.END)),
                "beyond the store index 9");
        // a directory with a value after it: the value is read as the next record and refused
        assertRefused(document(HEAD, records(w -> { }, NodeRecords.DIR, 4, '/', 'a', 1, 1, 2, 'v', NodeRecords.END)),
                "cut short");
        // an expiration with a billion nanoseconds or more, or beyond the instants Java has
        assertRefused(document(HEAD, records(w -> { },
                NodeRecords.EXPIRES, 4, '/', 'a', 0, 0, 0x80, 0x94, 0xeb, 0xdc, 0x03, 1, 1, NodeRecords.END)),
                "bad expiration time");
        assertRefused(document(HEAD, records(w -> { },
                NodeRecords.EXPIRES, 4, '/', 'a', 0, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0, 1, 1,
                NodeRecords.END)), "bad expiration time");
    }

    @Test
    void everyTruncationOfABinarySnapshotIsRefused() {
        Store store = new Store(clock);
        store.set("/a/b", false, "\u2603", START.plusSeconds(5));
        store.set("/c", true, null, null);
        byte[] valid = store.save();

        for (int length = 0; length < valid.length; length++) {
            byte[] cut = Arrays.copyOf(valid, length);
            assertThrows(IllegalArgumentException.class, () -> StoreSnapshot.decode(cut), "cut to " + length);
        }
    }

    @Test
    void theWriterStillRefusesStringsTheReaderWouldNot() {
        StoreSnapshotWriter writer = new StoreSnapshotWriter(1, Map.of());
        String huge = "x".repeat(StoreSnapshot.MAX_STRING_CHARS + 1);

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> writer.node("/k", huge, null, 1, 1));
        assertTrue(e.getMessage().contains("more than"), e.getMessage());
        assertEquals(0, StoreSnapshot.decode(new StoreSnapshotWriter(1, Map.of()).finish(List.of())).nodeCount());
    }
}
