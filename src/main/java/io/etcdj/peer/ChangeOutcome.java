package io.etcdj.peer;

import java.util.Objects;

/** How a proposed membership change (join or remove) ended on the machine that was asked. */
public sealed interface ChangeOutcome {
    /** The change is applied; {@code commitIndex} is the Raft commit index at that moment. */
    record Committed(long commitIndex) implements ChangeOutcome {}

    /** This machine does not lead: the caller is sent to the leader's peer URL. */
    record NotLeader(String leaderPeerUrl) implements ChangeOutcome {
        public NotLeader {
            Objects.requireNonNull(leaderPeerUrl, "leaderPeerUrl");
            if (leaderPeerUrl.isEmpty()) {
                throw new IllegalArgumentException("no leader known: fail with error 300 instead");
            }
        }
    }
}
