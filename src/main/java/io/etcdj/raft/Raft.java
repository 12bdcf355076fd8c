package io.etcdj.raft;

import io.etcdj.raft.Message.AppendRequest;
import io.etcdj.raft.Message.AppendResponse;
import io.etcdj.raft.Message.Heartbeat;
import io.etcdj.raft.Message.HeartbeatResponse;
import io.etcdj.raft.Message.InstallSnapshot;
import io.etcdj.raft.Message.TimeoutNow;
import io.etcdj.raft.Message.VoteRequest;
import io.etcdj.raft.Message.VoteResponse;

import java.util.ArrayList;
import java.util.List;

/**
 * The state of one member and its transitions between roles (§5.1), with the rules every
 * message goes through before its handler: term comparison (§5.1) and the leader lease of
 * CheckQuorum. The handlers live in {@link Election}, {@link Replication} (leader side) and
 * {@link Follower}.
 */
final class Raft {
    final String self;
    final RaftConfig config;
    final RaftLog log;
    final ProgressTracker tracker;
    final ReadIndexQueue reads = new ReadIndexQueue();

    long term;
    String vote = HardState.NO_VOTE;
    /** Leader of the current term, or null. */
    String leader;
    Role role = Role.FOLLOWER;
    int electionElapsed;
    int heartbeatElapsed;
    int randomizedElectionTimeout;
    /** A leader accepts no membership change while one at or below this index is unapplied. */
    long pendingConfIndex;
    /** Read requests a new leader holds until it commits an entry of its term. */
    final List<Long> readsAwaitingCommit = new ArrayList<>();

    List<Message> outbox = new ArrayList<>();
    List<ReadState> readStates = new ArrayList<>();

    final Election election = new Election(this);
    final Replication replication = new Replication(this);
    final Follower follower = new Follower(this);

    Raft(RaftConfig config, RaftLog log, HardState hardState, Membership membership) {
        this.self = config.name();
        this.config = config;
        this.log = log;
        this.tracker = new ProgressTracker(config.maxInflightMessages());
        this.tracker.setMembership(membership, log.lastIndex() + 1);
        this.term = hardState.term();
        this.vote = hardState.vote();
        becomeFollower(term, null);
    }

    HardState hardState() {
        return new HardState(term, vote, log.committed());
    }

    SoftState softState() {
        return new SoftState(leader, role);
    }

    /** Only a current member may campaign and lead. */
    boolean promotable() {
        return tracker.membership().contains(self);
    }

    void send(Message m) {
        outbox.add(m);
    }

    // ---- role transitions (§5.1) ----

    private void reset(long newTerm) {
        if (newTerm != term) {
            term = newTerm;
            vote = HardState.NO_VOTE;
        }
        leader = null;
        electionElapsed = 0;
        heartbeatElapsed = 0;
        randomizedElectionTimeout = config.electionTicks() + config.random().nextInt(config.electionTicks());
        tracker.resetVotes();
        reads.reset();
        readsAwaitingCommit.clear();
        pendingConfIndex = 0;
        replication.handoverAsked = false;
        replication.commitToBroadcast = false;
    }

    void becomeFollower(long newTerm, String newLeader) {
        reset(newTerm);
        role = Role.FOLLOWER;
        leader = newLeader;
    }

    void becomePreCandidate() {
        if (role == Role.LEADER) {
            throw new IllegalStateException("a leader cannot become a pre-candidate");
        }
        // Pre-vote keeps term and vote: nothing changes until a real election is worth holding.
        tracker.resetVotes();
        leader = null;
        role = Role.PRE_CANDIDATE;
    }

    void becomeCandidate() {
        if (role == Role.LEADER) {
            throw new IllegalStateException("a leader cannot become a candidate");
        }
        reset(term + 1);
        vote = self;
        role = Role.CANDIDATE;
    }

    void becomeLeader() {
        if (role != Role.CANDIDATE) {
            throw new IllegalStateException("only a candidate becomes leader, not a " + role);
        }
        reset(term);
        role = Role.LEADER;
        leader = self;
        tracker.resetProgress(self, log.lastIndex(), log.stable());
        // §5.4.2/§8: entries of earlier terms commit only once an entry of this term does.
        log.append(Entry.noop(log.lastIndex() + 1, term));
        // No membership change until everything up to the no-op is applied: any change an earlier
        // leader left in the log is then settled, and this leader has committed in its term.
        pendingConfIndex = log.lastIndex();
    }

    // ---- inputs ----

    void tick() {
        if (role == Role.LEADER) {
            tickLeader();
        } else {
            // Capped rather than reset, so that a member that may not campaign still lets its
            // leader lease expire and votes for others.
            if (electionElapsed < randomizedElectionTimeout) {
                electionElapsed++;
            }
            if (electionElapsed >= randomizedElectionTimeout && promotable()) {
                electionElapsed = 0;
                election.campaign(config.preVote(), false);
            }
        }
    }

    private void tickLeader() {
        heartbeatElapsed++;
        electionElapsed++;
        if (electionElapsed >= config.electionTicks()) {
            electionElapsed = 0;
            replication.handoverAsked = false;
            if (config.checkQuorum() && !tracker.quorumActiveAndReset(self)) {
                becomeFollower(term, null);
                return;
            }
        }
        if (heartbeatElapsed >= config.heartbeatTicks()) {
            heartbeatElapsed = 0;
            replication.broadcastHeartbeat();
        }
    }

