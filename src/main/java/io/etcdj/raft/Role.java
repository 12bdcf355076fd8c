package io.etcdj.raft;

/** The role a member plays in its current term (§5.1; pre-candidate after §9.6 of the thesis). */
public enum Role {
    FOLLOWER,
    /** Asking whether it could win an election, without disturbing anyone's term yet. */
    PRE_CANDIDATE,
    CANDIDATE,
    LEADER
}
