package io.etcdj.wal;

import io.etcdj.fs.DurableFile;
import io.etcdj.fs.FileSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.CRC32C;

/**
 * The snapshots of the state machine, one file each, in a directory of their own.
 *
 * <h2>Layout</h2>
 * Files are named {@code <index as 16 hex digits>-<term as 16 hex digits>.snap}, so that name
 * order is log order and the newest is last. Each holds:
 * <pre>
 *   int    magic     0x454A534E ("EJSN")
 *   int    version   format version, currently 1
 *   long   index     last log index the snapshot includes
 *   long   term      term of that entry
 *   int    members   number of member names, then for each: short length, name (UTF-8)
 *   int    context   length of the membership context, then its bytes
 *   long   data      length of the state machine's data, then its bytes
 *   int    checksum  CRC-32C of every byte before it
 * </pre>
 * All numbers are big-endian.
 *
 * <h2>Writing</h2>
 * {@link #save} writes a temporary file of a unique name ({@code <name>.<random>.tmp}), fsyncs
 * it, renames it to its final name and fsyncs the directory: a crash leaves at worst a temporary
 * file, never a partial snapshot under a final name. Once the new snapshot is durable the oldest
 * beyond the newest {@code keep} are deleted. Temporary files are deleted only by {@link #open},
 * as leftovers of an earlier process, so a save never removes the file another one is writing.
 * Saves are serialized on the instance; {@link #loadNewest} may run beside a save.
 * After a power cut, a snapshot whose rename was not yet made durable by the directory's fsync
 * may be gone (the log still holds its entries: the log is compacted only after the save returns),
 * and a temporary file may be left, torn or zero-filled: it is never read, and open deletes it.
 * A file under a final name was fsynced before it was renamed, so it is whole.
 *
 * <h2>Reading</h2>
 * {@link #loadNewest} takes the newest snapshot that is whole: one with a bad checksum, an
 * unknown version or a header that disagrees with its name is skipped with a warning (and left
 * in place for inspection), and the next older one is tried.
 */
