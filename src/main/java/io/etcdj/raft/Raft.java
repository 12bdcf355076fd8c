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

    void step(Message m) {
        if (m.term() > term) {
            if (m instanceof VoteRequest v) {
                boolean inLease = config.checkQuorum() && leader != null && electionElapsed < config.electionTicks();
                if (inLease && !v.leadershipTransfer()) {
                    // §4.2.3 of the thesis: a leader we heard from recently is alive; ignore the
                    // request so a partitioned member cannot depose it.
                    return;
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
            return;
        }

        if (m instanceof VoteRequest v) {
            election.handleVoteRequest(v);
        } else if (m instanceof VoteResponse r) {
            election.handleVoteResponse(r);
        } else if (m instanceof AppendRequest a) {
            acceptLeader(m);
            follower.handleAppend(a);
        } else if (m instanceof Heartbeat h) {
            acceptLeader(m);
            follower.handleHeartbeat(h);
        } else if (m instanceof InstallSnapshot s) {
            acceptLeader(m);
            follower.handleSnapshot(s);
        } else if (m instanceof AppendResponse r) {
            if (role == Role.LEADER) {
                replication.handleAppendResponse(r);
            }
        } else if (m instanceof HeartbeatResponse r) {
            if (role == Role.LEADER) {
                replication.handleHeartbeatResponse(r);
            }
        } else if (m instanceof TimeoutNow) {
            if (role != Role.LEADER && promotable()) {
                election.campaign(false, true);
            }
        }
    }

    /** A message only a leader sends, in our term: §5.2 its sender is the leader of this term. */
    private void acceptLeader(Message m) {
        if (role == Role.LEADER) {
            throw new IllegalStateException(self + " is leader of term " + term + " but " + m.from()
                    + " sent " + m.getClass().getSimpleName() + " in the same term");
        }
        if (role != Role.FOLLOWER) {
            becomeFollower(term, m.from());
        }
        leader = m.from();
        electionElapsed = 0;
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
