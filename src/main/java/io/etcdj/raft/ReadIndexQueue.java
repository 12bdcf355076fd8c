package io.etcdj.raft;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A leader's pending linearizable reads (§6.4 of the thesis). Each request records the commit
 * index when it arrived and opens a new read round; the round number rides on every heartbeat.
 * A follower echoing round r acknowledges this leader at a moment after every request of round
 * r or earlier arrived, so once a quorum has echoed r those requests are confirmed. Rounds batch
 * naturally: one heartbeat answer confirms all requests before it.
 */
final class ReadIndexQueue {
    private record Pending(long requestId, long index, long round) {}

    private final Deque<Pending> pending = new ArrayDeque<>();
    private final Map<String, Long> acked = new TreeMap<>();
    private long round;

    /** The latest round, carried by heartbeats. */
    long round() {
        return round;
    }

    long add(long requestId, long commitIndex) {
        round++;
        pending.add(new Pending(requestId, commitIndex, round));
        return round;
    }

    boolean isEmpty() {
        return pending.isEmpty();
    }

    void ack(String member, long ackedRound) {
        acked.merge(member, ackedRound, Math::max);
    }

    /** Requests now confirmed by a quorum of {@code membership} (the leader counting itself). */
    List<ReadState> release(Membership membership, String self) {
        if (pending.isEmpty() || membership.size() == 0) {
            return List.of();
        }
        long[] rounds = new long[membership.size()];
        int i = 0;
        for (String member : membership.members()) {
            rounds[i++] = member.equals(self) ? round : acked.getOrDefault(member, 0L);
        }
        Arrays.sort(rounds);
        long confirmed = rounds[rounds.length - membership.quorum()];
        List<ReadState> out = new ArrayList<>();
        while (!pending.isEmpty() && pending.peekFirst().round() <= confirmed) {
            Pending p = pending.pollFirst();
            out.add(new ReadState(p.requestId(), p.index()));
        }
        return out;
    }

    /** Forgets everything: leadership was lost, the requests cannot be confirmed any more. */
    void reset() {
        pending.clear();
        acked.clear();
    }
}