public final class SnapshotDirectory {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotDirectory.class);
    static final int MAGIC = 0x454A534E;
    static final int VERSION = 1;
    public static final int DEFAULT_KEEP = 3;
    private static final String SUFFIX = ".snap";
    private static final String TMP_SUFFIX = ".tmp";
    /** A temporary file of {@link #save}, or of an older version ({@code <name>.tmp}). */
    private static final String TMP_PATTERN = "[0-9a-f]{16}-[0-9a-f]{16}\\.snap(\\.[0-9]+)?\\.tmp";
    private static final String NAME_PATTERN = "[0-9a-f]{16}-[0-9a-f]{16}\\.snap";
    /** magic, version, index, term, member count, context length, data length, checksum */
    private static final int FIXED_BYTES = 4 + 4 + 8 + 8 + 4 + 4 + 8 + 4;

    /**
     * The outcome of {@link #loadNewest}.
     *
     * @param snapshot the newest whole snapshot, or null when there is none
     * @param file     its file, or null
     * @param skipped  newer snapshot files passed over, newest first, with why
     */
    public record Loaded(SnapshotRecord snapshot, Path file, List<Skipped> skipped) {
        public Loaded {
            skipped = List.copyOf(skipped);
        }

        public boolean found() {
            return snapshot != null;
        }

        /** The snapshot's last index, or 0 without one: what {@link WriteAheadLog#open} takes. */
        public long index() {
            return snapshot == null ? 0 : snapshot.index();
        }

        /** The snapshot's term, or 0 without one. */
        public long term() {
            return snapshot == null ? 0 : snapshot.term();
        }
    }

    /** A snapshot file {@link #loadNewest} did not use, and why. */
    public record Skipped(Path file, String reason) {
    }

    private final FileSystem fs;
    private final Path dir;
    private final int keep;

    private SnapshotDirectory(FileSystem fs, Path dir, int keep) {
        this.fs = fs;
        this.dir = dir;
        this.keep = keep;
    }

    /** Opens (creating when missing) the directory, keeping the newest {@link #DEFAULT_KEEP}. */
    public static SnapshotDirectory open(Path dir) throws IOException {
        return open(dir, DEFAULT_KEEP);
    }

    /**
     * Opens (creating when missing) the directory, keeping the newest {@code keep} snapshots, and
     * deletes temporary files left by a crash. Open a directory once per process.
     */
    public static SnapshotDirectory open(Path dir, int keep) throws IOException {
        return open(FileSystem.real(), dir, keep);
    }

    /** As {@link #open(Path, int)}, with every file operation going through {@code fs}. */
    public static SnapshotDirectory open(FileSystem fs, Path dir, int keep) throws IOException {
        if (keep < 1) {
            throw new IllegalArgumentException("must keep at least one snapshot: " + keep);
        }
        fs.createDirectories(dir);
        List<Path> stale = fs.list(dir).stream()
                .filter(p -> p.getFileName().toString().matches(TMP_PATTERN))
                .sorted()
                .toList();
        for (Path p : stale) {
            fs.deleteIfExists(p);
            LOG.info("deleted temporary snapshot file {} left by an earlier run", p.getFileName());
        }
        if (!stale.isEmpty()) {
            fs.syncDirectory(dir);
        }
        return new SnapshotDirectory(fs, dir, keep);
    }

    public Path dir() {
        return dir;
    }

    /**
     * Writes the snapshot durably under its final name, then deletes the oldest beyond the
     * newest {@code keep}. When it returns the snapshot survives a crash; only then may the log be
     * compacted up to its index. Saves on one instance run one at a time.
     *
     * @return the snapshot's file
     */
    public synchronized Path save(SnapshotRecord snapshot) throws IOException {
        String name = fileName(snapshot.index(), snapshot.term());
        Path target = dir.resolve(name);
        long start = System.nanoTime();
        // a name of its own, so that no other save (or a leftover of one) shares it
        Path tmp = null;
        DurableFile ch = null;
        while (ch == null) {
            tmp = dir.resolve(name + "." + ThreadLocalRandom.current().nextLong(Long.MAX_VALUE) + TMP_SUFFIX);
            try {
                ch = fs.createOwnerOnly(tmp); // it holds the whole store
            } catch (FileAlreadyExistsException taken) {
                // another save's name: draw again
            }
        }
        try (DurableFile file = ch) {
            write(file, snapshot);
            file.force(true);
            file.close();
            fs.rename(tmp, target);
        } catch (IOException | RuntimeException e) {
            try {
                fs.deleteIfExists(tmp);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        fs.syncDirectory(dir);
        LOG.info("saved snapshot {} ({} bytes of data) in {} ms", name, snapshot.data().length,
                (System.nanoTime() - start) / 1_000_000);
        prune();
        return target;
    }

    /** Reads the newest whole snapshot, skipping damaged or unknown ones (see the class comment). */
    public Loaded loadNewest() throws IOException {
        List<Skipped> skipped = new ArrayList<>();
        List<Path> files = files();
        for (int i = files.size() - 1; i >= 0; i--) {
            Path file = files.get(i);
            try {
                SnapshotRecord s = read(fs, file);
                String expected = fileName(s.index(), s.term());
                if (!expected.equals(file.getFileName().toString())) {
                    throw new CorruptSnapshotException(file, "it holds index " + s.index() + " term " + s.term()
                            + ", which would be named " + expected);
                }
                LOG.info("loaded snapshot {} (index {}, term {}, {} bytes of data)", file.getFileName(), s.index(),
                        s.term(), s.data().length);
                return new Loaded(s, file, skipped);
            } catch (CorruptSnapshotException e) {
                LOG.warn("skipping snapshot {}: {}", file.getFileName(), e.reason());
                skipped.add(new Skipped(file, e.reason()));
            } catch (NoSuchFileException e) {
                // Pruned by a save meanwhile: newer ones exist.
            }
        }
        return new Loaded(null, null, skipped);
    }

    /** The snapshot files (not temporary ones), oldest first. */
    public List<Path> files() throws IOException {
        return fs.list(dir).stream()
                .filter(p -> p.getFileName().toString().matches(NAME_PATTERN))
                .sorted()
                .toList();
    }

    /** Reads and verifies one snapshot file, whatever its name. */
    public static SnapshotRecord read(Path file) throws IOException {
        return read(FileSystem.real(), file);
    }

    /** As {@link #read(Path)}, reading through {@code fs}. */
    public static SnapshotRecord read(FileSystem fs, Path file) throws IOException {
        try (DurableFile ch = fs.openForRead(file)) {
            long size = ch.size();
            if (size < 8) {
                throw new CorruptSnapshotException(file, "too short for a snapshot (" + size + " bytes)");
            }
            ByteBuffer preamble = readAt(ch, 0, 8);
            if (preamble.getInt() != MAGIC) {
                throw new CorruptSnapshotException(file, "not a snapshot (bad magic number)");
            }
            int version = preamble.getInt();
            if (version != VERSION) {
                throw new CorruptSnapshotException(file, "unknown snapshot format version " + version);
            }
            if (size < FIXED_BYTES) {
                throw new CorruptSnapshotException(file, "cut short (" + size + " bytes)");
            }
            int stored = readAt(ch, size - 4, 4).getInt();
            int actual = checksum(ch, size - 4);
            if (stored != actual) {
                throw new CorruptSnapshotException(file, String.format(
                        "checksum mismatch (stored %08x, computed %08x over %d bytes)", stored, actual, size - 4));
            }
            ch.position(8);
            DataInputStream in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(ch), 1 << 16));
            try {
                return parse(file, in, size);
            } catch (EOFException e) {
                throw new CorruptSnapshotException(file, "a length field runs past the end of the file");
            }
        }
    }

    private static SnapshotRecord parse(Path file, DataInputStream in, long size) throws IOException {
        long left = size - 8 - 4;
        long index = in.readLong();
        long term = in.readLong();
        int count = in.readInt();
        left -= 20;
        if (count < 0 || count > left / 2) {
            throw new CorruptSnapshotException(file, "damaged member count " + count);
        }
        List<String> members = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] name = new byte[in.readUnsignedShort()];
            in.readFully(name);
            left -= 2 + name.length;
            members.add(new String(name, StandardCharsets.UTF_8));
        }
        int contextLength = in.readInt();
        left -= 4;
        if (contextLength < 0 || contextLength > left) {
            throw new CorruptSnapshotException(file, "damaged context length " + contextLength);
        }
        byte[] context = new byte[contextLength];
        in.readFully(context);
        long dataLength = in.readLong();
        left -= contextLength + 8;
        if (dataLength != left || dataLength > Integer.MAX_VALUE - 8) {
            throw new CorruptSnapshotException(file, "data length " + dataLength + " does not match the "
                    + left + " bytes left in the file");
        }
        byte[] data = new byte[(int) dataLength];
        in.readFully(data);
        if (index < 1 || term < 1) {
            throw new CorruptSnapshotException(file, "impossible index " + index + " or term " + term);
        }
        return new SnapshotRecord(index, term, members, context, data);
    }

    private static void write(DurableFile ch, SnapshotRecord s) throws IOException {
        List<byte[]> names = new ArrayList<>();
        int size = 4 + 4 + 8 + 8 + 4 + 4 + s.context().length + 8;
        for (String m : s.members()) {
            byte[] name = m.getBytes(StandardCharsets.UTF_8);
            if (name.length > 0xffff) {
                throw new IllegalArgumentException("member name too long: " + name.length + " bytes");
            }
            names.add(name);
            size += 2 + name.length;
        }
        ByteBuffer head = ByteBuffer.allocate(size)
                .putInt(MAGIC).putInt(VERSION).putLong(s.index()).putLong(s.term()).putInt(names.size());
        for (byte[] name : names) {
            head.putShort((short) name.length).put(name);
        }
        head.putInt(s.context().length).put(s.context()).putLong(s.data().length);
        CRC32C crc = new CRC32C();
        crc.update(head.array(), 0, size);
        crc.update(s.data(), 0, s.data().length);
        writeFully(ch, head.flip());
        writeFully(ch, ByteBuffer.wrap(s.data()));
        writeFully(ch, ByteBuffer.allocate(4).putInt((int) crc.getValue()).flip());
    }

    /** Deletes the snapshots older than the newest {@code keep}. */
    private void prune() throws IOException {
        List<Path> snapshots = files();
        List<Path> delete = snapshots.subList(0, Math.max(0, snapshots.size() - keep));
        for (Path p : delete) {
            fs.deleteIfExists(p);
            LOG.info("deleted old snapshot file {}", p.getFileName());
        }
        if (!delete.isEmpty()) {
            fs.syncDirectory(dir);
        }
    }

    static String fileName(long index, long term) {
        return String.format("%016x-%016x%s", index, term, SUFFIX);
    }

    private static int checksum(DurableFile ch, long length) throws IOException {
        CRC32C crc = new CRC32C();
        ByteBuffer buf = ByteBuffer.allocate(1 << 16);
        long pos = 0;
        while (pos < length) {
            buf.clear().limit((int) Math.min(buf.capacity(), length - pos));
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new EOFException();
            }
            crc.update(buf.flip());
            pos += n;
        }
        return (int) crc.getValue();
    }

    private static ByteBuffer readAt(DurableFile ch, long pos, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length);
        while (buf.hasRemaining()) {
            if (ch.read(buf, pos + buf.position()) < 0) {
                throw new EOFException();
            }
        }
        return buf.flip();
    }

    private static void writeFully(DurableFile ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }
}
