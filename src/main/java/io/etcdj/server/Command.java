package io.etcdj.server;

import java.time.Instant;

/**
 * A state-machine command: what the HTTP layer proposes and the log carries. Expiration times are
 * absolute and decided when the command is built, so applying a command is deterministic.
 */
public sealed interface Command {
    record Set(String key, boolean dir, String value, Instant expireTime) implements Command {}

    record Create(String key, boolean dir, String value, boolean unique, Instant expireTime) implements Command {}

    record Update(String key, String value, Instant expireTime) implements Command {}

    record CompareAndSwap(String key, String value, String prevValue, long prevIndex, Instant expireTime) implements Command {}

    record Delete(String key, boolean dir, boolean recursive) implements Command {}

    /** A delete that happens only when the file's value and/or index match (0 or empty: not compared). */
    record CompareAndDelete(String key, String prevValue, long prevIndex) implements Command {}

    /** Sets a new expiration on an existing key, keeping its value and waking no watcher. */
    record Refresh(String key, Instant expireTime) implements Command {}

    /** Expires every key whose time has come, as seen by the leader at {@code now}. */
    record Sync(Instant now) implements Command {}

    /** Registers a machine: its name with its raft (peer) and etcd (client) URLs. */
    /**
     * A machine joins. {@code joinId} is the joining process's random id for this join (empty in
     * older logs): the same process asking again finds its own join by it.
     */
    record Join(String name, String raftUrl, String etcdUrl, String joinId) implements Command {
        public Join {
            joinId = joinId == null ? "" : joinId;
        }
    }
}
