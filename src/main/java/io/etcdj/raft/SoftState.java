package io.etcdj.raft;

/**
 * Volatile state the server may want to show or react to: who leads and this member's role.
 * Never persisted.
 *
 * @param leader name of the known leader of the current term, or {@code null} if none is known
 * @param role   this member's role
 */
public record SoftState(String leader, Role role) {
    public boolean hasLeader() {
        return leader != null;
    }
}
