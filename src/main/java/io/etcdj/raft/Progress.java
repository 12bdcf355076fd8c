package io.etcdj.raft;

/**
 * What a leader knows of one follower's log (§5.3 nextIndex and matchIndex) and how it sends to
 * it. A follower is in one of three states:
 * <ul>
 *   <li>{@link State#PROBE}: its match is unknown; one append per heartbeat interval, walking
 *       {@code next} back until the logs match;</li>
 *   <li>{@link State#REPLICATE}: the logs match; appends are pipelined, {@code next} advanced
 *       optimistically, within a window of {@link Inflights};</li>
 *   <li>{@link State#SNAPSHOT}: it needs compacted entries; a snapshot is on its way and nothing
 *       else is sent until it is acknowledged or reported failed.</li>
 * </ul>
 */
final class Progress {
    enum State { PROBE, REPLICATE, SNAPSHOT }

    long match;
    long next;
    State state = State.PROBE;
    /** In PROBE: an append is out, wait for an answer or the next heartbeat response. */
    boolean probeSent;
    /** Index of the snapshot in flight, in SNAPSHOT state. */
    long pendingSnapshot;
    /** Heard from within the current election timeout (CheckQuorum). */
    boolean recentActive;
    /** CheckQuorum periods left in which a member that has not answered yet still counts as active. */
    int quorumGrace;
    final Inflights inflights;

    Progress(long next, int maxInflight) {
        this.next = next;
        this.inflights = new Inflights(maxInflight);
    }

    boolean isPaused() {
        return switch (state) {
            case PROBE -> probeSent;
            case REPLICATE -> inflights.full();
            case SNAPSHOT -> true;
        };
    }

    void becomeProbe() {
        // After a snapshot, resume right after it: the follower holds everything it includes.
        long from = state == State.SNAPSHOT ? Math.max(match + 1, pendingSnapshot + 1) : match + 1;
        reset(State.PROBE);
        next = from;
    }

    void becomeReplicate() {
        reset(State.REPLICATE);
        next = match + 1;
    }

    void becomeSnapshot(long snapshotIndex) {
        reset(State.SNAPSHOT);
        pendingSnapshot = snapshotIndex;
    }

    private void reset(State newState) {
        state = newState;
        probeSent = false;
        pendingSnapshot = 0;
        inflights.reset();
    }

    /** An acknowledgement up to {@code index}; false if it tells nothing new (stale or duplicate). */
    boolean maybeUpdate(long index) {
        boolean updated = false;
        if (match < index) {
            match = index;
            updated = true;
            probeSent = false;
        }
        next = Math.max(next, index + 1);
        return updated;
    }

    /**
     * A rejection of the append that followed {@code rejected}; {@code hint} is the highest index
     * that may still match. Returns false if the rejection is stale.
     */
    boolean maybeDecrTo(long rejected, long hint) {
        if (state == State.REPLICATE) {
            if (rejected <= match) {
                return false;
            }
            next = match + 1;
            return true;
        }
        if (next - 1 != rejected) {
            return false;
        }
        next = Math.max(Math.min(rejected, hint + 1), match + 1);
        probeSent = false;
        return true;
    }

    /** Records an append that carried entries up to {@code lastIndex} (or none, if 0). */
    void sentAppend(long lastIndex) {
        if (state == State.REPLICATE && lastIndex > 0) {
            next = lastIndex + 1;
            inflights.add(lastIndex);
        } else if (state == State.PROBE) {
            probeSent = true;
        }
    }

    @Override
    public String toString() {
        return state + "[match=" + match + " next=" + next + (state == State.SNAPSHOT ? " snap=" + pendingSnapshot : "")
                + " inflight=" + inflights.count() + "]";
    }
}
