package io.etcdj.wal;

import io.etcdj.fs.DurableFile;
import io.etcdj.fs.FileSystem;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * The real file system with a disk that can fill up or fail on demand: writes stop when the
 * space runs out (part of a buffer may still fit, as on a real disk), and fsync can fail.
 */
final class FailingFileSystem implements FileSystem {
    /** Bytes that may still be written; negative: unlimited. */
    long space = -1;
    boolean fsyncFails;
    int writesFailed;

    private final FileSystem real = FileSystem.real();

    void fill() {
        space = 0;
    }

    void free() {
        space = -1;
        fsyncFails = false;
    }

    @Override
    public DurableFile create(Path file) throws IOException {
        return new Failing(real.create(file));
    }

    @Override
    public DurableFile createOwnerOnly(Path file) throws IOException {
        return new Failing(real.createOwnerOnly(file));
    }

    @Override
    public DurableFile open(Path file) throws IOException {
        return new Failing(real.open(file));
    }

    @Override
    public DurableFile openForRead(Path file) throws IOException {
        return real.openForRead(file);
    }

    @Override
    public byte[] readAll(Path file) throws IOException {
        return real.readAll(file);
    }

    @Override
    public List<Path> list(Path dir) throws IOException {
        return real.list(dir);
    }

    @Override
    public void rename(Path from, Path to) throws IOException {
        real.rename(from, to);
    }

    @Override
    public void delete(Path file) throws IOException {
        real.delete(file);
    }

    @Override
    public boolean deleteIfExists(Path file) throws IOException {
        return real.deleteIfExists(file);
    }

    @Override
    public void syncDirectory(Path dir) throws IOException {
        real.syncDirectory(dir);
    }

    @Override
    public void createDirectories(Path dir) throws IOException {
        real.createDirectories(dir);
    }

    @Override
    public boolean exists(Path path) {
        return real.exists(path);
    }

    /** Takes only what fits of each write. */
    private int fit(ByteBuffer src, WriteCall call) throws IOException {
        if (space < 0) {
            return call.write(src);
        }
        if (space == 0 || !src.hasRemaining()) {
            writesFailed++;
            throw new IOException("No space left on device");
        }
        int fits = (int) Math.min(space, src.remaining());
        ByteBuffer part = src.slice().limit(fits);
        int written = call.write(part);
        src.position(src.position() + written);
        space -= written;
        return written;
    }

    private interface WriteCall {
        int write(ByteBuffer b) throws IOException;
    }

    private final class Failing implements DurableFile {
        private final DurableFile delegate;

        Failing(DurableFile delegate) {
            this.delegate = delegate;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return fit(src, delegate::write);
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            return fit(src, b -> delegate.write(b, position));
        }

        @Override
        public void force(boolean metadata) throws IOException {
            if (fsyncFails) {
                throw new IOException("Input/output error");
            }
            delegate.force(metadata);
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return delegate.read(dst);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return delegate.read(dst, position);
        }

        @Override
        public long position() throws IOException {
            return delegate.position();
        }

        @Override
        public DurableFile position(long newPosition) throws IOException {
            delegate.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return delegate.size();
        }

        @Override
        public DurableFile truncate(long size) throws IOException {
            delegate.truncate(size);
            return this;
        }

        @Override
        public boolean isOpen() {
            return delegate.isOpen();
        }

        @Override
        public void close() throws IOException {
            delegate.close();
        }
    }
}
