package io.etcdj.peer;

/**
 * What the transport tells the node about delivery, for the Raft core's flow control
 * ({@code reportUnreachable}, {@code reportSnapshot}). Called from network threads: implementations
 * must not block.
 */
public interface PeerReports {
    /** Messages to {@code member} were dropped: it could not be reached, or its queue was full. */
    void unreachable(String member);

    /**
     * A snapshot sent to {@code member} was delivered (the member confirmed it), or was not
     * (connection lost, replaced by a newer snapshot, or the member is unknown).
     */
    void snapshotSent(String member, boolean delivered);
}
