package io.etcdj.wal;

/**
 * The Raft state that must survive a restart besides the entries.
 *
 * @param term   current term
 * @param vote   the member voted for in {@code term}, or empty
 * @param commit highest index known to be committed
 */
public record HardState(long term, String vote, long commit) {
    public static final HardState EMPTY = new HardState(0, "", 0);
}
