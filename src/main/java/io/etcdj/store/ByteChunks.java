package io.etcdj.store;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * An output growing by chunks (no copy on growth), copied into one array at the end: a snapshot
 * is built in pieces whose sizes are not known in advance, so memory beyond the tree stays about
 * twice the output.
 */
final class ByteChunks extends OutputStream {
    private static final int FIRST_CHUNK = 1 << 12;
    private static final int LARGEST_CHUNK = 1 << 24;
    /** The largest array the JVM reliably allocates. */
    static final long MAX_BYTES = Integer.MAX_VALUE - 8;

    private final List<byte[]> full = new ArrayList<>();
    private byte[] current = new byte[FIRST_CHUNK];
    private int used;
    private long total;

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (total + len > MAX_BYTES) {
            throw new IOException("the store serializes to more than " + MAX_BYTES
                    + " bytes, the most a snapshot can hold");
        }
        total += len;
        while (len > 0) {
            if (used == current.length) {
                full.add(current);
                current = new byte[(int) Math.min(LARGEST_CHUNK, (long) current.length * 2)];
                used = 0;
            }
            int n = Math.min(len, current.length - used);
            System.arraycopy(b, off, current, used, n);
            used += n;
            off += n;
            len -= n;
        }
    }

    /** Bytes written so far. */
    long size() {
        return total;
    }

    /** Copies everything written into {@code target} from {@code at}; returns the position after it. */
    int copyTo(byte[] target, int at) {
        for (byte[] chunk : full) {
            System.arraycopy(chunk, 0, target, at, chunk.length);
            at += chunk.length;
        }
        System.arraycopy(current, 0, target, at, used);
        return at + used;
    }

    byte[] toByteArray() {
        byte[] all = new byte[(int) total];
        copyTo(all, 0);
        return all;
    }
}
