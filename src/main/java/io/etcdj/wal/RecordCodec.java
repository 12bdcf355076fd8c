package io.etcdj.wal;

import io.etcdj.raft.HardState;

import io.etcdj.raft.Entry;
import io.etcdj.raft.EntryType;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/** Encodes and decodes the records of a segment (see {@link WriteAheadLog} for the format). */
final class RecordCodec {
    static final byte ENTRY = 1;
    static final byte HARD_STATE = 2;
    static final byte SNAPSHOT_MARK = 3;
    static final int RECORD_HEADER = 12;
    /** Larger than any record we write; a bigger length field is damage, not data. */
    static final int MAX_RECORD = 256 << 20;

    private static final EntryType[] TYPES = EntryType.values();

    private RecordCodec() {}

    static int entrySize(Entry e) {
        return RECORD_HEADER + 1 + 8 + 8 + 1 + e.data().length;
    }

    static void putEntry(ByteBuffer out, Entry e) {
        int start = out.position();
        out.position(start + RECORD_HEADER);
        out.put(ENTRY).putLong(e.index()).putLong(e.term()).put((byte) e.type().ordinal()).put(e.data());
        seal(out, start);
    }

    static int hardStateSize(HardState hs) {
        return RECORD_HEADER + 1 + 8 + 8 + 2 + hs.vote().getBytes(StandardCharsets.UTF_8).length;
    }

    static void putHardState(ByteBuffer out, HardState hs) {
        int start = out.position();
        byte[] vote = hs.vote().getBytes(StandardCharsets.UTF_8);
        out.position(start + RECORD_HEADER);
        out.put(HARD_STATE).putLong(hs.term()).putLong(hs.commit()).putShort((short) vote.length).put(vote);
        seal(out, start);
    }

    static int snapshotMarkSize() {
        return RECORD_HEADER + 1 + 8 + 8;
    }

    static void putSnapshotMark(ByteBuffer out, SnapshotMark mark) {
        int start = out.position();
        out.position(start + RECORD_HEADER);
        out.put(SNAPSHOT_MARK).putLong(mark.index()).putLong(mark.term());
        seal(out, start);
    }

    static SnapshotMark decodeSnapshotMark(ByteBuffer payload) {
        return new SnapshotMark(payload.getLong(), payload.getLong());
    }

    /** Writes length, its complement and checksum in front of the payload that ends at the buffer's position. */
    private static void seal(ByteBuffer out, int start) {
        int end = out.position();
        int length = end - start - RECORD_HEADER;
        CRC32C crc = new CRC32C();
        crc.update(out.array(), out.arrayOffset() + start + RECORD_HEADER, length);
        out.putInt(start, length);
        out.putInt(start + 4, ~length);
        out.putInt(start + 8, (int) crc.getValue());
    }

    static int checksum(byte[] buf, int off, int len) {
        CRC32C crc = new CRC32C();
        crc.update(buf, off, len);
        return (int) crc.getValue();
    }

    static Entry decodeEntry(ByteBuffer payload) {
        long index = payload.getLong();
        long term = payload.getLong();
        int type = payload.get() & 0xff;
        if (type >= TYPES.length || index < 1 || term < 1) {
            throw new IllegalArgumentException("entry " + index + "/" + term + " of type " + type);
        }
        byte[] data = new byte[payload.remaining()];
        payload.get(data);
        return new Entry(index, term, TYPES[type], data);
    }

    static HardState decodeHardState(ByteBuffer payload) {
        long term = payload.getLong();
        long commit = payload.getLong();
        byte[] vote = new byte[payload.getShort() & 0xffff];
        payload.get(vote);
        if (term < 0 || commit < 0) {
            throw new IllegalArgumentException("hard state " + term + "/" + commit);
        }
        return new HardState(term, new String(vote, StandardCharsets.UTF_8), commit);
    }
}
