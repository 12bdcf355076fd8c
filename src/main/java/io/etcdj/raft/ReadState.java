package io.etcdj.raft;

/**
 * The answer to {@link RaftNode#readIndex(long)}: once this member has applied the log up to
 * {@code index}, a read issued when the request was made may be served from its state machine
 * linearizably (§6.4 of the thesis).
 *
 * @param requestId the id the server passed to {@code readIndex}
 * @param index     the commit index when the request arrived, confirmed by a quorum afterwards
 */
public record ReadState(long requestId, long index) {
}
