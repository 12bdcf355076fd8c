package io.etcdj.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;

/**
 * The nodes of a version 3 snapshot, in binary: one record per node, in pre-order, each with its
 * full key, so the format stays flat (no nesting at all) whatever the shape of the tree. Decoding
 * JSON (tokenizing, field names looked up, numbers parsed digit by digit) was most of a restart's
 * time; a record is read with a few length-prefixed copies.
 *
 * <pre>
 * record = flags key [value] [expire] created modified
 *   flags    one byte: 1 = a directory (no value), 2 = has an expiration; nothing else is set
 *   key      string
 *   value    string, files only
 *   expire   zigzag varint seconds since the epoch, then varint nanoseconds (below 10^9)
 *   created  varint, modified varint
 * end    = the byte 0x80, the last of the document
 * string = varint (length &lt;&lt; 1 | wide), then length bytes: Latin-1 when wide is 0, else
 *          length chars as UTF-16 big-endian pairs, so any Java string (even one holding a lone
 *          surrogate) comes back exactly as it was
 * varint = unsigned LEB128 of at most 63 bits (10 bytes at most)
 * </pre>
 */
final class NodeRecords {
    static final int DIR = 1;
    static final int EXPIRES = 2;
    static final int END = 0x80;

    private NodeRecords() {
    }

    /** Appends records to an output, a record at a time. */
    static final class Writer {
        private final ByteChunks out;
        private byte[] buf = new byte[256];
        private int at;

        Writer(ByteChunks out) {
            this.out = out;
        }

        /** One node; {@code value} is null for a directory. */
        void node(String key, String value, Instant expireTime, long created, long modified) {
            at = 0;
            reserve(1);
            buf[at++] = (byte) ((value == null ? DIR : 0) | (expireTime != null ? EXPIRES : 0));
            string(key);
            if (value != null) {
                string(value);
            }
            if (expireTime != null) {
                long seconds = expireTime.getEpochSecond();
                varint((seconds << 1) ^ (seconds >> 63));
                varint(expireTime.getNano());
            }
            varint(created);
            varint(modified);
            flush();
        }

        /** The end mark, after the last node. */
        void end() {
            at = 0;
            reserve(1);
            buf[at++] = (byte) END;
            flush();
        }

        private void flush() {
            try {
                out.write(buf, 0, at);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot serialize the store: " + e.getMessage(), e);
            }
        }

        private void string(String s) {
            int n = s.length();
            boolean wide = false;
            for (int i = 0; i < n; i++) {
                if (s.charAt(i) > 0xff) {
                    wide = true;
                    break;
                }
            }
            varint(((long) n << 1) | (wide ? 1 : 0));
            if (wide) {
                reserve(2 * n);
                for (int i = 0; i < n; i++) {
                    char c = s.charAt(i);
                    buf[at++] = (byte) (c >>> 8);
                    buf[at++] = (byte) c;
                }
            } else {
                reserve(n);
                for (int i = 0; i < n; i++) {
                    buf[at++] = (byte) s.charAt(i); // every char fits a byte: exactly Latin-1
                }
            }
        }

        private void varint(long v) {
            reserve(10);
            while ((v & ~0x7fL) != 0) {
                buf[at++] = (byte) ((v & 0x7f) | 0x80);
                v >>>= 7;
            }
            buf[at++] = (byte) v;
        }

        private void reserve(int n) {
            if (at + n > buf.length) {
                byte[] bigger = new byte[Math.max(buf.length * 2, at + n)];
                System.arraycopy(buf, 0, bigger, 0, at);
                buf = bigger;
            }
        }
    }

    /**
     * Reads the records of {@code data} from {@code from} into a tree, up to the end mark, which
     * must be the last byte. Every length is checked against the bytes left, so truncated or
     * damaged input is refused, never read past its end.
     */
    static final class Reader {
        private final byte[] data;
        private int at;

        Reader(byte[] data, int from) {
            this.data = data;
            this.at = from;
        }

        void readInto(TreeBuilder tree) {
            while (true) {
                int start = at;
                int flags = u8();
                if (flags == END) {
                    if (at != data.length) {
                        throw fail("data after the end of the snapshot", at);
                    }
                    return;
                }
                if ((flags & ~(DIR | EXPIRES)) != 0) {
                    throw fail("a node record with unknown flags " + flags, start);
                }
                boolean dir = (flags & DIR) != 0;
                String key = string("key");
                String value = dir ? null : string("value");
                Instant expire = null;
                if ((flags & EXPIRES) != 0) {
                    long zigzag = varint("expire");
                    long seconds = (zigzag >>> 1) ^ -(zigzag & 1);
                    long nanos = varint("expire");
                    if (nanos >= 1_000_000_000L) {
                        throw fail("bad expiration time of " + TreeBuilder.shown(key), start);
                    }
                    try {
                        expire = Instant.ofEpochSecond(seconds, nanos);
                    } catch (DateTimeException e) {
                        throw fail("bad expiration time of " + TreeBuilder.shown(key), start);
                    }
                }
                long created = varint("created");
                long modified = varint("modified");
                String problem = tree.add(key, value, dir, expire, created, modified);
                if (problem != null) {
                    throw fail(problem, start);
                }
            }
        }

        private int u8() {
            if (at >= data.length) {
                throw fail("cut short where a node or the end of the nodes was expected", at);
            }
            return data[at++] & 0xff;
        }

        private long varint(String field) {
            long v = 0;
            for (int shift = 0; shift < 63; shift += 7) {
                if (at >= data.length) {
                    throw fail("cut short in \"" + field + "\"", at);
                }
                int b = data[at++];
                v |= (long) (b & 0x7f) << shift;
                if (b >= 0) {
                    return v; // nine bytes at most: 63 bits, never negative
                }
            }
            throw fail("\"" + field + "\" is beyond a long", at);
        }

        private String string(String field) {
            long header = varint(field);
            long length = header >>> 1;
            boolean wide = (header & 1) != 0;
            if (length > StoreSnapshot.MAX_STRING_CHARS) {
                throw fail("\"" + field + "\" is longer than " + StoreSnapshot.MAX_STRING_CHARS + " chars", at);
            }
            int bytes = (int) (wide ? 2 * length : length);
            if (bytes > data.length - at) {
                throw fail("cut short in \"" + field + "\"", at);
            }
            String s;
            if (wide) {
                char[] chars = new char[(int) length];
                for (int i = 0; i < chars.length; i++) {
                    chars[i] = (char) (((data[at + 2 * i] & 0xff) << 8) | (data[at + 2 * i + 1] & 0xff));
                }
                s = new String(chars);
            } else {
                s = new String(data, at, bytes, StandardCharsets.ISO_8859_1);
            }
            at += bytes;
            return s;
        }

        private static StoreSnapshotReader.Malformed fail(String what, int offset) {
            return new StoreSnapshotReader.Malformed(what + " (at byte " + offset + ")");
        }
    }
}
