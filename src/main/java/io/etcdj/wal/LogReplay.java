package io.etcdj.wal;

import io.etcdj.fs.DurableFile;
import io.etcdj.fs.FileSystem;
import io.etcdj.raft.Entry;
import io.etcdj.raft.HardState;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the segments of a log in order (see {@link WriteAheadLog} for the format and the rules),
 * collecting the entries, the last hard state, and for each segment the highest index it holds.
 */
final class LogReplay {
    private static final Logger LOG = LoggerFactory.getLogger(LogReplay.class);

    /**
     * The unit a device writes whole: a power cut leaves each sector of a file's unsynced tail
     * either as written or as zeros (see {@link WriteAheadLog}, "Recovery").
     */
    static final int SECTOR = 512;

    private final FileSystem fs;
    private final long snapshotIndex;
    /** The entries, contiguous; superseded ones already dropped. */
    final List<Entry> entries = new ArrayList<>();
    HardState hardState = HardState.EMPTY;
    /** The last snapshot mark read, or null. */
    SnapshotMark mark;
    /** Per segment read, in order: the highest entry or mark index in it (0 when none). */
    final List<Long> segmentLastIndexes = new ArrayList<>();
    /** Position (in read order) of the segment holding the last snapshot mark, or -1. */
    int markSegment = -1;
    /** Whether the newest segment read holds a hard state record. */
    boolean newestHasHardState;
    /** Where the log's first kept entry (or its mark) is: named when the log starts too late. */
    private Path startFile;
    private long startOffset;

    /** @param snapshotIndex the last index of the snapshot the node starts from (0: none) */
    LogReplay(FileSystem fs, long snapshotIndex) {
        this.fs = fs;
        this.snapshotIndex = snapshotIndex;
    }

    void read(Path file, boolean newest) throws IOException {
        segmentLastIndexes.add(0L);
        newestHasHardState = false;
        byte[] buf = fs.readAll(file);
        if (newest && unwrittenSegment(buf)) {
            // Created, then cut off before its header was forced: it never held a record.
            cut(file, 0, "a segment without a complete header");
            rewriteHeader(file);
            return;
        }
        if (buf.length < WriteAheadLog.HEADER) {
            throw new CorruptLogException(file, 0, "segment header is missing");
        }
        ByteBuffer in = ByteBuffer.wrap(buf);
        if (in.getInt() != WriteAheadLog.MAGIC) {
            throw new CorruptLogException(file, 0, "not a log segment (bad magic number)");
        }
        int version = in.getInt();
        if (version < 1 || version > WriteAheadLog.VERSION) {
            throw new CorruptLogException(file, 4, "unknown log format version " + version);
        }
        int pos = WriteAheadLog.HEADER;
        while (pos < buf.length) {
            String torn = null;
            int length = 0;
            if (buf.length - pos < RecordCodec.RECORD_HEADER) {
                torn = "a short record header";
            } else {
                length = ByteBuffer.wrap(buf, pos, 4).getInt();
                if (length <= 0 || length > RecordCodec.MAX_RECORD
                        || ByteBuffer.wrap(buf, pos + 4, 4).getInt() != ~length) {
                    if (!newest || !zeroedSector(buf, pos, pos + RecordCodec.RECORD_HEADER)) {
                        throw new CorruptLogException(file, pos, "damaged record length " + length);
                    }
                    torn = "a record header in a zeroed sector";
                } else if ((long) pos + RecordCodec.RECORD_HEADER + length > buf.length) {
                    torn = "a record cut short";
                } else {
                    int sum = ByteBuffer.wrap(buf, pos + 8, 4).getInt();
                    int actual = RecordCodec.checksum(buf, pos + RecordCodec.RECORD_HEADER, length);
                    if (sum != actual) {
                        int end = pos + RecordCodec.RECORD_HEADER + length;
                        if (newest && end == buf.length) {
                            torn = "a last record with a bad checksum";
                        } else if (newest && zeroedSector(buf, pos, end)) {
                            torn = "a record with a zeroed sector";
                        } else {
                            throw new CorruptLogException(file, pos, "record checksum mismatch");
                        }
                    }
                }
            }
            if (torn != null) {
                if (!newest) {
                    throw new CorruptLogException(file, pos, torn + " in a segment that is not the newest");
                }
                cut(file, pos, torn);
                return;
            }
            ByteBuffer payload = ByteBuffer.wrap(buf, pos + RecordCodec.RECORD_HEADER, length).slice();
            byte type = payload.get();
            switch (type) {
                case RecordCodec.ENTRY -> {
                    Entry e = decode(file, pos, () -> RecordCodec.decodeEntry(payload));
                    add(file, pos, e);
                    noteIndex(e.index());
                }
                case RecordCodec.HARD_STATE -> {
                    hardState = decode(file, pos, () -> RecordCodec.decodeHardState(payload));
                    newestHasHardState = true;
                }
                case RecordCodec.SNAPSHOT_MARK -> {
                    mark = RecordCodec.decodeSnapshotMark(payload);
                    markSegment = segmentLastIndexes.size() - 1;
                    entries.clear();
                    startFile = file;
                    startOffset = pos;
                    noteIndex(mark.index());
                }
                default -> throw new CorruptLogException(file, pos, "unknown record type " + type);
            }
            pos += RecordCodec.RECORD_HEADER + length;
        }
    }

    /** A record whose checksum holds but whose fields are impossible is damage too. */
    private static <T> T decode(Path file, long offset, java.util.function.Supplier<T> decoder)
            throws CorruptLogException {
        try {
            return decoder.get();
        } catch (RuntimeException e) {
            throw new CorruptLogException(file, offset, "a record that cannot be read: " + e.getMessage());
        }
    }

