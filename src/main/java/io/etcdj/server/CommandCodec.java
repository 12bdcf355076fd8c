package io.etcdj.server;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * The bytes of a command in the log: a format version, the proposer's request id (so the proposer
 * can find the waiting client when the entry is applied), a kind and the kind's fields. Absent
 * strings and times are written with a leading flag.
 */
final class CommandCodec {
    static final int VERSION = 1;

    private CommandCodec() {}

    /** A decoded log payload: the request id it was proposed under and its command. */
    record Proposal(long requestId, Command command) {}

    static byte[] encode(long requestId, Command command) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeLong(requestId);
            if (command instanceof Command.Set c) {
                out.writeByte(1);
                writeString(out, c.key());
                out.writeBoolean(c.dir());
                writeString(out, c.value());
                writeTime(out, c.expireTime());
            } else if (command instanceof Command.Create c) {
                out.writeByte(2);
                writeString(out, c.key());
                out.writeBoolean(c.dir());
                writeString(out, c.value());
                out.writeBoolean(c.unique());
                writeTime(out, c.expireTime());
            } else if (command instanceof Command.Update c) {
                out.writeByte(3);
                writeString(out, c.key());
                writeString(out, c.value());
                writeTime(out, c.expireTime());
            } else if (command instanceof Command.CompareAndSwap c) {
                out.writeByte(4);
                writeString(out, c.key());
                writeString(out, c.value());
                writeString(out, c.prevValue());
                out.writeLong(c.prevIndex());
                writeTime(out, c.expireTime());
            } else if (command instanceof Command.Delete c) {
                out.writeByte(5);
                writeString(out, c.key());
                out.writeBoolean(c.dir());
                out.writeBoolean(c.recursive());
            } else if (command instanceof Command.Sync c) {
                out.writeByte(6);
                writeTime(out, c.now());
            } else if (command instanceof Command.Join c) {
                // kind 7 has no join id, as logs written before join ids have it
                out.writeByte(c.joinId().isEmpty() ? 7 : 10);
                writeString(out, c.name());
                writeString(out, c.raftUrl());
                writeString(out, c.etcdUrl());
                if (!c.joinId().isEmpty()) {
                    writeString(out, c.joinId());
                }
            } else if (command instanceof Command.CompareAndDelete c) {
                out.writeByte(8);
                writeString(out, c.key());
                writeString(out, c.prevValue());
                out.writeLong(c.prevIndex());
            } else if (command instanceof Command.Refresh c) {
                out.writeByte(9);
                writeString(out, c.key());
                writeTime(out, c.expireTime());
            } else {
                throw new IllegalArgumentException("unknown command " + command);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static Proposal decode(byte[] data) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            int version = in.readUnsignedByte();
            if (version != VERSION) {
                throw new IllegalStateException("unknown command format version " + version);
            }
            long requestId = in.readLong();
            int kind = in.readUnsignedByte();
            Command command = switch (kind) {
                case 1 -> new Command.Set(readString(in), in.readBoolean(), readString(in), readTime(in));
                case 2 -> new Command.Create(readString(in), in.readBoolean(), readString(in), in.readBoolean(),
                        readTime(in));
                case 3 -> new Command.Update(readString(in), readString(in), readTime(in));
                case 4 -> new Command.CompareAndSwap(readString(in), readString(in), readString(in), in.readLong(),
                        readTime(in));
                case 5 -> new Command.Delete(readString(in), in.readBoolean(), in.readBoolean());
                case 6 -> new Command.Sync(readTime(in));
                case 7 -> new Command.Join(readString(in), readString(in), readString(in), "");
                case 10 -> new Command.Join(readString(in), readString(in), readString(in), readString(in));
                case 8 -> new Command.CompareAndDelete(readString(in), readString(in), in.readLong());
                case 9 -> new Command.Refresh(readString(in), readTime(in));
                default -> throw new IllegalStateException("unknown command kind " + kind);
            };
            return new Proposal(requestId, command);
        } catch (IOException e) {
            throw new IllegalStateException("undecodable command in the log", e);
        }
    }

    // Strings are length-prefixed UTF-8 (writeUTF would cap them at 64 KiB); -1 stands for null.
    private static void writeString(DataOutputStream out, String s) throws IOException {
        if (s == null) {
            out.writeInt(-1);
            return;
        }
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        byte[] b = in.readNBytes(n);
        if (b.length != n) {
            throw new IOException("truncated string");
        }
        return new String(b, java.nio.charset.StandardCharsets.UTF_8);
    }

    private static void writeTime(DataOutputStream out, Instant t) throws IOException {
        out.writeBoolean(t != null);
        if (t != null) {
            out.writeLong(t.getEpochSecond());
            out.writeInt(t.getNano());
        }
    }

    private static Instant readTime(DataInputStream in) throws IOException {
        return in.readBoolean() ? Instant.ofEpochSecond(in.readLong(), in.readInt()) : null;
    }
}
