package io.etcdj.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;

/**
 * An open file of a {@link FileSystem}: a seekable channel that can also read and write at a
 * given position and be forced to the device. Writes and truncations are durable only once
 * {@link #force} returns.
 */
public interface DurableFile extends SeekableByteChannel {
    /** Reads into {@code dst} from {@code position}, not moving the file's position; -1 at the end. */
    int read(ByteBuffer dst, long position) throws IOException;

    /** Writes {@code src} at {@code position}, not moving the file's position. */
    int write(ByteBuffer src, long position) throws IOException;

    /**
     * Makes every write and truncation so far durable, the size included. With {@code metadata}
     * false the file's other metadata (its times) may stay behind, which is cheaper: what
     * {@link java.nio.channels.FileChannel#force} means by it.
     */
    void force(boolean metadata) throws IOException;

    @Override
    DurableFile truncate(long size) throws IOException;

    @Override
    DurableFile position(long newPosition) throws IOException;
}
