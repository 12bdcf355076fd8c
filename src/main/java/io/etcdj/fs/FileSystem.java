package io.etcdj.fs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The few file operations that durable state is written and read with: the log, the snapshots
 * and the node's identity go through this and nothing else, so that a test can stand in a file
 * system that remembers what an fsync made durable and loses the rest in a simulated power cut.
 *
 * <p>The durability contract the callers rely on, and that the test file system enforces: bytes
 * written to a file survive a power cut only once {@link DurableFile#force} returned; a file
 * created, renamed or deleted stays so only once {@link #syncDirectory} of its directory returned.
 * Until then either outcome is possible.
 */
public interface FileSystem {
    /** The operating system's file system: what production uses. */
    static FileSystem real() {
        return RealFileSystem.INSTANCE;
    }

    /** Creates a new, empty file, open for reading and writing at position 0; fails if it exists. */
    DurableFile create(Path file) throws IOException;

    /**
     * As {@link #create}, readable and writable by its owner only where the platform has POSIX
     * permissions: for files that hold the whole state, like a snapshot.
     */
    default DurableFile createOwnerOnly(Path file) throws IOException {
        return create(file);
    }

    /** Opens an existing file for reading and writing at position 0. */
    DurableFile open(Path file) throws IOException;

    /** Opens an existing file for reading only. */
    DurableFile openForRead(Path file) throws IOException;

    /** The whole content of a file ({@link java.nio.file.NoSuchFileException} when missing). */
    byte[] readAll(Path file) throws IOException;

    /** The entries of a directory, in no particular order. */
    List<Path> list(Path dir) throws IOException;

    /** Renames {@code from} to {@code to} in one step, replacing {@code to} if it exists. */
    void rename(Path from, Path to) throws IOException;

    /** Deletes a file ({@link java.nio.file.NoSuchFileException} when missing). */
    void delete(Path file) throws IOException;

    /** Deletes a file if it exists; returns whether it did. */
    boolean deleteIfExists(Path file) throws IOException;

    /** Makes the creations, renames and deletions in {@code dir} durable. */
    void syncDirectory(Path dir) throws IOException;

    /** Creates a directory and its missing parents. */
    void createDirectories(Path dir) throws IOException;

    boolean exists(Path path);
}
