package io.etcdj.raft;

import java.util.Objects;

/**
 * Where a snapshot stands in the log (§7): the last entry it includes and the membership in
 * effect once that entry is applied.
 *
 * @param index      index of the last entry included
 * @param term       term of that entry
 * @param membership membership after applying every entry up to {@code index}
 */
public record SnapshotMetadata(long index, long term, Membership membership) {
    public SnapshotMetadata {
        Objects.requireNonNull(membership, "membership");
        if (index < 1 || term < 1) {
            throw new IllegalArgumentException("snapshot index and term start at 1: " + index + "/" + term);
        }
    }
}