    private void noteIndex(long index) {
        int last = segmentLastIndexes.size() - 1;
        segmentLastIndexes.set(last, Math.max(segmentLastIndexes.get(last), index));
    }

    private void add(Path file, long offset, Entry e) throws CorruptLogException {
        if (entries.isEmpty()) {
            if (mark != null && e.index() != mark.index() + 1) {
                throw new CorruptLogException(file, offset,
                        "entry " + e.index() + " does not follow the snapshot mark at " + mark.index());
            }
            if (mark == null) {
                startFile = file;
                startOffset = offset;
            }
            entries.add(e);
            return;
        }
        long first = entries.get(0).index();
        long last = entries.get(entries.size() - 1).index();
        if (e.index() > last + 1) {
            throw new CorruptLogException(file, offset,
                    "entry " + e.index() + " follows entry " + last + " (a gap in the log)");
        }
        if (e.index() <= last) {
            if (e.index() >= first) {
                entries.subList((int) (e.index() - first), entries.size()).clear();
            } else if (mark == null && e.index() <= snapshotIndex + 1) {
                // Segments with the entries before it were compacted: the snapshot holds them.
                entries.clear();
                startFile = file;
                startOffset = offset;
            } else {
                throw new CorruptLogException(file, offset,
                        "entry " + e.index() + " rewrites entries before the first one kept (" + first + ")");
            }
        }
        entries.add(e);
    }

    /**
     * Checks that the log continues the snapshot at {@code snapshotIndex} and drops the entries
     * it includes. Returns null when it does, or why the log must be replaced by the snapshot: it
     * ends before the snapshot, or holds a different entry at the snapshot's index (both left by
     * a crash while a snapshot from the leader was being installed).
     *
     * @param snapshotTerm term of the snapshot's last entry (0: unknown, not checked)
     * @throws CorruptLogException when entries between the snapshot and the log are missing
     */
    String settle(long snapshotTerm) throws CorruptLogException {
        boolean empty = entries.isEmpty() && mark == null;
        if (empty) {
            return null;
        }
        long start = entries.isEmpty() ? mark.index() + 1 : entries.get(0).index();
        long last = entries.isEmpty() ? mark.index() : entries.get(entries.size() - 1).index();
        if (start > snapshotIndex + 1) {
            String what = snapshotIndex == 0
                    ? "the log starts at entry " + start + " but there is no snapshot: entries 1 to "
                    + (start - 1) + " are missing"
                    : "the log starts at entry " + start + " but the snapshot ends at entry " + snapshotIndex
                    + ": entries " + (snapshotIndex + 1) + " to " + (start - 1) + " are missing";
            throw new CorruptLogException(startFile, startOffset, what);
        }
        if (snapshotIndex == 0) {
            return null;
        }
        if (last < snapshotIndex) {
            return "the log ends at entry " + last + ", before the snapshot at " + snapshotIndex;
        }
        long termThere = -1;
        if (mark != null && mark.index() == snapshotIndex) {
            termThere = mark.term() == 0 ? -1 : mark.term();
        } else if (start <= snapshotIndex) {
            termThere = entries.get((int) (snapshotIndex - start)).term();
        }
        if (snapshotTerm != 0 && termThere != -1 && termThere != snapshotTerm) {
            return "the log holds term " + termThere + " at index " + snapshotIndex + " but the snapshot term "
                    + snapshotTerm;
        }
        if (start <= snapshotIndex) {
            entries.subList(0, (int) (snapshotIndex - start + 1)).clear();
        }
        return null;
    }

    /**
     * Whether the bytes {@code from}..{@code to} of a record touch a sector that a power cut left
     * unwritten: from where the record enters the sector (its start, or the sector's) to the
     * sector's end (or the file's), every byte is zero. A record whose bytes were all written but
     * damaged, or whose own data holds zeros that stop short of a sector's end, does not qualify.
     */
    static boolean zeroedSector(byte[] buf, int from, int to) {
        int start = from;
        while (start < to && start < buf.length) {
            int sectorEnd = (start / SECTOR + 1) * SECTOR;
            if (allZero(buf, start, Math.min(sectorEnd, buf.length))) {
                return true;
            }
            start = sectorEnd;
        }
        return false;
    }

    /**
     * A newest segment that holds nothing but, at most, part of its header: each of its bytes is
     * the header's or zero, up to the header's length, and zero after it.
     */
    private static boolean unwrittenSegment(byte[] buf) {
        ByteBuffer header = WriteAheadLog.segmentHeader();
        boolean whole = buf.length >= WriteAheadLog.HEADER;
        for (int i = 0; i < Math.min(buf.length, WriteAheadLog.HEADER); i++) {
            if (buf[i] != header.get(i)) {
                if (buf[i] != 0) {
                    return false;
                }
                whole = false;
            }
        }
        return !whole && allZero(buf, Math.min(buf.length, WriteAheadLog.HEADER), buf.length);
    }

    private static boolean allZero(byte[] buf, int from, int to) {
        for (int i = from; i < to; i++) {
            if (buf[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private void cut(Path file, long offset, String why) throws IOException {
        LOG.warn("log {} ends with {} at offset {}: cutting it off (it was never acknowledged)",
                file.getFileName(), why, offset);
        try (DurableFile ch = fs.open(file)) {
            ch.truncate(offset);
            ch.force(true);
        }
    }

    private void rewriteHeader(Path file) throws IOException {
        try (DurableFile ch = fs.open(file)) {
            ch.write(WriteAheadLog.segmentHeader(), 0);
            ch.force(true);
        }
    }
}
