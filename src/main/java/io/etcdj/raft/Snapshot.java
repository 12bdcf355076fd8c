package io.etcdj.raft;

import java.util.Objects;

/**
 * A state-machine snapshot that replaces the log up to {@code metadata.index()} (§7). The data is
 * opaque to Raft: the server produces it and restores its state machine from it. The array is
 * shared, never copied.
 *
 * @param metadata position in the log and membership
 * @param data     the serialized state machine
 */
public record Snapshot(SnapshotMetadata metadata, byte[] data) {
    public Snapshot {
        Objects.requireNonNull(metadata, "metadata");
        Objects.requireNonNull(data, "data");
    }

    public long index() {
        return metadata.index();
    }

    public long term() {
        return metadata.term();
    }

    @Override
    public String toString() {
        return "Snapshot[" + metadata + " " + data.length + "B]";
    }
}
