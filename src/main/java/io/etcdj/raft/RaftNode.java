package io.etcdj.raft;

import io.etcdj.raft.ProposalOutcome.Accepted;
import io.etcdj.raft.ProposalOutcome.NotLeader;
import io.etcdj.raft.ProposalOutcome.Refused;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One member of a Raft cluster as a deterministic state machine: no threads, clocks, I/O or
 * randomness of its own. Inputs are {@link #tick()}, {@link #step(Message)}, {@link #propose},
 * {@link #proposeMembershipChange}, {@link #readIndex} and {@link #campaign()}; everything they
 * require of the outside world comes out as one {@link Ready} at a time, which the caller carries
 * out (see {@link Ready} for the order) and acknowledges with {@link #advance(Ready)}.
 *
 * <p>Contract: one thread drives a node. {@code ready()} may not be called again before the
 * previous Ready is advanced ({@link #hasReady()} is false meanwhile); other inputs are allowed in
 * between and their effects show in the next Ready. On {@code advance}: the Ready's entries count
 * as persisted (a leader counts its own copy toward a quorum only from then on), its snapshot as
 * persisted, and its committed entries as applied (membership changes among them take effect).
 */
public final class RaftNode {
    private final Raft raft;
    private SoftState lastSoftState;
    private HardState lastHardState;
    private Ready outstanding;
    private long dropped;

    private RaftNode(Raft raft, HardState persisted) {
        this.raft = raft;
        this.lastHardState = persisted;
        this.lastSoftState = raft.softState();
    }

    /**
     * A member restarting from its persisted state, or joining an existing cluster with
     * {@link RestoredState#EMPTY} (it then waits for the leader, which adds it by a
     * {@link ConfChange}, to send it the log). Membership is that of the snapshot (or empty) and
     * follows the membership changes as they are applied again. The node starts as a follower
     * without a leader ({@link #softState()}); Readies report soft state only when it changes.
     */
    public static RaftNode create(RaftConfig config, RestoredState state) {
        Snapshot snapshot = state.snapshot();
        RaftLog log = new RaftLog(snapshot, state.entries(), state.hardState().commit());
        Membership membership = snapshot == null ? Membership.EMPTY : snapshot.metadata().membership();
        return new RaftNode(new Raft(config, log, state.hardState(), membership), state.hardState());
    }

    /**
     * The first start of a member of a brand-new cluster. Every initial member must bootstrap with
     * the same list (in any order): the log starts with one committed {@code ADD_MEMBER} entry per
     * member at term 1, sorted by name, so all logs agree. The first Ready carries them.
     */
    public static RaftNode bootstrap(RaftConfig config, List<ConfChange> initialMembers) {
        List<ConfChange> sorted = new ArrayList<>(initialMembers);
        sorted.sort(Comparator.comparing(ConfChange::member));
        Set<String> names = new HashSet<>();
        for (ConfChange cc : sorted) {
            if (cc.type() != ConfChange.Type.ADD_MEMBER || !names.add(cc.member())) {
                throw new IllegalArgumentException("initial members must be distinct additions: " + initialMembers);
            }
        }
        if (!names.contains(config.name())) {
            throw new IllegalArgumentException(config.name() + " is not among the initial members " + names);
        }
        RaftLog log = new RaftLog(null, List.of(), 0);
        for (int i = 0; i < sorted.size(); i++) {
            log.append(new Entry(i + 1, 1, EntryType.CONF_CHANGE, sorted.get(i).toBytes()));
        }
        log.commitTo(sorted.size());
        Raft raft = new Raft(config, log, new HardState(1, HardState.NO_VOTE, 0), Membership.of(names));
        return new RaftNode(raft, HardState.EMPTY);
    }

    /** {@link #bootstrap(RaftConfig, List)} with members that carry no context. */
    public static RaftNode bootstrapMembers(RaftConfig config, List<String> initialMembers) {
        List<ConfChange> changes = new ArrayList<>();
        for (String name : initialMembers) {
            changes.add(ConfChange.add(name, null));
        }
        return bootstrap(config, changes);
    }

    /** Advances logical time by one tick: election timeouts, heartbeats, CheckQuorum. */
    public void tick() {
        raft.tick();
    }

    /** Starts an election now instead of waiting for the timeout; ignored on a leader or non-member. */
    public void campaign() {
        raft.election.campaign(raft.config.preVote(), false);
    }

    /**
     * Gives up leadership at once, for a leader that can no longer carry out its Readies (its disk
     * fails): steps down to follower in the same term, so it takes no more proposals, and asks
     * its most up-to-date follower to campaign now (TimeoutNow, §3.10 of the thesis) rather than
     * leave the cluster waiting an election timeout. Voting still decides who leads: a follower
     * that lacks committed entries cannot win.
     *
     * <p>The message is returned instead of queued for the next Ready: it promises nothing about
     * this member's log or vote, so the caller may send it while a Ready is outstanding.
     *
     * @return the TimeoutNow to send, or null when this member does not lead or has no follower
     */
    public Message.TimeoutNow stepDown() {
        if (raft.role != Role.LEADER) {
            return null;
        }
        String to = raft.replication.bestFollower();
        raft.becomeFollower(raft.term, null);
        return to == null ? null : new Message.TimeoutNow(raft.self, to, raft.term);
    }

    /**
     * Handles a message received from another member. Never throws on what a peer sent: a
     * message that does not fit this member's state is dropped without changing anything and
     * counted in {@link #droppedMessages()}.
     *
     * @return {@link StepOutcome#TAKEN}, or {@link StepOutcome.Dropped} with the reason to log
     */
    public StepOutcome step(Message m) {
        Objects.requireNonNull(m, "message");
        String reason = m.to().equals(raft.self) ? raft.step(m) : "it is addressed to " + m.to();
        if (reason == null) {
            return StepOutcome.TAKEN;
        }
        dropped++;
        return new StepOutcome.Dropped(reason);
    }

    /** Messages {@link #step} has dropped since this node was created. */
    public long droppedMessages() {
        return dropped;
    }

    /**
     * Appends a client command to the log, on the leader only (§5.3).
     *
     * @param data the command, non-empty (empty entries are the leader's no-ops)
     */
    public ProposalOutcome propose(byte[] data) {
        Objects.requireNonNull(data, "data");
        if (data.length == 0) {
            throw new IllegalArgumentException("a proposal must carry data");
        }
        if (raft.role != Role.LEADER) {
            return new NotLeader(raft.leader);
        }
        Entry e = raft.replication.propose(EntryType.NORMAL, data);
        return new Accepted(e.index(), e.term());
    }

    /**
     * Appends several client commands to the log at once, on the leader only, in the given order
     * at consecutive indexes. Each follower gets them in one append rather than one per command,
     * so a server that gathers the commands that arrived together sends, fsyncs and acknowledges
     * them together.
     *
     * @param data the commands, each non-empty; none is appended if any is empty
     * @return {@link Accepted} naming the index of the last command (the first is at
     *         {@code index - data.size() + 1}), or {@link NotLeader}
     */
    public ProposalOutcome proposeAll(List<byte[]> data) {
        Objects.requireNonNull(data, "data");
        if (data.isEmpty()) {
            throw new IllegalArgumentException("no proposals");
        }
        for (byte[] d : data) {
            if (d == null || d.length == 0) {
                throw new IllegalArgumentException("a proposal must carry data");
            }
        }
        if (raft.role != Role.LEADER) {
            return new NotLeader(raft.leader);
        }
        Entry last = raft.replication.proposeAll(data);
        return new Accepted(last.index(), last.term());
    }

    /** Proposes adding or removing one member; see {@link ConfChange} for when it takes effect. */
    public ProposalOutcome proposeMembershipChange(ConfChange change) {
        Objects.requireNonNull(change, "change");
        if (raft.role != Role.LEADER) {
            return new NotLeader(raft.leader);
        }
        if (raft.pendingConfIndex > raft.log.applied()) {
            return new Refused("a membership change is in progress until index " + raft.pendingConfIndex
                    + " is applied");
        }
        Membership current = raft.tracker.membership();
        switch (change.type()) {
            case ADD_MEMBER -> {
                if (current.contains(change.member())) {
                    return new Refused(change.member() + " is already a member");
                }
            }
            case REMOVE_MEMBER -> {
                if (!current.contains(change.member())) {
                    return new Refused(change.member() + " is not a member");
                }
                if (current.size() == 1) {
                    return new Refused("cannot remove the last member");
                }
            }
        }
        Entry e = raft.replication.propose(EntryType.CONF_CHANGE, change.toBytes());
        raft.pendingConfIndex = e.index();
        return new Accepted(e.index(), e.term());
    }

    /**
     * Asks for a linearizable read point (§6.4 of the thesis). On the leader the answer comes as a
     * {@link ReadState} with this id in a later Ready (at once for a single member); if leadership
     * is lost first, no answer comes and the server should fail the read when its
     * {@link SoftState} shows another role. A follower does not forward: it answers
     * {@link NotLeader} so the server can redirect to the leader.
     */
    public ProposalOutcome readIndex(long requestId) {
        if (raft.role != Role.LEADER) {
            return new NotLeader(raft.leader);
        }
        return new Accepted(raft.replication.readIndex(requestId), raft.term);
    }

    /** Whether there is something to persist, send, apply or report, and no Ready is outstanding. */
    public boolean hasReady() {
        if (outstanding != null) {
            return false;
        }
        return !raft.outbox.isEmpty()
                || raft.replication.commitToBroadcast
                || !raft.readStates.isEmpty()
                || raft.log.hasCommittedToHandOut()
                || raft.log.unstableSnapshot() != null
                || raft.log.stable() < raft.log.lastIndex()
                || raft.role != lastSoftState.role()
                || !Objects.equals(raft.leader, lastSoftState.leader())
                || raft.term != lastHardState.term()
                || !raft.vote.equals(lastHardState.vote())
                || raft.log.committed() != lastHardState.commit();
    }

    /** What to persist, send and apply now; must be followed by {@link #advance(Ready)}. */
    public Ready ready() {
        if (outstanding != null) {
            throw new IllegalStateException("the previous Ready has not been advanced");
        }
        raft.replication.flushCommit();
        SoftState soft = raft.softState();
        HardState hard = raft.hardState();
        List<Entry> entries = raft.log.unstableEntries();
        Snapshot snapshot = raft.log.unstableSnapshot();
        boolean mustSync = !entries.isEmpty() || snapshot != null || hard.termOrVoteDiffer(lastHardState);
        List<Message> messages = raft.outbox;
        raft.outbox = new ArrayList<>();
        List<ReadState> readStates = raft.readStates;
        raft.readStates = new ArrayList<>();
        Ready rd = new Ready(soft.equals(lastSoftState) ? null : soft, hard.equals(lastHardState) ? null : hard,
                entries, snapshot, raft.log.takeCommitted(), messages, readStates, mustSync);
        lastSoftState = soft;
        lastHardState = hard;
        outstanding = rd;
        return rd;
    }

    /** Acknowledges that the given Ready, the last one returned, has been carried out. */
    public void advance(Ready rd) {
        if (rd != outstanding) {
            throw new IllegalStateException("advance of a Ready that is not the outstanding one");
        }
        outstanding = null;
        if (rd.snapshot() != null) {
            raft.log.snapshotPersisted(rd.snapshot());
        }
        if (!rd.entries().isEmpty()) {
            Entry last = rd.entries().get(rd.entries().size() - 1);
            raft.log.stableTo(last.index(), last.term());
            if (raft.role == Role.LEADER) {
                raft.replication.persisted(raft.log.stable());
            }
        }
        for (Entry e : rd.committedEntries()) {
            if (e.index() <= raft.log.applied()) {
                continue; // superseded by a snapshot installed meanwhile
            }
            if (e.type() == EntryType.CONF_CHANGE) {
                raft.applyConfChange(ConfChange.fromBytes(e.data()));
            }
            raft.log.appliedTo(e.index());
        }
    }

    /**
     * Discards the in-memory log up to a snapshot the server took of its applied state (built
     * from {@link #appliedSnapshotMetadata()}); the snapshot is kept to catch up followers that
     * need what was discarded.
     */
    public void compact(Snapshot snapshot) {
        raft.log.compact(snapshot);
    }

    /** Metadata for a snapshot of the state machine as applied now (call after {@code advance}). */
    public SnapshotMetadata appliedSnapshotMetadata() {
        long applied = raft.log.applied();
        return new SnapshotMetadata(applied, raft.log.term(applied), raft.tracker.membership());
    }

    /** The transport reports whether a snapshot reached {@code member}; the leader resumes probing. */
    public void reportSnapshot(String member, boolean success) {
        if (raft.role == Role.LEADER) {
            raft.replication.reportSnapshot(member, success);
        }
    }

    /** The transport could not reach {@code member}; the leader stops pipelining to it. */
    public void reportUnreachable(String member) {
        if (raft.role == Role.LEADER) {
            raft.replication.reportUnreachable(member);
        }
    }

    /** This member's name. */
    public String name() {
        return raft.self;
    }

    /** The current term (§5.1). */
    public long term() {
        return raft.term;
    }

    /** The known leader of the current term, or {@code null}. */
    public String leader() {
        return raft.leader;
    }

    /** This member's role in the current term. */
    public Role role() {
        return raft.role;
    }

    /** Whether this member leads the current term. */
    public boolean isLeader() {
        return raft.role == Role.LEADER;
    }

    /** The membership in effect (as of the applied index). */
    public Membership membership() {
        return raft.tracker.membership();
    }

    /** Highest index known to be committed. */
    public long commitIndex() {
        return raft.log.committed();
    }

    /** Highest index applied, i.e. handed out in committedEntries and advanced. */
    public long appliedIndex() {
        return raft.log.applied();
    }

    /** Index of the last entry in the log, persisted or not. */
    public long lastIndex() {
        return raft.log.lastIndex();
    }

    /** The hard state as of now (the last Ready may not have persisted it yet). */
    public HardState hardState() {
        return raft.hardState();
    }

    /** Leader and role as of now. */
    public SoftState softState() {
        return raft.softState();
    }

    /** Term of the entry at {@code index} in this member's log, or -1 if compacted or absent. */
    public long termAt(long index) {
        return raft.log.term(index);
    }
}
