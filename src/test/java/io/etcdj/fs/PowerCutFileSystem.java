package io.etcdj.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * An in-memory {@link FileSystem} that remembers what is durable, and a power cut that keeps only
 * that. Paths are names only: nothing touches the real disk.
 *
 * <p>The fault model (docs/testing.md, "Power loss"):
 * <ul>
 *   <li>Each file has durable bytes (its content when it was last forced) and current bytes.
 *       A cut leaves a file whose current bytes differ as one of: the durable bytes (the unsynced
 *       writes dropped); the current bytes cut at an arbitrary length between the two sizes (a
 *       torn tail); the durable bytes followed by zeros up to such a length (the size reached the
 *       disk, the data did not); or a mix, each {@value #SECTOR}-byte sector (aligned on the file's
 *       offsets) taken old or new at random, new sectors past the durable size possibly zero.
 *       Nothing else: a cut never invents bytes that were not written.</li>
 *   <li>Each directory has durable entries (as of its last sync) and current entries (creates,
 *       renames, deletes since). A cut leaves the durable ones, or, one time in four, the current
 *       ones: an unsynced change may reach the disk on its own, but only a sync promises it.</li>
 *   <li>Directories themselves are durable once created.</li>
 * </ul>
 * {@link #armCut} makes the cut happen inside the code under test: after that many more writing
 * operations (create, write, truncate, force, rename, delete, directory sync) the next one cuts the
 * power and throws {@link PowerCut}. Files opened before a cut cannot be used after it.
 */
public final class PowerCutFileSystem implements FileSystem {
    public static final int SECTOR = 512;

    /** Thrown by the operation during which the power went: nothing after it may run. */
    public static final class PowerCut extends Error {
        PowerCut() {
            super("power cut", null, false, false);
        }
    }

    /** How a cut left a file whose current bytes were not all durable. */
    public enum Outcome { DROPPED, TORN, ZEROED, MIXED }

    private static final class Inode {
        byte[] data = new byte[0];
        int length;
        byte[] durable = new byte[0];

        byte[] current() {
            return Arrays.copyOf(data, length);
        }
    }

    private static final class Dir {
        Map<String, Inode> entries = new TreeMap<>();
        Map<String, Inode> durable = new TreeMap<>();
    }

    private final Random random;
    private final Map<Path, Dir> dirs = new HashMap<>();
    private final Map<Outcome, Long> outcomes = new TreeMap<>();
    private int era;
    private int armed = -1;
    private long cuts;

    public PowerCutFileSystem(Random random) {
        this.random = random;
    }

    /** Cuts the power after {@code operations} more writing operations (0: at the next one). */
    public void armCut(int operations) {
        armed = operations;
    }

    public void disarm() {
        armed = -1;
    }

    public long cuts() {
        return cuts;
    }

    /** How often each outcome was drawn for a file with an unsynced part, over all cuts. */
    public Map<Outcome, Long> outcomes() {
        return Collections.unmodifiableMap(outcomes);
    }

    /** Loses everything not durable, as described in the class comment. */
    public void powerCut() {
        era++;
        cuts++;
        armed = -1;
        Set<Inode> done = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Dir d : dirs.values()) {
            if (random.nextInt(4) == 0) {
                d.durable = new TreeMap<>(d.entries);
            } else {
                d.entries = new TreeMap<>(d.durable);
            }
            for (Inode inode : d.entries.values()) {
                if (done.add(inode)) {
                    cut(inode);
                }
            }
        }
    }

    private void cut(Inode inode) {
        byte[] old = inode.durable;
        byte[] now = inode.current();
        if (!Arrays.equals(old, now)) {
            Outcome outcome = Outcome.values()[random.nextInt(4)];
            outcomes.merge(outcome, 1L, Long::sum);
            int length;
            if (outcome == Outcome.DROPPED) {
                length = old.length;
            } else if (now.length > old.length) {
                length = old.length + random.nextInt(now.length - old.length + 1);
            } else {
                length = random.nextBoolean() ? old.length : now.length;
            }
            byte[] out = new byte[length];
            for (int start = 0; start < length; start += SECTOR) {
                boolean fresh = switch (outcome) {
                    case DROPPED, ZEROED -> false;
                    case TORN -> true;
                    case MIXED -> random.nextBoolean();
                };
                for (int i = start; i < Math.min(length, start + SECTOR); i++) {
                    byte[] from = fresh ? now : old;
                    out[i] = i < from.length ? from[i] : 0;
                }
            }
            now = out;
        }
        inode.data = now;
        inode.length = now.length;
        inode.durable = now.clone();
    }

    private void mutate() {
        if (armed == 0) {
            powerCut();
            throw new PowerCut();
        }
        if (armed > 0) {
            armed--;
        }
    }

    private Dir dir(Path dir) throws NoSuchFileException {
        Dir d = dirs.get(dir.toAbsolutePath().normalize());
        if (d == null) {
            throw new NoSuchFileException(dir.toString());
        }
        return d;
    }

    private static String name(Path file) {
        return file.getFileName().toString();
    }

    private Dir parent(Path file) throws NoSuchFileException {
        return dir(file.toAbsolutePath().normalize().getParent());
    }

    private Inode inode(Path file) throws NoSuchFileException {
        Inode inode = parent(file).entries.get(name(file));
        if (inode == null) {
            throw new NoSuchFileException(file.toString());
        }
        return inode;
    }

    @Override
    public DurableFile create(Path file) throws IOException {
        Dir d = parent(file);
        if (d.entries.containsKey(name(file))) {
            throw new FileAlreadyExistsException(file.toString());
        }
        mutate();
        Inode inode = new Inode();
        d.entries.put(name(file), inode);
        return new Handle(inode, true);
    }

    @Override
    public DurableFile open(Path file) throws IOException {
        return new Handle(inode(file), true);
    }

    @Override
    public DurableFile openForRead(Path file) throws IOException {
        return new Handle(inode(file), false);
    }

    @Override
    public byte[] readAll(Path file) throws IOException {
        return inode(file).current();
    }

    @Override
    public List<Path> list(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        for (String name : dir(dir).entries.keySet()) {
            out.add(dir.resolve(name));
        }
        return out;
    }

    @Override
    public void rename(Path from, Path to) throws IOException {
        Inode inode = inode(from);
        Dir target = parent(to);
        mutate();
        parent(from).entries.remove(name(from));
        target.entries.put(name(to), inode);
    }

    @Override
    public void delete(Path file) throws IOException {
        inode(file);
        mutate();
        parent(file).entries.remove(name(file));
    }

    @Override
    public boolean deleteIfExists(Path file) throws IOException {
        Dir d = parent(file);
        if (!d.entries.containsKey(name(file))) {
            return false;
        }
        mutate();
        d.entries.remove(name(file));
        return true;
    }

    @Override
    public void syncDirectory(Path dir) throws IOException {
        Dir d = dir(dir);
        mutate();
        d.durable = new TreeMap<>(d.entries);
    }

    @Override
    public void createDirectories(Path dir) {
        for (Path p = dir.toAbsolutePath().normalize(); p != null; p = p.getParent()) {
            dirs.computeIfAbsent(p, k -> new Dir());
        }
    }

    @Override
    public boolean exists(Path path) {
        Path p = path.toAbsolutePath().normalize();
        if (dirs.containsKey(p)) {
            return true;
        }
        Dir d = p.getParent() == null ? null : dirs.get(p.getParent());
        return d != null && d.entries.containsKey(name(p));
    }

    /** The durable bytes of a file, as a cut would find them at best (for tests of this class). */
    byte[] durableBytes(Path file) throws NoSuchFileException {
        return inode(file).durable.clone();
    }

    /** An open file; unusable once the power was cut after it was opened. */
    private final class Handle implements DurableFile {
        private final Inode inode;
        private final boolean writable;
        private final int openedIn = era;
        private long position;
        private boolean open = true;

        Handle(Inode inode, boolean writable) {
            this.inode = inode;
            this.writable = writable;
        }

        private void check(boolean writing) throws IOException {
            if (!open) {
                throw new ClosedChannelException();
            }
            if (openedIn != era) {
                throw new IllegalStateException("a file opened before a power cut is used after it");
            }
            if (writing && !writable) {
                throw new IOException("opened for reading only");
            }
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            int n = read(dst, position);
            if (n > 0) {
                position += n;
            }
            return n;
        }

        @Override
        public int read(ByteBuffer dst, long at) throws IOException {
            check(false);
            if (at >= inode.length) {
                return -1;
            }
            int n = (int) Math.min(dst.remaining(), inode.length - at);
            dst.put(inode.data, (int) at, n);
            return n;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            int n = write(src, position);
            position += n;
            return n;
        }

        @Override
        public int write(ByteBuffer src, long at) throws IOException {
            check(true);
            mutate();
            int n = src.remaining();
            int end = Math.toIntExact(at + n);
            if (end > inode.data.length) {
                inode.data = Arrays.copyOf(inode.data, Math.max(end, inode.data.length * 2));
            }
            if (at > inode.length) {
                Arrays.fill(inode.data, inode.length, (int) at, (byte) 0);
            }
            src.get(inode.data, (int) at, n);
            inode.length = Math.max(inode.length, end);
            return n;
        }

        @Override
        public void force(boolean metadata) throws IOException {
            check(false);
            mutate();
            inode.durable = inode.current();
        }

        @Override
        public long position() throws IOException {
            check(false);
            return position;
        }

        @Override
        public DurableFile position(long newPosition) throws IOException {
            check(false);
            position = newPosition;
            return this;
        }

        @Override
        public long size() throws IOException {
            check(false);
            return inode.length;
        }

        @Override
        public DurableFile truncate(long size) throws IOException {
            check(true);
            mutate();
            if (size < inode.length) {
                Arrays.fill(inode.data, (int) size, inode.length, (byte) 0);
                inode.length = (int) size;
            }
            position = Math.min(position, size);
            return this;
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void close() {
            open = false;
        }
    }
}
