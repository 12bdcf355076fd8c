package io.etcdj.raft;

import io.etcdj.raft.Message.VoteRequest;
import io.etcdj.raft.Message.VoteResponse;

/** Leader election (§5.2) with the election restriction (§5.4.1) and pre-vote (§9.6 of the thesis). */
final class Election {
    private final Raft raft;

    Election(Raft raft) {
        this.raft = raft;
    }

    /**
     * Starts a (pre-)campaign: votes for itself and asks every other member. A member alone in its
     * membership wins at once.
     */
    void campaign(boolean preVote, boolean leadershipTransfer) {
        if (!raft.promotable() || raft.role == Role.LEADER) {
            return;
        }
        if (hasUnappliedConfChange()) {
            // The membership is about to change: the quorum we would count might be the wrong one.
            return;
        }
        long voteTerm;
        if (preVote) {
            raft.becomePreCandidate();
            voteTerm = raft.term + 1;
        } else {
            raft.becomeCandidate();
            voteTerm = raft.term;
        }
        raft.tracker.recordVote(raft.self, true);
        if (raft.tracker.tallyVotes() == ProgressTracker.VoteResult.WON) {
            won(preVote, leadershipTransfer);
            return;
        }
        for (String member : raft.tracker.membership().members()) {
            if (!member.equals(raft.self)) {
                raft.send(new VoteRequest(raft.self, member, voteTerm, preVote, raft.log.lastIndex(),
                        raft.log.lastTerm(), leadershipTransfer));
            }
        }
    }

    private boolean hasUnappliedConfChange() {
        for (Entry e : raft.log.unappliedCommitted()) {
            if (e.type() == EntryType.CONF_CHANGE) {
                return true;
            }
        }
        return false;
    }

    private void won(boolean preVote, boolean leadershipTransfer) {
        if (preVote) {
            campaign(false, leadershipTransfer);
        } else {
            raft.becomeLeader();
            raft.replication.broadcastAppend();
        }
    }

    /**
     * RequestVote receiver (§5.2, §5.4.1): grant if we have not voted for someone else in this
     * term (nor know a leader of it), and the candidate's log is at least as up to date as ours.
     * A pre-vote for a later term is granted on the log alone, and changes nothing here.
     */
    void handleVoteRequest(VoteRequest m) {
        boolean canVote = raft.vote.equals(m.from())
                || (raft.vote.isEmpty() && raft.leader == null)
                || (m.preVote() && m.term() > raft.term);
        if (canVote && raft.log.isUpToDate(m.lastLogIndex(), m.lastLogTerm())) {
            raft.send(new VoteResponse(raft.self, m.from(), m.term(), m.preVote(), true));
            if (!m.preVote()) {
                raft.electionElapsed = 0;
                raft.vote = m.from();
            }
        } else {
            raft.send(new VoteResponse(raft.self, m.from(), raft.term, m.preVote(), false));
        }
    }

    void handleVoteResponse(VoteResponse m) {
        boolean expected = (raft.role == Role.PRE_CANDIDATE && m.preVote())
                || (raft.role == Role.CANDIDATE && !m.preVote());
        if (!expected) {
            return;
        }
        if (m.preVote() && m.granted() && m.term() != raft.term + 1) {
            return; // granted in an earlier pre-campaign
        }
        raft.tracker.recordVote(m.from(), m.granted());
        switch (raft.tracker.tallyVotes()) {
            case WON -> won(m.preVote(), false);
            case LOST -> raft.becomeFollower(raft.term, null);
            case PENDING -> { }
        }
    }
}
