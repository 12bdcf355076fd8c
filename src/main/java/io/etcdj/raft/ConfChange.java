package io.etcdj.raft;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * A change of one voting member, carried in the log as a {@link EntryType#CONF_CHANGE} entry
 * (single-server changes, §4.1 of the thesis).
 *
 * <p>Semantics, as in etcd-io/raft: a change takes effect on each member when that member
 * <em>applies</em> it, that is in {@link RaftNode#advance(Ready)} for the Ready whose
 * {@code committedEntries} carried it. Until then the old membership decides quorums, including
 * the quorum that commits the change itself. A leader accepts a new change only once every
 * earlier one is applied (one pending change at a time), and a new leader accepts none until it
 * has applied everything in its log when it was elected. Adding a present member or removing an
 * absent one is refused when proposed, and is a no-op if it ever reaches apply.
 *
 * @param type    add or remove
 * @param member  the member's name
 * @param context opaque bytes for the server (e.g. the member's URLs); never interpreted here
 */
public record ConfChange(Type type, String member, byte[] context) {
    private static final byte FORMAT_VERSION = 1;

    public enum Type { ADD_MEMBER, REMOVE_MEMBER }

    public ConfChange {
        Objects.requireNonNull(type, "type");
        if (member == null || member.isEmpty()) {
            throw new IllegalArgumentException("member name must be non-empty");
        }
        context = context == null ? new byte[0] : context;
    }

    public static ConfChange add(String member, byte[] context) {
        return new ConfChange(Type.ADD_MEMBER, member, context);
    }

    public static ConfChange remove(String member) {
        return new ConfChange(Type.REMOVE_MEMBER, member, null);
    }

    /** Layout: version byte, type byte, name length (int) and UTF-8 bytes, context length and bytes. */
    public byte[] toBytes() {
        byte[] name = member.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(2 + 4 + name.length + 4 + context.length);
        buf.put(FORMAT_VERSION).put((byte) type.ordinal());
        buf.putInt(name.length).put(name);
        buf.putInt(context.length).put(context);
        return buf.array();
    }

    /** Reads what {@link #toBytes()} wrote; a malformed array is a corrupt log and throws. */
    public static ConfChange fromBytes(byte[] data) {
        try {
            ByteBuffer buf = ByteBuffer.wrap(data);
            byte version = buf.get();
            if (version != FORMAT_VERSION) {
                throw new IllegalArgumentException("unknown conf change format " + version);
            }
            Type type = Type.values()[buf.get()];
            byte[] name = new byte[length(buf)];
            buf.get(name);
            byte[] context = new byte[length(buf)];
            buf.get(context);
            return new ConfChange(type, new String(name, StandardCharsets.UTF_8), context);
        } catch (BufferUnderflowException | ArrayIndexOutOfBoundsException | NegativeArraySizeException e) {
            throw new IllegalArgumentException("malformed conf change", e);
        }
    }

    /** A length that fits in what is left, read before allocating anything for it. */
    private static int length(ByteBuffer buf) {
        int n = buf.getInt();
        if (n < 0 || n > buf.remaining()) {
            throw new IllegalArgumentException("malformed conf change: length " + n + " exceeds the data");
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConfChange c && c.type == type && c.member.equals(member)
                && Arrays.equals(c.context, context);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, member, Arrays.hashCode(context));
    }

    @Override
    public String toString() {
        return "ConfChange[" + type + " " + member + "]";
    }
}
