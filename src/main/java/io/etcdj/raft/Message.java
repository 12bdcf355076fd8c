package io.etcdj.raft;

import java.util.List;
import java.util.Objects;

/**
 * A message between two members. Every message carries the sender's term: a receiver with a
 * lower term adopts it and becomes a follower, a receiver with a higher term ignores or answers
 * so the stale sender learns the newer term (§5.1). Plain data, for the wire codec to encode.
 */
public sealed interface Message {
    String from();

    String to();

    long term();

    /**
     * RequestVote (§5.2). With {@code preVote} the term is the one the candidate would campaign
     * in, and nobody changes its own term or vote for it (§9.6 of the thesis).
     *
     * @param leadershipTransfer sent on a leader's request ({@link TimeoutNow}), so followers
     *                           vote even though they recently heard from a leader
     */
    record VoteRequest(String from, String to, long term, boolean preVote, long lastLogIndex, long lastLogTerm,
                       boolean leadershipTransfer) implements Message {
        public VoteRequest {
            requireNames(from, to);
        }
    }

    /** Answer to a {@link VoteRequest}; a granted pre-vote carries the requested term. */
    record VoteResponse(String from, String to, long term, boolean preVote, boolean granted)
            implements Message {
        public VoteResponse {
            requireNames(from, to);
        }
    }

    /**
     * AppendEntries (§5.3): {@code entries} follow the entry at {@code prevLogIndex}, whose term
     * must be {@code prevLogTerm} in the follower's log for them to be accepted.
     *
     * @param commit the leader's commit index
     */
    record AppendRequest(String from, String to, long term, long prevLogIndex, long prevLogTerm,
                         List<Entry> entries, long commit) implements Message {
        public AppendRequest {
            requireNames(from, to);
            entries = List.copyOf(entries);
        }
    }

    /**
     * Answer to an {@link AppendRequest} or {@link InstallSnapshot}.
     *
     * @param success    whether the log matched
     * @param index      if success, the follower's log matches the leader's up to here; if not,
     *                   the rejected {@code prevLogIndex}
     * @param rejectHint on rejection, the highest index the follower might match: its last index,
     *                   or the last one whose term is at most {@code prevLogTerm}, so the leader
     *                   skips a whole term per round trip instead of one entry (§5.3)
     * @param hintTerm   on rejection, the follower's term at {@code rejectHint} (0 if unknown)
     * @param unknownLeader the answer of a member that does not know the sender as a member (its
     *                   log stops before the sender's addition): it dropped the message, and
     *                   {@code rejectHint} is its last index. The leader hands over to a member
     *                   the follower knows, so that it can catch up (§4.1 of the thesis).
     */
    record AppendResponse(String from, String to, long term, boolean success, long index, long rejectHint,
                          long hintTerm, boolean unknownLeader) implements Message {
        public AppendResponse {
            requireNames(from, to);
        }

        public AppendResponse(String from, String to, long term, boolean success, long index, long rejectHint,
                              long hintTerm) {
            this(from, to, term, success, index, rejectHint, hintTerm, false);
        }
    }

    /**
     * An empty AppendEntries that asserts leadership (§5.2). It carries a commit index the
     * follower is known to match, and the leader's latest read round, which the follower echoes
     * so that the leader can confirm read requests (§6.4 of the thesis).
     */
    record Heartbeat(String from, String to, long term, long commit, long readRound) implements Message {
        public Heartbeat {
            requireNames(from, to);
        }
    }

    /** Answer to a {@link Heartbeat}, echoing its read round. */
    record HeartbeatResponse(String from, String to, long term, long readRound) implements Message {
        public HeartbeatResponse {
            requireNames(from, to);
        }
    }

    /**
     * InstallSnapshot (§7): sent when a follower needs entries the leader has compacted. The
     * follower answers with an {@link AppendResponse}.
     */
    record InstallSnapshot(String from, String to, long term, Snapshot snapshot) implements Message {
        public InstallSnapshot {
            requireNames(from, to);
            Objects.requireNonNull(snapshot, "snapshot");
        }
    }

    /**
     * Tells an up-to-date follower to campaign at once, to hand leadership over (§3.10 of the
     * thesis); a leader sends it when it is removed from the cluster.
     */
    record TimeoutNow(String from, String to, long term) implements Message {
        public TimeoutNow {
            requireNames(from, to);
        }
    }

    private static void requireNames(String from, String to) {
        if (from == null || from.isEmpty() || to == null || to.isEmpty()) {
            throw new IllegalArgumentException("from and to must be member names");
        }
    }
}
