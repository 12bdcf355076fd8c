package io.etcdj.raft;

/** What a log entry carries. */
public enum EntryType {
    /**
     * A client command, opaque to Raft. An entry of this type with empty data is the no-op a new
     * leader appends to commit entries of earlier terms (§5.4.2, §8); the server skips it.
     */
    NORMAL,
    /** A membership change: the data is {@link ConfChange#toBytes()}. */
    CONF_CHANGE
}
