package io.etcdj.raft;

import java.util.Arrays;
import java.util.Objects;

/**
 * One entry of the replicated log (§5.3): its position, the term of the leader that created it,
 * and its payload. The data array is shared, never copied: nobody may modify it after creation.
 *
 * @param index position in the log, from 1
 * @param term  term in which a leader appended the entry, from 1
 * @param type  what the data means
 * @param data  the payload; empty for the no-op of a new leader
 */
public record Entry(long index, long term, EntryType type, byte[] data) {
    private static final byte[] NO_DATA = new byte[0];

    public Entry {
        if (index < 1 || term < 1) {
            throw new IllegalArgumentException("entry index and term start at 1: " + index + "/" + term);
        }
        Objects.requireNonNull(type, "type");
        data = data == null ? NO_DATA : data;
    }

    /** The no-op a new leader appends in its term. */
    static Entry noop(long index, long term) {
        return new Entry(index, term, EntryType.NORMAL, NO_DATA);
    }

    /** True for the leader's no-op, which carries nothing to apply. */
    public boolean isNoop() {
        return type == EntryType.NORMAL && data.length == 0;
    }

    /** Approximate encoded size, used to bound messages. */
    long size() {
        return data.length + 24L;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Entry e && e.index == index && e.term == term && e.type == type
                && Arrays.equals(e.data, data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(index, term, type, Arrays.hashCode(data));
    }

    @Override
    public String toString() {
        return "Entry[" + index + "/" + term + " " + type + " " + data.length + "B]";
    }
}
