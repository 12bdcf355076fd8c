package io.etcdj.server;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Commands read back as written; the bytes are those logs already hold (the layout of Java's data
 * streams: big-endian numbers, one-byte booleans, length-prefixed UTF-8), so old logs replay; join
 * commands carry their join id, and joins in logs written before join ids still read back.
 */
class CommandCodecTest {
    private static final Instant WHEN = Instant.ofEpochSecond(1_700_000_000L, 123_456_789);

    @Test
    void everyKindIsWrittenAsLogsHoldItAndReadsBack() throws Exception {
        String unicode = "/dir/kéy-☃";
        List<Command> commands = List.of(
                new Command.Set(unicode, false, "vü", WHEN),
                new Command.Set("/d", true, null, null),
                new Command.Create("/q", false, "x", true, WHEN),
                new Command.Update("/u", "", null),
                new Command.CompareAndSwap("/c", "new", "old", 7, WHEN),
                new Command.CompareAndSwap("/c", "new", null, 0, null),
                new Command.Delete("/d", true, false),
                new Command.Sync(WHEN),
                new Command.Join("m1", "http://a:7001", "http://a:4001", "id-9"),
                new Command.CompareAndDelete("/c", "old", -1),
                new Command.Refresh("/r", WHEN),
                new Command.Set("/big", false, "v".repeat(100_000), null));
        long id = Long.MIN_VALUE + 5;
        for (Command c : commands) {
            byte[] encoded = CommandCodec.encode(id, c);
            assertArrayEquals(streamLayout(id, c), encoded, "bytes of " + c);
            CommandCodec.Proposal back = CommandCodec.decode(encoded);
            assertEquals(id, back.requestId());
            assertEquals(c, back.command());
            id += Integer.MAX_VALUE;
        }
    }

    @Test
    void truncatedOrUnknownBytesAreRefused() {
        byte[] whole = CommandCodec.encode(3, new Command.Set("/k", false, "value", WHEN));
        for (int n = 0; n < whole.length; n++) {
            byte[] cut = Arrays.copyOf(whole, n);
            assertThrows(IllegalStateException.class, () -> CommandCodec.decode(cut), "cut at " + n);
        }
        byte[] otherVersion = whole.clone();
        otherVersion[0] = 2;
        assertThrows(IllegalStateException.class, () -> CommandCodec.decode(otherVersion));
        byte[] otherKind = whole.clone();
        otherKind[9] = 99;
        assertThrows(IllegalStateException.class, () -> CommandCodec.decode(otherKind));
    }

    /** The reference layout, written with the JDK's data streams as the log format was defined. */
    private static byte[] streamLayout(long id, Command command) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(CommandCodec.VERSION);
            out.writeLong(id);
            if (command instanceof Command.Set c) {
                out.writeByte(1);
                string(out, c.key());
                out.writeBoolean(c.dir());
                string(out, c.value());
                time(out, c.expireTime());
            } else if (command instanceof Command.Create c) {
                out.writeByte(2);
                string(out, c.key());
                out.writeBoolean(c.dir());
                string(out, c.value());
                out.writeBoolean(c.unique());
                time(out, c.expireTime());
            } else if (command instanceof Command.Update c) {
                out.writeByte(3);
                string(out, c.key());
                string(out, c.value());
                time(out, c.expireTime());
            } else if (command instanceof Command.CompareAndSwap c) {
                out.writeByte(4);
                string(out, c.key());
                string(out, c.value());
                string(out, c.prevValue());
                out.writeLong(c.prevIndex());
                time(out, c.expireTime());
            } else if (command instanceof Command.Delete c) {
                out.writeByte(5);
                string(out, c.key());
                out.writeBoolean(c.dir());
                out.writeBoolean(c.recursive());
            } else if (command instanceof Command.Sync c) {
                out.writeByte(6);
                time(out, c.now());
            } else if (command instanceof Command.Join c) {
                out.writeByte(10);
                string(out, c.name());
                string(out, c.raftUrl());
                string(out, c.etcdUrl());
                string(out, c.joinId());
            } else if (command instanceof Command.CompareAndDelete c) {
                out.writeByte(8);
                string(out, c.key());
                string(out, c.prevValue());
                out.writeLong(c.prevIndex());
            } else if (command instanceof Command.Refresh c) {
                out.writeByte(9);
                string(out, c.key());
                time(out, c.expireTime());
            }
        }
        return bytes.toByteArray();
    }

    private static void string(DataOutputStream out, String s) throws Exception {
        if (s == null) {
            out.writeInt(-1);
        } else {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            out.writeInt(b.length);
            out.write(b);
        }
    }

    private static void time(DataOutputStream out, Instant t) throws Exception {
        out.writeBoolean(t != null);
        if (t != null) {
            out.writeLong(t.getEpochSecond());
            out.writeInt(t.getNano());
        }
    }

    @Test
    void aJoinKeepsItsJoinId() {
        Command.Join join = new Command.Join("m1", "http://127.0.0.1:7002", "http://127.0.0.1:4002", "id-1");
        CommandCodec.Proposal back = CommandCodec.decode(CommandCodec.encode(42, join));
        assertEquals(42, back.requestId());
        assertEquals(join, back.command());
    }

    @Test
    void aJoinWithoutIdIsWrittenAsBeforeJoinIds() throws Exception {
        Command.Join join = new Command.Join("m1", "http://a:7001", "http://a:4001", "");
        byte[] old = oldJoin("m1", "http://a:7001", "http://a:4001");
        assertEquals(java.util.Arrays.toString(old), java.util.Arrays.toString(CommandCodec.encode(0, join)));
        assertEquals(join, CommandCodec.decode(old).command());
    }

    /** A join as logs held it before join ids: kind 7 and three strings. */
    private static byte[] oldJoin(String... fields) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(CommandCodec.VERSION);
            out.writeLong(0);
            out.writeByte(7);
            for (String f : fields) {
                byte[] b = f.getBytes(StandardCharsets.UTF_8);
                out.writeInt(b.length);
                out.write(b);
            }
        }
        return bytes.toByteArray();
    }
}
