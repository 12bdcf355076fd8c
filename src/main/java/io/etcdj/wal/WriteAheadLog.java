package io.etcdj.wal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The file-backed Raft log: entries and hard state, appended and fsynced before anything that
 * depends on them is acknowledged.
 *
 * <h2>Layout</h2>
 * A directory of segment files named {@code <sequence as 16 hex digits>.wal}, read in sequence
 * order. A segment starts with an 8-byte header: the magic {@code 0x454A574C} ("EJWL") and the
 * format version (an int, currently 1). Then come records, each:
 * <pre>
 *   int    length    bytes of payload that follow the checksum
 *   int    ~length   the length's complement, so a damaged length is told from a torn write
 *   int    checksum  CRC-32C of the payload
 *   byte   type      1 = entry, 2 = hard state
 *   ...    body      entry: long index, long term, byte entry type, data (rest of payload)
 *                    hard state: long term, long commit, short vote length, vote (UTF-8)
 * </pre>
 * All numbers are big-endian. An entry whose index is not past the last one replaces it and
 * everything after it (a follower overwriting a conflicting suffix); the last hard state wins.
 *
 * <h2>Recovery</h2>
 * A record cut short by a crash at the very end of the newest segment (a short header, a length
 * past the end of the file, a bad checksum on the last record, or a zero-filled tail) is a torn
 * write: it was never acknowledged, so it is cut off and logged. Any other damage — a bad
 * checksum with records after it, an unknown version, a gap in the indexes — stops the node
 * with the file and offset, because dropping it could lose committed entries.
 *
 * <h2>Writing</h2>
 * {@link #save} writes a whole batch (all entries of one Raft ready cycle and its hard state) with
 * one write and one fsync: concurrent proposals batched by the node share that fsync. Segments
 * roll over at {@link #SEGMENT_BYTES}; a new segment and its directory are fsynced before use.
 * Not thread-safe: the node loop alone writes.
 */
public final class WriteAheadLog implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(WriteAheadLog.class);
    static final int MAGIC = 0x454A574C;
    static final int VERSION = 1;
    static final int HEADER = 8;
    public static final long SEGMENT_BYTES = 64L << 20;
    private static final long SLOW_FSYNC_NANOS = 1_000_000_000L;

    private final Path dir;
    private final List<LogEntry> entries;
    private HardState hardState;
    private long lastIndex;
    private long sequence;
    private FileChannel current;
    private long currentSize;
    private ByteBuffer scratch = ByteBuffer.allocate(64 << 10);
    private long syncs;

    private WriteAheadLog(Path dir, List<LogEntry> entries, HardState hardState, long sequence) {
        this.dir = dir;
        this.entries = entries;
        this.hardState = hardState;
        this.lastIndex = entries.isEmpty() ? 0 : entries.get(entries.size() - 1).index();
        this.sequence = sequence;
    }

    /** Opens (creating when missing) the log in {@code dir} and replays it. */
    public static WriteAheadLog open(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Path> segments = segments(dir);
        Replay replay = new Replay();
        for (int i = 0; i < segments.size(); i++) {
            replay.read(segments.get(i), i == segments.size() - 1);
        }
        long seq = segments.isEmpty() ? 0 : sequenceOf(segments.get(segments.size() - 1));
        WriteAheadLog wal = new WriteAheadLog(dir, replay.entries, replay.hardState, seq);
        if (segments.isEmpty()) {
            wal.startSegment(1);
        } else {
            Path last = segments.get(segments.size() - 1);
            wal.current = FileChannel.open(last, StandardOpenOption.WRITE, StandardOpenOption.READ);
            wal.currentSize = wal.current.size();
            wal.current.position(wal.currentSize);
        }
        return wal;
    }

    /** Entries recovered on open, in index order (only meaningful right after {@link #open}). */
    public List<LogEntry> entries() {
        return entries;
    }

    public HardState hardState() {
        return hardState;
    }

    public long lastIndex() {
        return lastIndex;
    }

    /**
     * Appends the entries and the hard state (either may be empty/null) and fsyncs them. When it
     * returns they survive a crash.
     */
    public void save(HardState hs, List<LogEntry> batch) throws IOException {
        save(hs, batch, true);
    }

    /**
     * As {@link #save(HardState, List)}, but with {@code sync} false the write is left to the page
     * cache: for a change of the commit index alone, which Raft can always learn again.
     */
    public void save(HardState hs, List<LogEntry> batch, boolean sync) throws IOException {
        if ((hs == null || hs.equals(hardState)) && batch.isEmpty()) {
            return;
        }
        if (currentSize >= SEGMENT_BYTES) {
            current.close();
            startSegment(sequence + 1);
        }
        int size = 0;
        for (LogEntry e : batch) {
            size += RecordCodec.entrySize(e);
        }
        boolean writeState = hs != null && !hs.equals(hardState);
        if (writeState) {
            size += RecordCodec.hardStateSize(hs);
        }
        if (scratch.capacity() < size) {
            scratch = ByteBuffer.allocate(Math.max(size, scratch.capacity() * 2));
        }
        scratch.clear();
        for (LogEntry e : batch) {
            RecordCodec.putEntry(scratch, e);
        }
        if (writeState) {
            RecordCodec.putHardState(scratch, hs);
        }
        scratch.flip();
        while (scratch.hasRemaining()) {
            current.write(scratch);
        }
        if (sync) {
            long start = System.nanoTime();
            current.force(false);
            syncs++;
            long took = System.nanoTime() - start;
            if (took > SLOW_FSYNC_NANOS) {
                LOG.warn("fsync of the log took {} ms", took / 1_000_000);
            }
        }
        currentSize += size;
        if (!batch.isEmpty()) {
            lastIndex = batch.get(batch.size() - 1).index();
        }
        if (writeState) {
            hardState = hs;
        }
    }

    /** How many fsyncs of batches this log has done since it was opened. */
    public long syncCount() {
        return syncs;
    }

    @Override
    public void close() throws IOException {
        if (current != null) {
            current.close();
        }
    }

    private void startSegment(long seq) throws IOException {
        Path file = dir.resolve(String.format("%016x.wal", seq));
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                StandardOpenOption.READ);
        ByteBuffer header = ByteBuffer.allocate(HEADER).putInt(MAGIC).putInt(VERSION).flip();
        while (header.hasRemaining()) {
            ch.write(header);
        }
        ch.force(true);
        syncDirectory(dir);
        current = ch;
        currentSize = HEADER;
        sequence = seq;
    }

    /** Fsyncs a directory so that a file created or renamed in it survives a crash. */
    public static void syncDirectory(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    private static List<Path> segments(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().matches("[0-9a-f]{16}\\.wal"))
                    .sorted()
                    .toList();
        }
    }

    private static long sequenceOf(Path segment) {
        String name = segment.getFileName().toString();
        return Long.parseUnsignedLong(name.substring(0, 16), 16);
    }

    /** Reads segments in order, collecting entries and the last hard state. */
    private static final class Replay {
        final List<LogEntry> entries = new ArrayList<>();
        HardState hardState = HardState.EMPTY;

        void read(Path file, boolean newest) throws IOException {
            byte[] buf = Files.readAllBytes(file);
            if (buf.length < HEADER) {
                if (newest && allZero(buf, 0)) {
                    cut(file, 0, "a segment without a complete header");
                    rewriteHeader(file);
                    return;
                }
                throw new CorruptLogException(file, 0, "segment header is missing");
            }
            ByteBuffer in = ByteBuffer.wrap(buf);
            if (in.getInt() != MAGIC) {
                throw new CorruptLogException(file, 0, "not a log segment (bad magic number)");
            }
            int version = in.getInt();
            if (version != VERSION) {
                throw new CorruptLogException(file, 4, "unknown log format version " + version);
            }
            int pos = HEADER;
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
                    case RecordCodec.ENTRY -> add(file, pos, RecordCodec.decodeEntry(payload));
                    case RecordCodec.HARD_STATE -> hardState = RecordCodec.decodeHardState(payload);
                    default -> throw new CorruptLogException(file, pos, "unknown record type " + type);
                }
                pos += RecordCodec.RECORD_HEADER + length;
            }
        }

        private void add(Path file, long offset, LogEntry e) throws CorruptLogException {
            if (!entries.isEmpty()) {
                long first = entries.get(0).index();
                long last = entries.get(entries.size() - 1).index();
                if (e.index() > last + 1) {
                    throw new CorruptLogException(file, offset,
                            "entry " + e.index() + " follows entry " + last + " (a gap in the log)");
                }
                if (e.index() <= last) {
                    if (e.index() < first) {
                        throw new CorruptLogException(file, offset,
                                "entry " + e.index() + " rewrites entries before the first one kept (" + first + ")");
                    }
                    entries.subList((int) (e.index() - first), entries.size()).clear();
                }
            }
            entries.add(e);
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
                ch.write(ByteBuffer.allocate(HEADER).putInt(MAGIC).putInt(VERSION).flip(), 0);
                ch.force(true);
            }
        }
    }
}
