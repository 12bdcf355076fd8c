package io.etcdj.peer;

import io.etcdj.raft.ConfChange;
import io.etcdj.raft.Entry;
import io.etcdj.raft.EntryType;
import io.etcdj.raft.Membership;
import io.etcdj.raft.Message;
import io.etcdj.raft.Snapshot;
import io.etcdj.raft.SnapshotMetadata;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MessageCodecTest {
    private static final String UNICODE = "nœud-東京-😀";

    @Test
    void everyKindSurvivesARoundTrip() {
        List<Message> messages = List.of(
                new Message.VoteRequest("a", "b", 7, false, 41, 6, false),
                new Message.VoteRequest("a", "b", 7, true, 41, 6, true),
                new Message.VoteResponse("b", "a", 7, true, false),
                new Message.VoteResponse("b", "a", 7, false, true),
                new Message.AppendRequest("a", "b", 3, 10, 2, List.of(), 9),
                new Message.AppendRequest("a", "b", 3, 10, 2, List.of(
                        new Entry(11, 2, EntryType.NORMAL, new byte[0]),
                        new Entry(12, 3, EntryType.NORMAL, "set /foo".getBytes(StandardCharsets.UTF_8)),
                        new Entry(13, 3, EntryType.CONF_CHANGE, ConfChange.add("c", new byte[] {1, 2}).toBytes())), 12),
                new Message.AppendResponse("b", "a", 3, true, 13, 0, 0),
                new Message.AppendResponse("b", "a", 3, false, 10, 7, 2),
                new Message.Heartbeat("a", "b", 4, 100, 55),
                new Message.HeartbeatResponse("b", "a", 4, 55),
                new Message.InstallSnapshot("a", "b", 5, new Snapshot(
                        new SnapshotMetadata(1000, 4, Membership.of("a", "b", "c")), "state".getBytes(StandardCharsets.UTF_8))),
                new Message.TimeoutNow("a", "b", 9));
        for (Message m : messages) {
            byte[] frame = MessageCodec.encode(m);

            Message back = MessageCodec.decode(frame);

            assertEquals(MessageCodec.FORMAT_VERSION, frame[0], "version byte first: " + m);
            assertSameMessage(m, back);
        }
    }

    @Test
    void unicodeNamesAndExtremeNumbersSurvive() {
        Message m = new Message.AppendRequest(UNICODE, "ü", Long.MAX_VALUE, Long.MAX_VALUE - 1, Long.MAX_VALUE,
                List.of(new Entry(Long.MAX_VALUE, Long.MAX_VALUE, EntryType.NORMAL, new byte[] {0})), Long.MAX_VALUE);
        assertSameMessage(m, MessageCodec.decode(MessageCodec.encode(m)));

        Message snap = new Message.InstallSnapshot("a", UNICODE, 1, new Snapshot(
                new SnapshotMetadata(1, 1, Membership.of(UNICODE, "ü", "a")), new byte[0]));
        assertSameMessage(snap, MessageCodec.decode(MessageCodec.encode(snap)));
    }

    @Test
    void aLargeEntryListSurvivesAndStaysCompact() {
        // given ten thousand consecutive small entries and one of a megabyte
        Random random = new Random(42);
        List<Entry> entries = new ArrayList<>();
        for (long i = 1_000_001; i <= 1_010_000; i++) {
            byte[] data = new byte[16];
            random.nextBytes(data);
            entries.add(new Entry(i, 12, EntryType.NORMAL, data));
        }
        byte[] big = new byte[1 << 20];
        random.nextBytes(big);
        entries.add(new Entry(1_010_001, 12, EntryType.NORMAL, big));
        Message m = new Message.AppendRequest("leader", "follower", 12, 1_000_000, 11, entries, 1_005_000);

        // when
        byte[] frame = MessageCodec.encode(m);

        // then every entry comes back and the small ones cost their data plus four bytes
        assertSameMessage(m, MessageCodec.decode(frame));
        assertTrue(frame.length < 10_000 * (16 + 4) + big.length + 64, "frame of " + frame.length + " bytes");
    }

    @Test
    void aSnapshotWithDataSurvives() {
        byte[] data = new byte[3 << 20];
        new Random(7).nextBytes(data);
        Message m = new Message.InstallSnapshot("a", "b", 8, new Snapshot(
                new SnapshotMetadata(5000, 7, Membership.of("a", "b")), data));

        Message back = MessageCodec.decode(MessageCodec.encode(m));

        assertSameMessage(m, back);
    }

    @Test
    void anUnknownVersionIsRefusedByName() {
        byte[] frame = MessageCodec.encode(new Message.TimeoutNow("a", "b", 1));
        frame[0] = 2;

        WireFormatException e = assertThrows(WireFormatException.class, () -> MessageCodec.decode(frame));

        assertTrue(e.getMessage().contains("version 2"), e.getMessage());
    }

    @Test
    void anUnknownKindIsRefusedByName() {
        byte[] frame = MessageCodec.encode(new Message.TimeoutNow("a", "b", 1));
        frame[1] = 99;

        WireFormatException e = assertThrows(WireFormatException.class, () -> MessageCodec.decode(frame));

        assertTrue(e.getMessage().contains("kind 99"), e.getMessage());
    }

    @Test
    void everyTruncationOfAFrameIsRefused() {
        Message m = new Message.AppendRequest("a", "b", 3, 10, 2, List.of(
                new Entry(11, 3, EntryType.NORMAL, "xyz".getBytes(StandardCharsets.UTF_8))), 11);
        byte[] frame = MessageCodec.encode(m);
        for (int length = 0; length < frame.length; length++) {
            byte[] cut = Arrays.copyOf(frame, length);
            assertThrows(WireFormatException.class, () -> MessageCodec.decode(cut), "length " + length);
        }
    }

    @Test
    void bytesAfterTheBodyAreRefused() {
        byte[] frame = MessageCodec.encode(new Message.Heartbeat("a", "b", 1, 2, 3));
        byte[] longer = Arrays.copyOf(frame, frame.length + 1);

        assertThrows(WireFormatException.class, () -> MessageCodec.decode(longer));
    }

    @Test
    void aLyingEntryCountIsRefusedWithoutAllocating() {
        // version, kind, "a", "b", term 1, prev 0, prevTerm 0, commit 0, count 2^40
        byte[] frame = {1, 3, 1, 'a', 1, 'b', 1, 0, 0, 0, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x20};

        WireFormatException e = assertThrows(WireFormatException.class, () -> MessageCodec.decode(frame));

        assertTrue(e.getMessage().contains("entry count"), e.getMessage());
    }

    @Test
    void valuesTheMessageRefusesAreAWireError() {
        // an empty sender name
        byte[] frame = {1, 8, 0, 1, 'b', 1};

        assertThrows(WireFormatException.class, () -> MessageCodec.decode(frame));
    }

    @Test
    void aStreamFrameIsNotAMessage() {
        io.netty.buffer.ByteBuf buf = io.netty.buffer.Unpooled.buffer();
        MessageCodec.encodeSnapshotReceived("b", "a", 5, buf);

        assertThrows(WireFormatException.class, () -> MessageCodec.decode(buf));
        StreamFrame.SnapshotReceived received = assertInstanceOf(StreamFrame.SnapshotReceived.class,
                MessageCodec.decodeFrame(io.netty.buffer.Unpooled.wrappedBuffer(io.netty.buffer.ByteBufUtil.getBytes(buf, 0, buf.writerIndex()))));
        assertEquals(new StreamFrame.SnapshotReceived("b", "a", 5), received);
    }

    static void assertSameMessage(Message expected, Message actual) {
        if (expected instanceof Message.InstallSnapshot e) {
            Message.InstallSnapshot a = assertInstanceOf(Message.InstallSnapshot.class, actual);
            assertEquals(List.of(e.from(), e.to(), e.term()), List.of(a.from(), a.to(), a.term()));
            assertEquals(e.snapshot().metadata(), a.snapshot().metadata());
            assertArrayEquals(e.snapshot().data(), a.snapshot().data());
        } else {
            assertEquals(expected, actual);
        }
    }
}
