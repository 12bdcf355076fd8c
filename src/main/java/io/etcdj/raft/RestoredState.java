package io.etcdj.raft;

import java.util.List;
import java.util.Objects;

/**
 * What the server's log files hold when a member restarts: its last persisted hard state, its
 * latest snapshot (or {@code null}) and every persisted entry after the snapshot, contiguous.
 * The state machine is assumed to restart from the snapshot: everything after it up to the
 * commit index is handed out again in {@link Ready#committedEntries()}.
 *
 * @param hardState the last persisted {@link HardState}, or {@link HardState#EMPTY}
 * @param snapshot  the latest persisted snapshot, or {@code null}
 * @param entries   persisted entries following the snapshot (or from index 1)
 */
public record RestoredState(HardState hardState, Snapshot snapshot, List<Entry> entries) {
    /** A member that has never run: it waits to be contacted by a leader of an existing cluster. */
    public static final RestoredState EMPTY = new RestoredState(HardState.EMPTY, null, List.of());

    public RestoredState {
        Objects.requireNonNull(hardState, "hardState");
        entries = List.copyOf(entries);
    }
}
