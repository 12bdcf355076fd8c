package io.etcdj.raft;

import java.util.List;

/**
 * Everything the core asks of the server after some input, to be carried out in this order and
 * then acknowledged with {@link RaftNode#advance(Ready)}:
 * <ol>
 *   <li>persist {@code snapshot} if not null: it replaces the whole persisted log, entries after
 *       it included; restore the state machine from it;</li>
 *   <li>persist {@code hardState} if not null, and append {@code entries}: the first entry may
 *       have an index at or below the last persisted one, in which case every persisted entry
 *       from that index on is replaced; fsync if {@code mustSync};</li>
 *   <li>send {@code messages} (only now: they may promise what was just persisted);</li>
 *   <li>apply {@code committedEntries} in order (they may include entries of this same Ready,
 *       hence after persisting); skip {@link Entry#isNoop() no-ops};</li>
 *   <li>answer {@code readStates} once the applied index reaches each one's index;</li>
 *   <li>note {@code softState} if not null (leader or role changed).</li>
 * </ol>
 *
 * @param softState        new leader/role, or {@code null} if unchanged since the last Ready
 * @param hardState        new term/vote/commit to persist, or {@code null} if unchanged
 * @param entries          entries to append to stable storage
 * @param snapshot         an incoming snapshot to persist and restore, or {@code null}
 * @param committedEntries entries to apply to the state machine, contiguous and in order
 * @param messages         messages to send to other members
 * @param readStates       confirmed read requests
 * @param mustSync         whether the writes must be fsynced before the messages go out
 */
public record Ready(SoftState softState, HardState hardState, List<Entry> entries, Snapshot snapshot,
                    List<Entry> committedEntries, List<Message> messages, List<ReadState> readStates,
                    boolean mustSync) {
    public Ready {
        entries = List.copyOf(entries);
        committedEntries = List.copyOf(committedEntries);
        messages = List.copyOf(messages);
        readStates = List.copyOf(readStates);
    }
}