    /**
     * Handles a message; returns {@code null} if it was taken into account (which includes
     * ignoring it as stale), or why it was dropped without changing anything. Nothing a peer
     * sends makes this throw.
     */
    String step(Message m) {
        if (m.from().equals(self)) {
            return "it claims to come from this member itself";
        }
        String defect = MessageShape.defect(m);
        if (defect != null) {
            return defect;
        }
        if (!knows(m)) {
            if ((m instanceof AppendRequest || m instanceof Heartbeat) && m.term() >= term) {
                // Maybe a member added after our log ends, leading already: it cannot prove it,
                // but it can hand over to a leader we know (Replication.unknownTo).
                send(new AppendResponse(self, m.from(), m.term(), false, 0, log.lastIndex(), 0, true));
            }
            return m.from() + " is not a member";
        }
        if (m instanceof Heartbeat h && h.commit() > log.lastIndex()) {
            // A leader vouches only for a commit index it knows this log holds (min(match, commit)):
            // beyond our last entry the claim is false, so no part of it can be trusted.
            return "its commit index " + h.commit() + " is beyond the last index " + log.lastIndex();
        }
        if (m instanceof VoteResponse r && r.granted()
                && (r.preVote() ? r.term() > term + 1 : r.term() > term)) {
            return "it grants a vote for term " + r.term() + " that this member never asked for (term " + term + ")";
        }
        if (m.term() > term) {
            if (m instanceof VoteRequest v) {
                boolean inLease = config.checkQuorum() && leader != null && electionElapsed < config.electionTicks();
                if (inLease && !v.leadershipTransfer()) {
                    // §4.2.3 of the thesis: a leader we heard from recently is alive; ignore the
                    // request so a partitioned member cannot depose it.
                    return null;
                }
                if (!v.preVote()) {
                    becomeFollower(m.term(), null);
                }
            } else if (m instanceof VoteResponse r && r.preVote() && r.granted()) {
                // A granted pre-vote carries the term we would campaign in; the term moves only
                // when the real campaign starts.
            } else {
                boolean fromLeader = m instanceof AppendRequest || m instanceof Heartbeat || m instanceof InstallSnapshot;
                becomeFollower(m.term(), fromLeader ? m.from() : null);
            }
        } else if (m.term() < term) {
            if ((config.checkQuorum() || config.preVote()) && (m instanceof AppendRequest || m instanceof Heartbeat)) {
                // A deposed leader would otherwise never hear the newer term from members that
                // ignore its messages, and, with pre-vote, never learn it had lost.
                send(new AppendResponse(self, m.from(), term, false, 0, 0, 0));
            } else if (m instanceof VoteRequest v && v.preVote()) {
                send(new VoteResponse(self, m.from(), term, true, false));
            }
            return null;
        }

        if (m instanceof VoteRequest v) {
            election.handleVoteRequest(v);
        } else if (m instanceof VoteResponse r) {
            election.handleVoteResponse(r);
        } else if (m instanceof AppendRequest || m instanceof Heartbeat || m instanceof InstallSnapshot
                || m instanceof TimeoutNow) {
            return fromLeader(m);
        } else if (m instanceof AppendResponse r) {
            if (role == Role.LEADER) {
                return replication.handleAppendResponse(r);
            }
        } else if (m instanceof HeartbeatResponse r) {
            if (role == Role.LEADER) {
                return replication.handleHeartbeatResponse(r);
            }
        }
        return null;
    }

    /**
     * Whom a member hears: the members, those its log is about to add (§4.1 of the thesis: a new
     * member may already lead), and a removed leader handing over in its last term. A machine
     * that is not a member itself hears anyone: while joining, it learns the membership from the
     * log its leader sends, in batches, and may apply the first ones before the one adding that
     * leader.
     */
    private boolean knows(Message m) {
        Membership members = tracker.membership();
        String name = m.from();
        if (!members.contains(self) || members.contains(name)) {
            return true;
        }
        if (m instanceof TimeoutNow && name.equals(leader) && m.term() == term) {
            return true;
        }
        return log.pendingAddition(name);
    }

    /** Messages only the leader of the current term sends: §5.2, there is one per term. */
    private String fromLeader(Message m) {
        if (role == Role.LEADER) {
            return "this member leads term " + term + ", not " + m.from();
        }
        if (leader != null && !leader.equals(m.from())) {
            return "the leader of term " + term + " is " + leader + ", not " + m.from();
        }
        if (m instanceof TimeoutNow) {
            if (promotable()) {
                election.campaign(false, true);
            }
            return null;
        }
        if (role != Role.FOLLOWER) {
            becomeFollower(term, m.from());
        }
        leader = m.from();
        electionElapsed = 0;
        if (m instanceof AppendRequest a) {
            follower.handleAppend(a);
        } else if (m instanceof Heartbeat h) {
            follower.handleHeartbeat(h);
        } else if (m instanceof InstallSnapshot s) {
            follower.handleSnapshot(s);
        }
        return null;
    }

    // ---- membership (applied in RaftNode.advance) ----

    void applyConfChange(ConfChange cc) {
        Membership before = tracker.membership();
        Membership after = switch (cc.type()) {
            case ADD_MEMBER -> before.contains(cc.member()) ? before : before.with(cc.member());
            case REMOVE_MEMBER -> before.without(cc.member());
        };
        if (after.equals(before)) {
            return;
        }
        tracker.setMembership(after, log.lastIndex() + 1);
        if (role == Role.LEADER) {
            replication.membershipChanged(before);
        } else if (role != Role.FOLLOWER && !promotable()) {
            becomeFollower(term, null);
        }
    }
}
