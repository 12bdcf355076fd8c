package io.etcdj.peer;

import io.etcdj.raft.Message;
import io.etcdj.raft.SnapshotMetadata;
import io.netty.buffer.ByteBuf;

/** One frame of a Raft stream between two members, as {@link MessageCodec} reads it. */
sealed interface StreamFrame {
    /** A whole Raft message. */
    record Carried(Message message) implements StreamFrame {}

    /**
     * The start of an InstallSnapshot whose data follows in {@link SnapshotChunk}s totalling
     * {@code length} bytes.
     */
    record SnapshotHead(String from, String to, long term, SnapshotMetadata metadata, int length)
            implements StreamFrame {}

    /** Part of a snapshot's data: a view into the frame's buffer, valid only while it is held. */
    record SnapshotChunk(ByteBuf data) implements StreamFrame {}

    /** The receiver's word that it delivered the snapshot ending at {@code index}. */
    record SnapshotReceived(String from, String to, long index) implements StreamFrame {}
}
