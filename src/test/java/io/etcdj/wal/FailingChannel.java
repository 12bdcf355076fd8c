package io.etcdj.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A file channel whose writes and fsyncs fail when its {@link Disk} says so, as on a full or
 * failing disk: a write that does not fit writes what fits, then throws.
 */
final class FailingChannel extends FileChannel {
    /** What the disk does; shared by every channel of one test. */
    static final class Disk {
        /** Bytes that may still be written; negative: unlimited. */
        long space = -1;
        boolean fsyncFails;
        int writesFailed;

        void fill() {
            space = 0;
        }

        void free() {
            space = -1;
            fsyncFails = false;
        }
    }

    private final FileChannel delegate;
    private final Disk disk;

    FailingChannel(FileChannel delegate, Disk disk) {
        this.delegate = delegate;
        this.disk = disk;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        if (disk.space < 0) {
            return delegate.write(src);
        }
        if (disk.space == 0 || !src.hasRemaining()) {
            disk.writesFailed++;
            throw new IOException("No space left on device");
        }
        int fits = (int) Math.min(disk.space, src.remaining());
        ByteBuffer part = src.slice().limit(fits);
        int written = delegate.write(part);
        src.position(src.position() + written);
        disk.space -= written;
        return written;
    }

    @Override
    public void force(boolean metaData) throws IOException {
        if (disk.fsyncFails) {
            throw new IOException("Input/output error");
        }
        delegate.force(metaData);
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return delegate.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        return delegate.read(dsts, offset, length);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        throw new UnsupportedOperationException("not used by the log");
    }

    @Override
    public long position() throws IOException {
        return delegate.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
        delegate.position(newPosition);
        return this;
    }

    @Override
    public long size() throws IOException {
        return delegate.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
        delegate.truncate(size);
        return this;
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        return delegate.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
        throw new UnsupportedOperationException("not used by the log");
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        return delegate.read(dst, position);
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
        throw new UnsupportedOperationException("not used by the log");
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
        return delegate.map(mode, position, size);
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
        return delegate.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
        return delegate.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
        delegate.close();
    }
}
