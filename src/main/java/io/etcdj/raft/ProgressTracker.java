package io.etcdj.raft;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * The membership in effect on this member, with a leader's {@link Progress} for each member and
 * a candidate's vote tally. Every quorum decision (commit, election, CheckQuorum, reads) is made
 * here over the current membership. Maps are sorted so iteration is deterministic.
 */
final class ProgressTracker {
    enum VoteResult { WON, LOST, PENDING }

    private final int maxInflight;
    private Membership membership = Membership.EMPTY;
    private final Map<String, Progress> progress = new TreeMap<>();
    private final Map<String, Boolean> votes = new TreeMap<>();

    ProgressTracker(int maxInflight) {
        this.maxInflight = maxInflight;
    }

    Membership membership() {
        return membership;
    }

    Progress progress(String member) {
        return progress.get(member);
    }

    Map<String, Progress> all() {
        return progress;
    }

    /**
     * CheckQuorum periods a new member counts as heard from before it has answered: a machine that
     * just joined is often a process that just started. Reads and commits never count the grace
     * (they wait for real answers from a quorum), so it only delays stepping down for silence; and
     * since the members of a cluster that just started are all new, a longer grace (10 periods was
     * tried) kept a leader cut off from them leading for seconds.
     */
    static final int NEW_MEMBER_GRACE_CHECKS = 3;

    /** Switches membership; members new to it start probing from {@code nextIndex}. */
    void setMembership(Membership m, long nextIndex) {
        membership = m;
        progress.keySet().retainAll(m.members());
        for (String member : m.members()) {
            progress.computeIfAbsent(member, k -> {
                Progress p = new Progress(nextIndex, maxInflight);
                // A machine that just joined is often a process that just started: give it a few
                // election timeouts to answer before CheckQuorum counts it as silent.
                p.recentActive = true;
                p.quorumGrace = NEW_MEMBER_GRACE_CHECKS;
                return p;
            });
        }
    }

    /** A new leader's view: nothing known about followers, its own log matching up to {@code selfMatch}. */
    void resetProgress(String self, long lastIndex, long selfMatch) {
        progress.clear();
        for (String member : membership.members()) {
            Progress p = new Progress(lastIndex + 1, maxInflight);
            if (member.equals(self)) {
                p.match = selfMatch;
                p.becomeReplicate();
                p.next = lastIndex + 1;
                p.recentActive = true;
            }
            progress.put(member, p);
        }
    }

    /** The highest index replicated on a quorum: the commit candidate (§5.3). */
    long quorumMatch() {
        if (membership.size() == 0) {
            return 0;
        }
        long[] matches = new long[membership.size()];
        int i = 0;
        for (String member : membership.members()) {
            Progress p = progress.get(member);
            matches[i++] = p == null ? 0 : p.match;
        }
        Arrays.sort(matches);
        return matches[matches.length - membership.quorum()];
    }

    /**
     * CheckQuorum (§6.2 of the thesis): whether a quorum was heard from since the last check;
     * starts a new period.
     */
    boolean quorumActiveAndReset(String self) {
        int active = 0;
        for (String member : membership.members()) {
            Progress p = progress.get(member);
            if (member.equals(self) || (p != null && (p.recentActive || p.quorumGrace > 0))) {
                active++;
            }
            if (p != null && p.quorumGrace > 0) {
                p.quorumGrace--;
            }
            if (p != null && !member.equals(self)) {
                p.recentActive = false;
            }
        }
        return active >= membership.quorum();
    }

    void resetVotes() {
        votes.clear();
    }

    void recordVote(String member, boolean granted) {
        votes.putIfAbsent(member, granted);
    }

    VoteResult tallyVotes() {
        int granted = 0;
        int rejected = 0;
        for (String member : membership.members()) {
            Boolean v = votes.get(member);
            if (v == null) {
                continue;
            }
            if (v) {
                granted++;
            } else {
                rejected++;
            }
        }
        int quorum = membership.quorum();
        if (granted >= quorum) {
            return VoteResult.WON;
        }
        if (membership.size() - rejected < quorum) {
            return VoteResult.LOST;
        }
        return VoteResult.PENDING;
    }
}
