package io.etcdj.raft;

/**
 * What became of a proposal, membership change or read request handed to {@link RaftNode}.
 * Acceptance promises nothing about commitment: the server learns that by watching the entry at
 * {@code index} reach {@code committedEntries} with the same {@code term} (if another term shows
 * up at that index, the proposal was lost with its leader).
 */
public sealed interface ProposalOutcome {

    /**
     * Appended to the leader's log at {@code index} in {@code term}; for a read request,
     * {@code index} is the commit index the read will wait for, unless the leader has not yet
     * committed an entry of its term, in which case it is 0 and fixed later in the ReadState.
     */
    record Accepted(long index, long term) implements ProposalOutcome {}

    /** This member is not the leader; {@code leader} is the one it knows of, or {@code null}. */
    record NotLeader(String leader) implements ProposalOutcome {}

    /** The leader cannot take it now (e.g. another membership change is pending). */
    record Refused(String reason) implements ProposalOutcome {}
}
