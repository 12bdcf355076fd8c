package io.etcdj.peer;

import io.etcdj.raft.Entry;
import io.etcdj.raft.EntryType;
import io.etcdj.raft.Membership;
import io.etcdj.raft.Message;
import io.etcdj.raft.Snapshot;
import io.etcdj.raft.SnapshotMetadata;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The binary form of Raft messages between members.
 *
 * <h2>Frame</h2>
 * Every frame starts with the format version (one byte, currently {@value #FORMAT_VERSION}) and
 * the frame kind (one byte); the body follows and fills the rest of the frame. A reader refuses
 * a version or a kind it does not know, a truncated body and bytes left over after the body
 * ({@link WireFormatException}). On a stream every frame is preceded by its length in bytes, an
 * unsigned 32-bit big-endian integer, at most {@value #MAX_FRAME_BYTES}.
 *
 * <h2>Stream</h2>
 * A member opens one stream to each peer it sends to: an HTTP/1.1 request {@code GET /raft} on the
 * peer port with {@code Connection: Upgrade}, {@code Upgrade: etcdj-raft/1},
 * {@code X-Raft-From: <sender>} and {@code X-Raft-To: <receiver>}. The receiver answers
 * {@code 101 Switching Protocols} (or 426 for a bad request, 409 when it is not the named
 * receiver), and from then on the connection carries length-prefixed frames: messages from the
 * sender, snapshot receipts back. A snapshot travels as a SnapshotHead and then SnapshotChunk
 * frames (64 KiB each) with other messages allowed between chunks; the receiver reassembles it,
 * delivers one InstallSnapshot and answers SnapshotReceived, or closes the stream if it could not
 * deliver it.
 *
 * <h2>Primitives</h2>
 * <ul>
 *   <li>{@code uvarint}: an unsigned integer in groups of 7 bits, least significant first, the
 *       high bit of each byte set when another follows (at most 10 bytes; a negative long takes
 *       10).</li>
 *   <li>{@code svarint}: a signed integer zigzag-mapped to a uvarint (0, -1, 1, -2 → 0, 1, 2, 3).</li>
 *   <li>{@code string}: uvarint byte length, then UTF-8 bytes.</li>
 *   <li>{@code bytes}: uvarint length, then the bytes.</li>
 *   <li>{@code flags}: one byte, booleans in bits from bit 0.</li>
 * </ul>
 * Every message body starts with {@code from:string to:string term:uvarint}.
 *
 * <h2>Kinds</h2>
 * <pre>
 *  1 VoteRequest        head flags(0 preVote, 1 leadershipTransfer) lastLogIndex:uvarint lastLogTerm:uvarint
 *  2 VoteResponse       head flags(0 preVote, 1 granted)
 *  3 AppendRequest      head prevLogIndex:uvarint prevLogTerm:uvarint commit:uvarint count:uvarint entry*
 *                         entry = indexDelta:svarint term:uvarint type:u8 data:bytes
 *                         (indexDelta: from prevLogIndex for the first entry, from the previous one after;
 *                          type: 0 normal, 1 conf change)
 *  4 AppendResponse     head flags(0 success, 1 unknownLeader) index:uvarint rejectHint:uvarint hintTerm:uvarint
 *  5 Heartbeat          head commit:uvarint readRound:uvarint
 *  6 HeartbeatResponse  head readRound:uvarint
 *  7 InstallSnapshot    head meta data:bytes
 *                         meta = index:uvarint term:uvarint memberCount:uvarint member:string*
 *  8 TimeoutNow         head
 * Stream-only kinds (never a message on their own):
 * 16 SnapshotHead       head meta length:uvarint   the data follows in SnapshotChunk frames, in order
 * 17 SnapshotChunk      raw data bytes to the end of the frame
 * 18 SnapshotReceived   from:string to:string index:uvarint   receiver to sender: snapshot delivered
 * </pre>
 */
public final class MessageCodec {
    /** The version byte at the start of every frame. */
    public static final int FORMAT_VERSION = 1;
    /** Largest frame a stream accepts, length prefix excluded. */
    public static final int MAX_FRAME_BYTES = 64 << 20;

    static final int VOTE_REQUEST = 1;
    static final int VOTE_RESPONSE = 2;
    static final int APPEND_REQUEST = 3;
    static final int APPEND_RESPONSE = 4;
    static final int HEARTBEAT = 5;
    static final int HEARTBEAT_RESPONSE = 6;
    static final int INSTALL_SNAPSHOT = 7;
    static final int TIMEOUT_NOW = 8;
    static final int SNAPSHOT_HEAD = 16;
    static final int SNAPSHOT_CHUNK = 17;
    static final int SNAPSHOT_RECEIVED = 18;

    private static final int ENTRY_NORMAL = 0;
    private static final int ENTRY_CONF_CHANGE = 1;

    private MessageCodec() {
    }

    /** The frame of one message, without a length prefix. */
    public static byte[] encode(Message m) {
        ByteBuf buf = Unpooled.buffer(sizeHint(m));
        try {
            encode(m, buf);
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    /** Appends the frame of one message, without a length prefix. */
    public static void encode(Message m, ByteBuf out) {
        out.writeByte(FORMAT_VERSION);
        if (m instanceof Message.VoteRequest v) {
            head(out, VOTE_REQUEST, m);
            out.writeByte(flags(v.preVote(), v.leadershipTransfer()));
            writeUvarint(out, v.lastLogIndex());
            writeUvarint(out, v.lastLogTerm());
        } else if (m instanceof Message.VoteResponse v) {
            head(out, VOTE_RESPONSE, m);
            out.writeByte(flags(v.preVote(), v.granted()));
        } else if (m instanceof Message.AppendRequest a) {
            head(out, APPEND_REQUEST, m);
            writeUvarint(out, a.prevLogIndex());
            writeUvarint(out, a.prevLogTerm());
            writeUvarint(out, a.commit());
            writeUvarint(out, a.entries().size());
            long previous = a.prevLogIndex();
            for (Entry e : a.entries()) {
                writeSvarint(out, e.index() - previous);
                previous = e.index();
                writeUvarint(out, e.term());
                out.writeByte(e.type() == EntryType.CONF_CHANGE ? ENTRY_CONF_CHANGE : ENTRY_NORMAL);
                writeUvarint(out, e.data().length);
                out.writeBytes(e.data());
            }
        } else if (m instanceof Message.AppendResponse a) {
            head(out, APPEND_RESPONSE, m);
            out.writeByte(flags(a.success(), a.unknownLeader()));
            writeUvarint(out, a.index());
            writeUvarint(out, a.rejectHint());
            writeUvarint(out, a.hintTerm());
        } else if (m instanceof Message.Heartbeat h) {
            head(out, HEARTBEAT, m);
            writeUvarint(out, h.commit());
            writeUvarint(out, h.readRound());
        } else if (m instanceof Message.HeartbeatResponse h) {
            head(out, HEARTBEAT_RESPONSE, m);
            writeUvarint(out, h.readRound());
        } else if (m instanceof Message.InstallSnapshot s) {
            head(out, INSTALL_SNAPSHOT, m);
            writeMetadata(out, s.snapshot().metadata());
            writeUvarint(out, s.snapshot().data().length);
            out.writeBytes(s.snapshot().data());
        } else if (m instanceof Message.TimeoutNow) {
            head(out, TIMEOUT_NOW, m);
        } else {
            throw new IllegalArgumentException("no wire form for " + m.getClass().getName());
        }
    }

    /** Reads a frame holding one message. */
    public static Message decode(byte[] frame) {
        return decode(Unpooled.wrappedBuffer(frame));
    }

    /** Reads a frame holding one message: every readable byte of {@code frame}. */
    public static Message decode(ByteBuf frame) {
        StreamFrame f = decodeFrame(frame);
        if (f instanceof StreamFrame.Carried c) {
            return c.message();
        }
        throw new WireFormatException("a " + f.getClass().getSimpleName() + " frame belongs to a stream, not to a message");
    }

    /** Reads any frame; a chunk's data is a view into {@code in}. */
    static StreamFrame decodeFrame(ByteBuf in) {
        try {
            int version = in.readUnsignedByte();
            if (version != FORMAT_VERSION) {
                throw new WireFormatException("unsupported peer wire format version " + version
                        + " (this machine reads version " + FORMAT_VERSION + ")");
            }
            int kind = in.readUnsignedByte();
            if (kind == SNAPSHOT_CHUNK) {
                return new StreamFrame.SnapshotChunk(in.readSlice(in.readableBytes()));
            }
            StreamFrame frame = body(kind, in);
            if (in.isReadable()) {
                throw new WireFormatException(in.readableBytes() + " unexpected bytes after a frame of kind " + kind);
            }
            return frame;
        } catch (IndexOutOfBoundsException e) {
            throw new WireFormatException("truncated frame", e);
        } catch (WireFormatException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new WireFormatException("invalid message: " + e.getMessage(), e);
        }
    }

    private static StreamFrame body(int kind, ByteBuf in) {
        if (kind == SNAPSHOT_RECEIVED) {
            return new StreamFrame.SnapshotReceived(readString(in), readString(in), readUvarint(in));
        }
        String from = readString(in);
        String to = readString(in);
        long term = readUvarint(in);
        if (kind == SNAPSHOT_HEAD) {
            return readSnapshotHead(from, to, term, in);
        }
        return new StreamFrame.Carried(switch (kind) {
            case VOTE_REQUEST -> {
                int f = in.readUnsignedByte();
                yield new Message.VoteRequest(from, to, term, bit(f, 0), readUvarint(in), readUvarint(in), bit(f, 1));
            }
            case VOTE_RESPONSE -> {
                int f = in.readUnsignedByte();
                yield new Message.VoteResponse(from, to, term, bit(f, 0), bit(f, 1));
            }
            case APPEND_REQUEST -> readAppend(from, to, term, in);
            case APPEND_RESPONSE -> {
                int f = in.readUnsignedByte();
                yield new Message.AppendResponse(from, to, term, bit(f, 0), readUvarint(in), readUvarint(in),
                        readUvarint(in), bit(f, 1));
            }
            case HEARTBEAT -> new Message.Heartbeat(from, to, term, readUvarint(in), readUvarint(in));
            case HEARTBEAT_RESPONSE -> new Message.HeartbeatResponse(from, to, term, readUvarint(in));
            case INSTALL_SNAPSHOT -> {
                SnapshotMetadata meta = readMetadata(in);
                byte[] data = new byte[readLength(in)];
                in.readBytes(data);
                yield new Message.InstallSnapshot(from, to, term, new Snapshot(meta, data));
            }
            case TIMEOUT_NOW -> new Message.TimeoutNow(from, to, term);
            default -> throw new WireFormatException("unknown peer frame kind " + kind);
        });
    }

    private static StreamFrame.SnapshotHead readSnapshotHead(String from, String to, long term, ByteBuf in) {
        requireNames(from, to);
        SnapshotMetadata meta = readMetadata(in);
        long length = readUvarint(in);
        if (length < 0 || length > Integer.MAX_VALUE - 8) {
            throw new WireFormatException("snapshot of " + Long.toUnsignedString(length) + " bytes is too large");
        }
        return new StreamFrame.SnapshotHead(from, to, term, meta, (int) length);
    }

    private static Message.AppendRequest readAppend(String from, String to, long term, ByteBuf in) {
        long prevLogIndex = readUvarint(in);
        long prevLogTerm = readUvarint(in);
        long commit = readUvarint(in);
        long count = readUvarint(in);
        // Each entry takes at least four bytes: a count beyond that is a lie, not a reason to allocate.
        if (count < 0 || count > in.readableBytes() / 4) {
            throw new WireFormatException("entry count " + count + " exceeds the frame");
        }
        List<Entry> entries = new ArrayList<>((int) count);
        long index = prevLogIndex;
        for (long i = 0; i < count; i++) {
            index += readSvarint(in);
            long entryTerm = readUvarint(in);
            int type = in.readUnsignedByte();
            EntryType entryType = switch (type) {
                case ENTRY_NORMAL -> EntryType.NORMAL;
                case ENTRY_CONF_CHANGE -> EntryType.CONF_CHANGE;
                default -> throw new WireFormatException("unknown entry type " + type);
            };
            byte[] data = new byte[readLength(in)];
            in.readBytes(data);
            entries.add(new Entry(index, entryTerm, entryType, data));
        }
        return new Message.AppendRequest(from, to, term, prevLogIndex, prevLogTerm, entries, commit);
    }

    // ---- stream frames

    /** Appends the frame that opens a chunked snapshot; the data goes in {@link #snapshotChunkHeader()} frames. */
    static void encodeSnapshotHead(Message.InstallSnapshot m, ByteBuf out) {
        out.writeByte(FORMAT_VERSION);
        head(out, SNAPSHOT_HEAD, m);
        writeMetadata(out, m.snapshot().metadata());
        writeUvarint(out, m.snapshot().data().length);
    }

    /** The two bytes that start a chunk frame; its data follows them. */
    static ByteBuf snapshotChunkHeader() {
        return Unpooled.wrappedBuffer(new byte[] {FORMAT_VERSION, SNAPSHOT_CHUNK});
    }

    static void encodeSnapshotReceived(String from, String to, long index, ByteBuf out) {
        out.writeByte(FORMAT_VERSION);
        out.writeByte(SNAPSHOT_RECEIVED);
        writeString(out, from);
        writeString(out, to);
        writeUvarint(out, index);
    }

    /** A message framed for a stream: its length, then its frame. */
    static ByteBuf lengthPrefixed(ByteBufAllocator alloc, Message m) {
        ByteBuf buf = alloc.buffer(4 + sizeHint(m));
        buf.writeInt(0);
        encode(m, buf);
        return buf.setInt(0, buf.readableBytes() - 4);
    }

    /** About the encoded size of a message, for buffers and queue limits. */
    static int sizeHint(Message m) {
        long size = 48 + m.from().length() * 3L + m.to().length() * 3L;
        if (m instanceof Message.AppendRequest a) {
            for (Entry e : a.entries()) {
                size += e.data().length + 24;
            }
        } else if (m instanceof Message.InstallSnapshot s) {
            size += s.snapshot().data().length;
            for (String member : s.snapshot().metadata().membership().members()) {
                size += member.length() * 3L + 2;
            }
        }
        return (int) Math.min(size, Integer.MAX_VALUE - 8);
    }

    // ---- primitives

    private static void head(ByteBuf out, int kind, Message m) {
        out.writeByte(kind);
        writeString(out, m.from());
        writeString(out, m.to());
        writeUvarint(out, m.term());
    }

    private static void writeMetadata(ByteBuf out, SnapshotMetadata meta) {
        writeUvarint(out, meta.index());
        writeUvarint(out, meta.term());
        List<String> members = meta.membership().members();
        writeUvarint(out, members.size());
        for (String member : members) {
            writeString(out, member);
        }
    }

    private static SnapshotMetadata readMetadata(ByteBuf in) {
        long index = readUvarint(in);
        long term = readUvarint(in);
        long count = readUvarint(in);
        if (count < 0 || count > in.readableBytes()) {
            throw new WireFormatException("member count " + count + " exceeds the frame");
        }
        List<String> members = new ArrayList<>((int) count);
        for (long i = 0; i < count; i++) {
            members.add(readString(in));
        }
        return new SnapshotMetadata(index, term, new Membership(members));
    }

    private static int flags(boolean bit0, boolean bit1) {
        return (bit0 ? 1 : 0) | (bit1 ? 2 : 0);
    }

    private static boolean bit(int flags, int bit) {
        return (flags & (1 << bit)) != 0;
    }

    private static void writeString(ByteBuf out, String s) {
        writeUvarint(out, ByteBufUtil.utf8Bytes(s));
        ByteBufUtil.writeUtf8(out, s);
    }

    private static String readString(ByteBuf in) {
        int length = readLength(in);
        return in.readCharSequence(length, StandardCharsets.UTF_8).toString();
    }

    /** A length that must fit in what is left of the frame. */
    private static int readLength(ByteBuf in) {
        long length = readUvarint(in);
        if (length < 0 || length > in.readableBytes()) {
            throw new WireFormatException("length " + Long.toUnsignedString(length) + " exceeds the frame");
        }
        return (int) length;
    }

    static void writeUvarint(ByteBuf out, long value) {
        while ((value & ~0x7FL) != 0) {
            out.writeByte((int) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.writeByte((int) value);
    }

    static long readUvarint(ByteBuf in) {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = in.readUnsignedByte();
            if (shift == 63 && b > 1) {
                break;
            }
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new WireFormatException("malformed varint");
    }

    private static void writeSvarint(ByteBuf out, long value) {
        writeUvarint(out, (value << 1) ^ (value >> 63));
    }

    private static long readSvarint(ByteBuf in) {
        long raw = readUvarint(in);
        return (raw >>> 1) ^ -(raw & 1);
    }

    private static void requireNames(String from, String to) {
        if (from.isEmpty() || to.isEmpty()) {
            throw new WireFormatException("from and to must be member names");
        }
    }
}
