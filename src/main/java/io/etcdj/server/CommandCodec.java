package io.etcdj.server;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;

/**
 * The bytes of a command in the log: a format version, the proposer's request id (so the proposer
 * can find the waiting client when the entry is applied), a kind and the kind's fields. Absent
 * strings and times are written with a leading flag. Numbers are big-endian, booleans one byte,
 * strings a 32-bit length (-1 for null) and UTF-8.
 *
 * <p>Every write is encoded once on the leader's node loop and decoded once on every member's
 * applier, so the codec works on a plain array and a {@link ByteBuffer}: no stream objects and
 * their buffers per command, and little code for the JIT to compile.
 */
final class CommandCodec {
    static final int VERSION = 1;

    private CommandCodec() {}

    /** A decoded log payload: the request id it was proposed under and its command. */
    record Proposal(long requestId, Command command) {}

    static byte[] encode(long requestId, Command command) {
        Writer out = new Writer();
        out.writeByte(VERSION);
        out.writeLong(requestId);
        if (command instanceof Command.Set c) {
            out.writeByte(1);
            out.writeString(c.key());
            out.writeBoolean(c.dir());
            out.writeString(c.value());
            out.writeTime(c.expireTime());
        } else if (command instanceof Command.Create c) {
            out.writeByte(2);
            out.writeString(c.key());
            out.writeBoolean(c.dir());
            out.writeString(c.value());
            out.writeBoolean(c.unique());
            out.writeTime(c.expireTime());
        } else if (command instanceof Command.Update c) {
            out.writeByte(3);
            out.writeString(c.key());
            out.writeString(c.value());
            out.writeTime(c.expireTime());
        } else if (command instanceof Command.CompareAndSwap c) {
            out.writeByte(4);
            out.writeString(c.key());
            out.writeString(c.value());
            out.writeString(c.prevValue());
            out.writeLong(c.prevIndex());
            out.writeTime(c.expireTime());
        } else if (command instanceof Command.Delete c) {
            out.writeByte(5);
            out.writeString(c.key());
            out.writeBoolean(c.dir());
            out.writeBoolean(c.recursive());
        } else if (command instanceof Command.Sync c) {
            out.writeByte(6);
            out.writeTime(c.now());
        } else if (command instanceof Command.Join c) {
            // kind 7 has no join id, as logs written before join ids have it
            out.writeByte(c.joinId().isEmpty() ? 7 : 10);
            out.writeString(c.name());
            out.writeString(c.raftUrl());
            out.writeString(c.etcdUrl());
            if (!c.joinId().isEmpty()) {
                out.writeString(c.joinId());
            }
        } else if (command instanceof Command.CompareAndDelete c) {
            out.writeByte(8);
            out.writeString(c.key());
            out.writeString(c.prevValue());
            out.writeLong(c.prevIndex());
        } else if (command instanceof Command.Refresh c) {
            out.writeByte(9);
            out.writeString(c.key());
            out.writeTime(c.expireTime());
        } else {
            throw new IllegalArgumentException("unknown command " + command);
        }
        return out.toByteArray();
    }

    /** @throws IllegalStateException when the bytes are not a command of this format */
    static Proposal decode(byte[] data) {
        ByteBuffer in = ByteBuffer.wrap(data);
        try {
            int version = in.get() & 0xff;
            if (version != VERSION) {
                throw new IllegalStateException("unknown command format version " + version);
            }
            long requestId = in.getLong();
            int kind = in.get() & 0xff;
            Command command = switch (kind) {
                case 1 -> new Command.Set(readString(in), readBoolean(in), readString(in), readTime(in));
                case 2 -> new Command.Create(readString(in), readBoolean(in), readString(in), readBoolean(in),
                        readTime(in));
                case 3 -> new Command.Update(readString(in), readString(in), readTime(in));
                case 4 -> new Command.CompareAndSwap(readString(in), readString(in), readString(in), in.getLong(),
                        readTime(in));
                case 5 -> new Command.Delete(readString(in), readBoolean(in), readBoolean(in));
                case 6 -> new Command.Sync(readTime(in));
                case 7 -> new Command.Join(readString(in), readString(in), readString(in), "");
                case 10 -> new Command.Join(readString(in), readString(in), readString(in), readString(in));
                case 8 -> new Command.CompareAndDelete(readString(in), readString(in), in.getLong());
                case 9 -> new Command.Refresh(readString(in), readTime(in));
                default -> throw new IllegalStateException("unknown command kind " + kind);
            };
            return new Proposal(requestId, command);
        } catch (BufferUnderflowException e) {
            throw new IllegalStateException("undecodable command in the log: truncated", e);
        }
    }

    private static boolean readBoolean(ByteBuffer in) {
        return in.get() != 0;
    }

    private static String readString(ByteBuffer in) {
        int n = in.getInt();
        if (n < 0) {
            return null;
        }
        if (n > in.remaining()) {
            throw new IllegalStateException("undecodable command in the log: truncated string");
        }
        String s = new String(in.array(), in.arrayOffset() + in.position(), n, StandardCharsets.UTF_8);
        in.position(in.position() + n);
        return s;
    }

    private static Instant readTime(ByteBuffer in) {
        if (!readBoolean(in)) {
            return null;
        }
        long seconds = in.getLong();
        return Instant.ofEpochSecond(seconds, in.getInt());
    }

    /** A growing big-endian array, sized for a typical command so that it rarely grows. */
    private static final class Writer {
        private byte[] buf = new byte[128];
        private int size;

        private void ensure(int more) {
            if (size + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(size + more, buf.length * 2));
            }
        }

        void writeByte(int b) {
            ensure(1);
            buf[size++] = (byte) b;
        }

        void writeBoolean(boolean b) {
            writeByte(b ? 1 : 0);
        }

        void writeInt(int v) {
            ensure(4);
            for (int shift = 24; shift >= 0; shift -= 8) {
                buf[size++] = (byte) (v >>> shift);
            }
        }

        void writeLong(long v) {
            ensure(8);
            for (int shift = 56; shift >= 0; shift -= 8) {
                buf[size++] = (byte) (v >>> shift);
            }
        }

        // Strings are length-prefixed UTF-8 (writeUTF would cap them at 64 KiB); -1 stands for null.
        void writeString(String s) {
            if (s == null) {
                writeInt(-1);
                return;
            }
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            writeInt(b.length);
            ensure(b.length);
            System.arraycopy(b, 0, buf, size, b.length);
            size += b.length;
        }

        void writeTime(Instant t) {
            writeBoolean(t != null);
            if (t != null) {
                writeLong(t.getEpochSecond());
                writeInt(t.getNano());
            }
        }

        byte[] toByteArray() {
            return Arrays.copyOf(buf, size);
        }
    }
}
