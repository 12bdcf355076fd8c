package io.etcdj.wal;

import io.etcdj.fs.DurableFile;
import io.etcdj.fs.FileSystem;
import io.etcdj.raft.Entry;
import io.etcdj.raft.HardState;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The file-backed Raft log: entries and hard state, appended and fsynced before anything that
 * depends on them is acknowledged; compacted once a snapshot holds its older entries.
 *
 * <h2>Layout</h2>
 * A directory of segment files named {@code <sequence as 16 hex digits>.wal}, read in sequence
 * order. A segment starts with an 8-byte header: the magic {@code 0x454A574C} ("EJWL") and the
 * format version (an int: 2 is written, 1 is still read). Then come records, each:
 * <pre>
 *   int    length    bytes of payload that follow the checksum
 *   int    ~length   the length's complement, so a damaged length is told from a torn write
 *   int    checksum  CRC-32C of the payload
 *   byte   type      1 = entry, 2 = hard state, 3 = snapshot mark (version 2)
 *   ...    body      entry: long index, long term, byte entry type, data (rest of payload)
 *                    hard state: long term, long commit, short vote length, vote (UTF-8)
 *                    snapshot mark: long index, long term
 * </pre>
 * All numbers are big-endian. An entry whose index is not past the last one replaces it and
 * everything after it (a follower overwriting a conflicting suffix); the last hard state wins; a
 * snapshot mark discards everything before it and says the log continues after its index. Every
 * new segment starts with the current hard state, so the newest segment always holds the latest
 * one and older segments can be deleted.
 *
 * <h2>Snapshots and compaction</h2>
 * {@link #open(Path, long, long)} is told the snapshot the node starts from. The log may start at
 * any index up to the snapshot's index + 1 (entries it holds at or below the snapshot's index are
 * dropped from {@link #entries()}); a log that starts later misses entries and is refused. A log
 * that ends before the snapshot, or holds another term at its index, was left by a crash while a
 * snapshot from the leader was installed: it is replaced by an empty log after the snapshot.
 * {@link #releaseBefore} deletes whole closed segments the snapshot covers, oldest first, so a
 * crash part way leaves a log that still starts early enough. {@link #resetTo} writes a new
 * segment that starts with a snapshot mark, fsyncs it, and only then deletes the older segments:
 * a crash in between leaves old segments that the mark supersedes, and the next open deletes them.
 *
 * <h2>Recovery</h2>
 * What a power cut can leave, and so what replay forgives. An fsync makes everything written to
 * the file before it durable, so only the bytes after the last fsync of the newest segment are in
 * doubt (an older segment is fsynced before the next one is created). Those bytes went through
 * the page cache, which writes them back a sector at a time, in any order, and may have grown the
 * file's size before or after writing its data (ext4 with delayed allocation, xfs, which reads an
 * unwritten extent as zeros). So past the last synced byte there may be: nothing; the records as
 * written, cut at any byte; zeros up to some length (the size reached the disk, the data did not;
 * a preallocated region reads the same); or a mix, each 512-byte sector either as written or all
 * zeros, including zeros followed by written bytes. A cut never writes bytes that were not
 * written: that is damage.
 * <p>So, in the newest segment, replay stops at the first record that is cut short by the end of
 * the file, or is the last one and fails its checksum, or fails its length check or checksum and
 * touches a zeroed sector: from where the record enters a sector to that sector's end (or the
 * file's), every byte is zero. It truncates the file there and logs it: nothing from there on was
 * fsynced, hence nothing was acknowledged. A newest segment that holds at most part of its header
 * followed by zeros (created, never forced) starts again empty. Any other damage — a bad length
 * or checksum with no zeroed sector, so with written bytes after it; anything wrong in an older
 * segment; an unknown version; a gap in the indexes — stops the node with the file and offset,
 * because dropping it could lose committed entries. The one ambiguity: a damaged record whose own
 * data holds a zero run to the end of a sector is taken for a power cut.
 *
 * <h2>Writing</h2>
 * {@link #save} writes a whole batch (all entries of one Raft ready cycle and its hard state) with
 * one write and one fsync: concurrent proposals batched by the node share that fsync. Segments
 * roll over once they pass the segment size ({@link #SEGMENT_BYTES} unless told otherwise); the
 * old one is fsynced, and a new segment and its directory are fsynced before use.
 * Not thread-safe: the node loop alone writes.
 *
 * <h2>Failures</h2>
 * A write or fsync that fails (a full disk, an I/O error) leaves the log as it was before the
 * call: the segment is cut back to its previous end, and a new segment that could not be made
 * whole is deleted and writing goes on in the old one. The caller may retry the same call once
 * the disk recovers, and replay never meets a half-written batch. Should even the cut fail, the
 * next call makes it first.
 */
public final class WriteAheadLog implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(WriteAheadLog.class);
    static final int MAGIC = 0x454A574C;
    static final int VERSION = 2;
    static final int HEADER = 8;
    public static final long SEGMENT_BYTES = 64L << 20;
    private static final long SLOW_FSYNC_NANOS = 1_000_000_000L;

    /** A segment no longer written to, with the highest entry (or mark) index it holds. */
    private record Segment(Path file, long lastIndex) {
    }

    private final FileSystem fs;
    private final Path dir;
    private final long segmentBytes;
    private List<Entry> entries = List.of();
    private HardState hardState;
    private long lastIndex;
    /** Entries up to here are in a snapshot: they are never written again. */
    private long snapshotIndex;
    private final ArrayDeque<Segment> closed = new ArrayDeque<>();
    private long sequence;
    private DurableFile current;
    private Path currentFile;
    private long currentSize;
    private long currentLastIndex;
    private boolean currentHasHardState;
    /** Something was written to the current segment without an fsync. */
    private boolean unsynced;
    private ByteBuffer scratch = ByteBuffer.allocate(64 << 10);
    private long syncs;
    /** The current segment must be cut back to this size before the next write; -1 when it is whole. */
    private long cutTo = -1;

    private WriteAheadLog(FileSystem fs, Path dir, long segmentBytes, HardState hardState) {
        this.fs = fs;
        this.dir = dir;
        this.segmentBytes = segmentBytes;
        this.hardState = hardState;
    }

    /** Opens (creating when missing) a log that has no snapshot before it, and replays it. */
    public static WriteAheadLog open(Path dir) throws IOException {
        return open(dir, 0, 0);
    }

    /**
     * Opens (creating when missing) the log in {@code dir} and replays it after the snapshot the
     * node starts from.
     *
     * @param snapshotIndex last index the snapshot includes, 0 without a snapshot
     * @param snapshotTerm  term of that entry (0 when unknown: then it is not checked)
     * @throws CorruptLogException for damage, or when entries between the snapshot and the log
     *                             are missing
     */
    public static WriteAheadLog open(Path dir, long snapshotIndex, long snapshotTerm) throws IOException {
        return open(dir, snapshotIndex, snapshotTerm, SEGMENT_BYTES);
    }

    /** As {@link #open(Path, long, long)}, rolling segments over at {@code segmentBytes}. */
    public static WriteAheadLog open(Path dir, long snapshotIndex, long snapshotTerm, long segmentBytes)
            throws IOException {
        return open(FileSystem.real(), dir, snapshotIndex, snapshotTerm, segmentBytes);
    }

    /** As {@link #open(Path, long, long, long)}, with every file operation going through {@code fs}. */
    public static WriteAheadLog open(FileSystem fs, Path dir, long snapshotIndex, long snapshotTerm,
            long segmentBytes) throws IOException {
        if (snapshotIndex < 0 || segmentBytes <= 0) {
            throw new IllegalArgumentException("snapshot index " + snapshotIndex + ", segment size " + segmentBytes);
        }
        fs.createDirectories(dir);
        List<Path> segments = segments(fs, dir);
        LogReplay replay = new LogReplay(fs, snapshotIndex);
        for (int i = 0; i < segments.size(); i++) {
            replay.read(segments.get(i), i == segments.size() - 1);
        }
        String reset = replay.settle(snapshotTerm);
        WriteAheadLog wal = new WriteAheadLog(fs, dir, segmentBytes, replay.hardState);
        if (segments.isEmpty()) {
            wal.startSegment(1, null);
        } else {
            int first = Math.max(0, replay.markSegment);
            if (first > 0) {
                // A reset was cut short by a crash: finish deleting what its mark supersedes.
                for (int i = 0; i < first; i++) {
                    fs.delete(segments.get(i));
                }
                fs.syncDirectory(dir);
                LOG.info("deleted {} log segments left before the snapshot mark at {}", first,
                        replay.mark.index());
            }
            for (int i = first; i < segments.size() - 1; i++) {
                wal.closed.add(new Segment(segments.get(i), replay.segmentLastIndexes.get(i)));
            }
            Path last = segments.get(segments.size() - 1);
            wal.sequence = sequenceOf(last);
            wal.current = fs.open(last);
            wal.currentFile = last;
            wal.currentSize = wal.current.size();
            wal.current.position(wal.currentSize);
            wal.currentLastIndex = replay.segmentLastIndexes.get(segments.size() - 1);
            wal.currentHasHardState = replay.newestHasHardState;
        }
        wal.snapshotIndex = snapshotIndex;
        if (reset != null) {
            LOG.warn("{}: replacing the log with an empty one after the snapshot", reset);
            wal.resetTo(snapshotIndex, snapshotTerm);
        } else {
            wal.entries = replay.entries;
            wal.lastIndex = replay.entries.isEmpty() ? snapshotIndex
                    : replay.entries.get(replay.entries.size() - 1).index();
        }
        return wal;
    }

    /**
     * Entries recovered on open, in index order, all after the snapshot's index (only meaningful
     * right after {@link #open}).
     */
    public List<Entry> entries() {
        return entries;
    }

    public HardState hardState() {
        return hardState;
    }

    /** Index of the last entry written, or of the snapshot the log continues when it holds none. */
    public long lastIndex() {
        return lastIndex;
    }

    /**
     * Appends the entries and the hard state (either may be empty/null) and fsyncs them. When it
     * returns they survive a crash.
     */
    public void save(HardState hs, List<Entry> batch) throws IOException {
        save(hs, batch, true);
    }

    /**
     * As {@link #save(HardState, List)}, but with {@code sync} false the write is left to the page
     * cache: for a change of the commit index alone, which Raft can always learn again.
     *
     * @throws IllegalArgumentException when the batch would leave a gap, is not contiguous, or
     *                                  rewrites entries a snapshot holds: replay would refuse it
     */
    public void save(HardState hs, List<Entry> batch, boolean sync) throws IOException {
        if ((hs == null || hs.equals(hardState)) && batch.isEmpty()) {
            return;
        }
        checkContinues(batch);
        if (currentSize >= segmentBytes) {
            rollOver();
        }
        int size = 0;
        for (Entry e : batch) {
            size += RecordCodec.entrySize(e);
        }
        boolean writeState = hs != null && !hs.equals(hardState);
        if (writeState) {
            size += RecordCodec.hardStateSize(hs);
        }
        ByteBuffer buf = scratch(size);
        for (Entry e : batch) {
            RecordCodec.putEntry(buf, e);
        }
        if (writeState) {
            RecordCodec.putHardState(buf, hs);
        }
        append(buf.flip(), sync);
        if (!batch.isEmpty()) {
            lastIndex = batch.get(batch.size() - 1).index();
            currentLastIndex = Math.max(currentLastIndex, lastIndex);
        }
        if (writeState) {
            hardState = hs;
            currentHasHardState = true;
        }
    }

    /**
     * Deletes the oldest segments whose entries are all at or below {@code index}, never the one
     * being written; returns how many. Call it only once a snapshot that includes entry
     * {@code index} is durably saved.
     */
    public int releaseBefore(long index) throws IOException {
        int releasable = 0;
        for (Segment s : closed) {
            if (s.lastIndex() > index) {
                break;
            }
            releasable++;
        }
        snapshotIndex = Math.max(snapshotIndex, Math.min(index, lastIndex));
        if (releasable == 0) {
            return 0;
        }
        // What is deleted must be durable elsewhere: the current segment, with the latest hard state.
        if (!currentHasHardState && !hardState.equals(HardState.EMPTY)) {
            ByteBuffer buf = scratch(RecordCodec.hardStateSize(hardState));
            RecordCodec.putHardState(buf, hardState);
            append(buf.flip(), true);
            currentHasHardState = true;
        } else if (unsynced) {
            force();
        }
        for (int i = 0; i < releasable; i++) {
            fs.delete(closed.removeFirst().file());
        }
        fs.syncDirectory(dir);
        return releasable;
    }

    /**
     * Replaces the whole log with an empty one that continues after a snapshot at
     * {@code index}/{@code term} (one installed from the leader), keeping the hard state. Call it
     * only once that snapshot is durably saved. Crash-safe: the new segment is fsynced before the
     * old ones are deleted, and replay ignores whatever precedes its snapshot mark.
     */
    public void resetTo(long index, long term) throws IOException {
        repair();
        // Until the deletions below are durable, the old segments may outlive a power cut beside
        // the new one, and a torn tail is only forgiven in the newest segment: make them whole.
        if (unsynced) {
            force();
        }
        List<Path> old = new ArrayList<>();
        closed.forEach(s -> old.add(s.file()));
        old.add(currentFile);
        DurableFile previous = current;
        startSegment(sequence + 1, new SnapshotMark(index, term));
        previous.close();
        for (Path p : old) {
            fs.deleteIfExists(p);
        }
        fs.syncDirectory(dir);
        closed.clear();
        entries = List.of();
        lastIndex = index;
        snapshotIndex = index;
        LOG.info("log reset to continue after the snapshot at index {} (term {})", index, term);
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

    private void checkContinues(List<Entry> batch) {
        long expected = -1;
        for (Entry e : batch) {
            if (expected == -1 && (e.index() <= snapshotIndex || e.index() > lastIndex + 1)) {
                throw new IllegalArgumentException("entry " + e.index() + " cannot follow the log (last index "
                        + lastIndex + ", snapshot index " + snapshotIndex + ")");
            }
            if (expected != -1 && e.index() != expected) {
                throw new IllegalArgumentException("entry " + e.index() + " follows entry " + (expected - 1)
                        + " in one batch");
            }
            expected = e.index() + 1;
        }
    }

    private ByteBuffer scratch(int size) {
        if (scratch.capacity() < size) {
            scratch = ByteBuffer.allocate(Math.max(size, scratch.capacity() * 2));
        }
        return scratch.clear();
    }

    /**
     * Writes {@code buf} at the end of the current segment, fsynced when {@code sync}; on failure
     * the segment is cut back to where it ended, so the log is as before the call.
     */
    private void append(ByteBuffer buf, boolean sync) throws IOException {
        repair();
        long before = currentSize;
        boolean wasUnsynced = unsynced;
        try {
            int size = buf.remaining();
            while (buf.hasRemaining()) {
                current.write(buf);
            }
            currentSize += size;
            unsynced = true;
            if (sync) {
                force();
            }
        } catch (IOException e) {
            currentSize = before;
            unsynced = wasUnsynced;
            cutTo = before;
            try {
                repair();
            } catch (IOException cut) {
                e.addSuppressed(cut);
            }
            throw e;
        }
    }

    /** Cuts off what a failed write may have left at the end of the current segment. */
    private void repair() throws IOException {
        if (cutTo < 0) {
            return;
        }
        current.truncate(cutTo);
        current.position(cutTo);
        cutTo = -1;
    }

    private void force() throws IOException {
        long start = System.nanoTime();
        current.force(false);
        syncs++;
        unsynced = false;
        long took = System.nanoTime() - start;
        if (took > SLOW_FSYNC_NANOS) {
            LOG.warn("fsync of the log took {} ms", took / 1_000_000);
        }
    }

    private void rollOver() throws IOException {
        repair();
        // A torn tail is only forgiven in the newest segment: the old one must be whole first.
        if (unsynced) {
            force();
        }
        DurableFile old = current;
        Segment finished = new Segment(currentFile, currentLastIndex);
        startSegment(sequence + 1, null);
        closed.add(finished);
        old.close();
    }

    /**
     * Creates segment {@code seq}: header, then the mark if any and the hard state, fsynced, and
     * makes it the current one. On failure the file is deleted and nothing changes.
     */
    private void startSegment(long seq, SnapshotMark mark) throws IOException {
        Path file = dir.resolve(String.format("%016x.wal", seq));
        boolean withState = !hardState.equals(HardState.EMPTY);
        int size = HEADER + (mark == null ? 0 : RecordCodec.snapshotMarkSize())
                + (withState ? RecordCodec.hardStateSize(hardState) : 0);
        ByteBuffer buf = scratch(size).put(segmentHeader());
        if (mark != null) {
            RecordCodec.putSnapshotMark(buf, mark);
        }
        if (withState) {
            RecordCodec.putHardState(buf, hardState);
        }
        buf.flip();
        DurableFile ch = fs.create(file);
        try {
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
            fs.syncDirectory(dir);
        } catch (IOException e) {
            try {
                ch.close();
                fs.deleteIfExists(file);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        current = ch;
        currentFile = file;
        currentSize = size;
        currentLastIndex = mark == null ? 0 : mark.index();
        currentHasHardState = withState;
        unsynced = false;
        sequence = seq;
    }

    static ByteBuffer segmentHeader() {
        return ByteBuffer.allocate(HEADER).putInt(MAGIC).putInt(VERSION).flip();
    }

    /** Fsyncs a directory so that a file created, renamed or deleted in it stays so after a crash. */
    public static void syncDirectory(Path dir) throws IOException {
        FileSystem.real().syncDirectory(dir);
    }

    private static List<Path> segments(FileSystem fs, Path dir) throws IOException {
        return fs.list(dir).stream()
                .filter(p -> p.getFileName().toString().matches("[0-9a-f]{16}\\.wal"))
                .sorted()
                .toList();
    }

    private static long sequenceOf(Path segment) {
        String name = segment.getFileName().toString();
        return Long.parseUnsignedLong(name.substring(0, 16), 16);
    }
}
