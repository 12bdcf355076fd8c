package io.etcdj.raft;

/**
 * What {@link RaftNode#step(Message)} made of a message. Input from the network never makes the
 * core throw: a message that no honest member could have sent in this member's state (an
 * impossible term, index or commit index, a second leader in one term, an answer to a request
 * never made, a sender outside the membership, this member itself) is {@link Dropped} without
 * changing anything, and the caller logs the reason.
 */
public sealed interface StepOutcome {
    /** Taken into account; this includes messages Raft ignores as stale (§5.1). */
    StepOutcome TAKEN = new Taken();

    /** The message was taken into account. */
    record Taken() implements StepOutcome {
    }

    /**
     * The message was dropped: it does not fit this member's state.
     *
     * @param reason one line for the log, naming what did not fit
     */
    record Dropped(String reason) implements StepOutcome {
    }
}
