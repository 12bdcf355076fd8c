package io.etcdj.raft;

import java.util.Objects;

/**
 * The state a member must persist (and fsync) before it sends any message of the same
 * {@link Ready}: current term and vote (§5.1, §5.2: at most one vote per term, even across
 * restarts), and the commit index, so a restart re-applies only what is known to be committed.
 *
 * @param term   latest term this member has seen
 * @param vote   member voted for in {@code term}, or {@link #NO_VOTE}
 * @param commit highest log index known to be committed
 */
public record HardState(long term, String vote, long commit) {
    /** The vote of a member that has not voted in its current term. */
    public static final String NO_VOTE = "";

    /** The state of a member that has never run. */
    public static final HardState EMPTY = new HardState(0, NO_VOTE, 0);

    public HardState {
        Objects.requireNonNull(vote, "vote (use NO_VOTE)");
        if (term < 0 || commit < 0) {
            throw new IllegalArgumentException("negative term or commit: " + term + "/" + commit);
        }
    }

    /** True when the term or vote differ, which requires an fsync before sending. */
    boolean termOrVoteDiffer(HardState other) {
        return other == null || other.term != term || !other.vote.equals(vote);
    }
}
