package io.etcdj.raft;

import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * How one member runs. Times are counted in ticks ({@link RaftNode#tick()}), which the server
 * calls at a fixed interval, usually the heartbeat interval.
 *
 * @param name                this member's name, unique in the cluster
 * @param electionTicks       base election timeout; each wait is drawn from
 *                            [electionTicks, 2*electionTicks) (§5.2)
 * @param heartbeatTicks      ticks between a leader's heartbeats; less than electionTicks
 * @param maxInflightMessages appends a leader pipelines to one follower before waiting for acks
 * @param maxBytesPerMessage  soft limit on the entries of one append (at least one is sent)
 * @param preVote             ask for a pre-vote before bumping the term (§9.6 of the thesis)
 * @param checkQuorum         a leader steps down when it has not heard from a quorum for an
 *                            election timeout, and followers that hear from a leader ignore
 *                            votes until the timeout passes (§6.2, §4.2.3 of the thesis)
 * @param random              source of the randomized election timeouts; the only randomness
 */
public record RaftConfig(String name, int electionTicks, int heartbeatTicks, int maxInflightMessages,
                         long maxBytesPerMessage, boolean preVote, boolean checkQuorum,
                         RandomGenerator random) {
    public RaftConfig {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("name must be non-empty");
        }
        Objects.requireNonNull(random, "random");
        if (heartbeatTicks < 1) {
            throw new IllegalArgumentException("heartbeatTicks must be at least 1, was " + heartbeatTicks);
        }
        if (electionTicks <= heartbeatTicks) {
            throw new IllegalArgumentException("electionTicks (" + electionTicks
                    + ") must be greater than heartbeatTicks (" + heartbeatTicks + ")");
        }
        if (maxInflightMessages < 1) {
            throw new IllegalArgumentException("maxInflightMessages must be at least 1");
        }
        if (maxBytesPerMessage < 1) {
            throw new IllegalArgumentException("maxBytesPerMessage must be at least 1");
        }
    }

    /** Election after 10 to 19 ticks, heartbeat every tick, 256 appends of up to 1 MiB in flight. */
    public static RaftConfig defaults(String name, RandomGenerator random) {
        return new RaftConfig(name, 10, 1, 256, 1 << 20, true, true, random);
    }

    public RaftConfig withTicks(int election, int heartbeat) {
        return new RaftConfig(name, election, heartbeat, maxInflightMessages, maxBytesPerMessage, preVote,
                checkQuorum, random);
    }

    public RaftConfig withFlowControl(int inflight, long bytesPerMessage) {
        return new RaftConfig(name, electionTicks, heartbeatTicks, inflight, bytesPerMessage, preVote,
                checkQuorum, random);
    }

    public RaftConfig withPreVote(boolean enabled) {
        return new RaftConfig(name, electionTicks, heartbeatTicks, maxInflightMessages, maxBytesPerMessage,
                enabled, checkQuorum, random);
    }

    public RaftConfig withCheckQuorum(boolean enabled) {
        return new RaftConfig(name, electionTicks, heartbeatTicks, maxInflightMessages, maxBytesPerMessage,
                preVote, enabled, random);
    }
}
