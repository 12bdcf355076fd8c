package io.etcdj.wal;

import io.etcdj.raft.HardState;

import io.etcdj.raft.Entry;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the segments of a log in order (see {@link WriteAheadLog} for the format and the rules),
 * collecting the entries, the last hard state, and for each segment the highest index it holds.
 */
final class LogReplay {
    private static final Logger LOG = LoggerFactory.getLogger(LogReplay.class);

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
    LogReplay(long snapshotIndex) {
        this.snapshotIndex = snapshotIndex;
    }

    void read(Path file, boolean newest) throws IOException {
        segmentLastIndexes.add(0L);
        newestHasHardState = false;
        byte[] buf = Files.readAllBytes(file);
        if (buf.length < WriteAheadLog.HEADER) {
            if (newest && allZero(buf, 0)) {
                cut(file, 0, "a segment without a complete header");
                rewriteHeader(file);
                return;
            }
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
                if (length == 0 && allZero(buf, pos)) {
                    torn = "a zero-filled tail";
                } else if (length <= 0 || length > RecordCodec.MAX_RECORD
                        || ByteBuffer.wrap(buf, pos + 4, 4).getInt() != ~length) {
                    throw new CorruptLogException(file, pos, "damaged record length " + length);
                } else if ((long) pos + RecordCodec.RECORD_HEADER + length > buf.length) {
                    torn = "a record cut short";
                } else {
                    int sum = ByteBuffer.wrap(buf, pos + 8, 4).getInt();
                    int actual = RecordCodec.checksum(buf, pos + RecordCodec.RECORD_HEADER, length);
                    if (sum != actual) {
                        boolean last = pos + RecordCodec.RECORD_HEADER + length == buf.length;
                        if (!last || !newest) {
                            throw new CorruptLogException(file, pos, "record checksum mismatch");
                        }
                        torn = "a last record with a bad checksum";
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

    private static boolean allZero(byte[] buf, int from) {
        for (int i = from; i < buf.length; i++) {
            if (buf[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static void cut(Path file, long offset, String why) throws IOException {
        LOG.warn("log {} ends with {} at offset {}: cutting it off (it was never acknowledged)",
                file.getFileName(), why, offset);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(offset);
            ch.force(true);
        }
    }

    private static void rewriteHeader(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(WriteAheadLog.segmentHeader(), 0);
            ch.force(true);
        }
    }
}
