package io.etcdj.wal;

import java.util.List;
import java.util.Objects;

/**
 * A snapshot as {@link SnapshotDirectory} stores it: the state machine after applying every entry
 * up to {@code index}, and the membership in effect then. The arrays are shared, never copied.
 *
 * @param index   last log index the snapshot includes, from 1
 * @param term    term of that entry
 * @param members names of the cluster's members
 * @param context opaque membership details for the server (may be empty)
 * @param data    the serialized state machine (opaque here)
 */
public record SnapshotRecord(long index, long term, List<String> members, byte[] context, byte[] data) {
    public SnapshotRecord {
        if (index < 1 || term < 1) {
            throw new IllegalArgumentException("snapshot index and term start at 1: " + index + "/" + term);
        }
        members = List.copyOf(members);
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(data, "data");
    }

    @Override
    public String toString() {
        return "SnapshotRecord[index=" + index + " term=" + term + " members=" + members + " context="
                + context.length + "B data=" + data.length + "B]";
    }
}
