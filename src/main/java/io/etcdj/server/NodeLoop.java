package io.etcdj.server;

import io.etcdj.peer.ChangeOutcome;
import io.etcdj.peer.JoinRequest;
import io.etcdj.peer.PeerTransport;
import io.etcdj.raft.ConfChange;
import io.etcdj.raft.Entry;
import io.etcdj.raft.Message;
import io.etcdj.raft.ProposalOutcome;
import io.etcdj.raft.RaftNode;
import io.etcdj.raft.ReadState;
import io.etcdj.raft.Ready;
import io.etcdj.raft.Role;
import io.etcdj.raft.Snapshot;
import io.etcdj.raft.SoftState;
import io.etcdj.raft.StepOutcome;
import io.etcdj.store.EtcdException;
import io.etcdj.store.Store;
import io.etcdj.store.StoreSnapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The node loop: the one thread that drives the Raft core. Each turn it runs what the inboxes
 * hold (the node's own follow-ups and peer messages first, then a batch of client requests),
 * ticks when a tick is due, and carries out every {@link Ready} in the order of docs/raft.md:
 * send the leader's appends, persist (fsync), send the rest, hand committed entries to the
 * applier, advance.
 *
 * <p>A Ready that cannot be persisted (the disk is full or fails) stalls the loop rather than stop
 * it ({@link DiskStall}): the Ready is held and tried again with a growing pause, and meanwhile
 * nothing that promises durability goes out and nothing more is applied; a leader hands its
 * leadership to a follower at once; peer messages are dropped, as a partitioned member would lose
 * them, and the core neither ticks nor campaigns, so its unpersisted state does not grow; client
 * writes are refused at once with error 300. Plain reads and watches, served from the store,
 * never wait for the loop. Once the held Ready is persisted the loop goes on where it stopped.
 * Only a broken invariant of our own stops the loop. Messages from the network that do not fit
 * are dropped with a log line.
 */
final class NodeLoop implements Applier.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(NodeLoop.class);
    /** Client tasks run per turn; peer messages and follow-ups always run in full first. */
    private static final int MAX_CLIENT_TASKS_PER_TURN = 8192;
    /** Committed entries the applier may lag behind before new client requests wait in the inbox. */
    private static final long MAX_APPLY_LAG = 100_000;

    private final String self;
    private final long tickNanos;
    private final RaftNode raft;
    private final RaftStorage storage;
    private final Inbox inbox;
    private final Applier applier;
    private final PeerTransport transport;
    private final PeerDirectory peers;
    private final MembershipChanges membershipChanges;
    private final Proposals proposals;
    private final ServerStats stats;
    private final FollowerStats followerStats;
    private final Store store;
    private final Clock clock;
    private final Consumer<Throwable> onFatal;
    private final Thread thread;
    private final DroppedMessages dropped = new DroppedMessages();
    private final RequestDeadlines deadlines = new RequestDeadlines();
    private final DiskStall disk;
    private volatile boolean running = true;

    // Owned by the loop thread.
    private final Map<Long, CompletableFuture<Void>> readRequests = new HashMap<>();
    /** Requests that arrived while no leader was known, retried when one is; dropped at their deadline. */
    private final List<Retry> awaitingLeader = new ArrayList<>();
    /**
     * Commands taken from the inbox and not yet handed to the core. They go to it together
     * ({@link #flushProposals}), so that what arrived in one turn reaches each follower in one
     * append, is fsynced once everywhere and acknowledged with one answer per follower, instead of
     * one message, answer and commit round per command.
     */
    private final List<PendingProposal> pendingProposals = new ArrayList<>();
    private long nextRequestId = new SplittableRandom().nextLong() & Long.MAX_VALUE;
    private long replayedIndex;
    /** The Ready the disk could not persist, with its messages still to send after it; or null. */
    private Ready held;
    private List<Message> heldLate;
    private volatile boolean memberAtStart;
    /** The last snapshot from a peer whose store image was decoded when it arrived. */
    private byte[] validatedData;
    private StoreSnapshot validatedImage;

    // Published for other threads.
    private volatile SoftState softState = new SoftState(null, Role.FOLLOWER);
    private volatile boolean expiryInFlight;
    private volatile long term;

    NodeLoop(String self, long tickMillis, RaftNode raft, RaftStorage storage, Inbox inbox, Applier applier,
             PeerTransport transport, PeerDirectory peers, MembershipChanges membershipChanges, Proposals proposals,
             ServerStats stats, FollowerStats followerStats, Store store, Clock clock, Consumer<Throwable> onFatal) {
        this.self = self;
        this.tickNanos = TimeUnit.MILLISECONDS.toNanos(tickMillis);
        this.raft = raft;
        this.storage = storage;
        this.inbox = inbox;
        this.applier = applier;
        this.transport = transport;
        this.peers = peers;
        this.membershipChanges = membershipChanges;
        this.proposals = proposals;
        this.stats = stats;
        this.followerStats = followerStats;
        this.store = store;
        this.clock = clock;
        this.onFatal = onFatal;
        this.disk = new DiskStall(tickNanos);
        this.thread = new Thread(this::run, "node-loop");
        inbox.consumer(thread);
    }

    /**
     * Before the loop starts: carries out what the restored core holds (committed entries to
     * re-apply). A removal of this machine met here is history, not news: it does not stop it.
     */
    void replay() throws IOException {
        processReadies();
        replayedIndex = raft.appliedIndex();
        memberAtStart = raft.membership().contains(self);
        peers.update(raft.membership(), false);
    }

    void start() {
        thread.start();
        if (raft.membership().size() == 1 && raft.membership().contains(self)) {
            // Alone in the cluster: no one to wait for, take the lead at once (once its disk works).
            inbox.internal(() -> {
                if (!disk.stalled()) {
                    raft.campaign();
                }
            });
        }
    }

    /** Stops the loop after its current turn; never interrupts it (that would close the log mid-write). */
    void stop() {
        running = false;
        inbox.internal(() -> { });
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    SoftState softState() {
        return softState;
    }

    long term() {
        return term;
    }

    /** Whether the disk stalls this machine: it refuses writes until the log can be written again. */
    boolean diskStalled() {
        return disk.stalled();
    }

    /** The error writes are refused with while {@link #diskStalled()}. */
    EtcdException writeRefusal() {
        return disk.refusal(store.index());
    }

    /** Whether this machine was a member as of the log it replayed at start (false after a removal). */
    boolean wasMemberAtStart() {
        return memberAtStart;
    }

    // ---- the loop ----

    private void run() {
        long nextTick = System.nanoTime() + tickNanos;
        List<Runnable> scratch = new ArrayList<>();
        try {
            while (running) {
                boolean clientsWelcome = raft.appliedIndex() - applier.appliedIndex() < MAX_APPLY_LAG;
                inbox.await(nextTick - System.nanoTime(), clientsWelcome);
                inbox.runUrgent();
                if (clientsWelcome) {
                    inbox.runClients(MAX_CLIENT_TASKS_PER_TURN, scratch);
                }
                flushProposals();
                long now = System.nanoTime();
                if (now - nextTick >= 0) {
                    if (held == null) {
                        raft.tick();
                    } else if (disk.retryDue(now)) {
                        retryHeld(now);
                    }
                    nextTick = Math.max(nextTick + tickNanos, now);
                    expireKeys();
                    deadlines.expire(now, this::timedOut);
                    membershipChanges.expireWaiting();
                    awaitingLeader.removeIf(r -> r.future().isDone());
                }
                processReadies();
            }
        } catch (RuntimeException | Error e) {
            LOG.error("stopping: the node loop failed: {}", e.toString(), e);
            running = false;
            onFatal.accept(e);
        }
    }

    private void processReadies() {
        while (held == null) {
            // Commands queued while carrying out the last Ready (retries once a leader is known).
            flushProposals();
            if (!raft.hasReady()) {
                return;
            }
            Ready rd = raft.ready();
            // A leader's appends promise nothing about its own disk (its copy counts toward a quorum
            // only once persisted), so they go out before the fsync, overlapping it (thesis §10.2.1).
            // Everything else, votes above all, waits until what it promises is durable.
            List<Message> early;
            List<Message> late;
            if (raft.isLeader()) {
                early = new ArrayList<>(rd.messages().size());
                late = new ArrayList<>(0);
                for (Message m : rd.messages()) {
                    (m instanceof Message.AppendRequest || m instanceof Message.Heartbeat ? early : late).add(m);
                }
            } else {
                // A follower's or candidate's messages (answers, votes) all promise what it persists.
                early = List.of();
                late = rd.messages();
            }
            send(early);
            if (persisted(rd)) {
                carryOut(rd, late, rd.softState());
            } else {
                held = rd;
                heldLate = late;
            }
        }
    }

    /** Tries the held Ready again; once it is durable the loop goes on where it stopped. */
    private void retryHeld(long now) {
        if (!persisted(held)) {
            return;
        }
        disk.recovered(now);
        Ready rd = held;
        List<Message> late = heldLate;
        held = null;
        heldLate = null;
        // The role may have changed since the Ready was made (a leader stepped down meanwhile).
        carryOut(rd, late, rd.softState() == null ? null : raft.softState());
        processReadies();
    }

    /** Persists a Ready; a failure of the disk stalls the loop instead of stopping it. */
    private boolean persisted(Ready rd) {
        try {
            storage.persist(rd);
            return true;
        } catch (IOException e) {
            if (disk.failed(e, System.nanoTime())) {
                stalled();
            }
            return false;
        }
    }

    /**
     * The disk stalled: what waits on this member cannot be promised any more, and a leader gives
     * way at once to a follower that can write, rather than leave the cluster without a working
     * leader until its followers' election timeout.
     */
    private void stalled() {
        // A write under way may still commit: its entry may have reached the followers already.
        EtcdException why = error(disk.cause() + "; a write under way may or may not "
                + "be applied");
        proposals.failAll(why);
        readRequests.values().forEach(f -> f.completeExceptionally(why));
        readRequests.clear();
        membershipChanges.failAll(why);
        // A lone leader keeps its role: no one could take over, and it goes on at once when it recovers.
        if (raft.isLeader() && raft.membership().size() > 1) {
            Message.TimeoutNow handOver = raft.stepDown();
            if (handOver != null) {
                LOG.warn("handing the leadership to {}: this machine cannot write its log", handOver.to());
                // It promises nothing about our log or vote: it may go out while the Ready is held.
                transport.send(List.of(handOver));
            }
            roleChanged(raft.softState());
        }
    }

    private void carryOut(Ready rd, List<Message> late, SoftState softStateNow) {
        send(late);
        if (rd.snapshot() != null) {
            Snapshot s = rd.snapshot();
            applier.restore(s, s.data() == validatedData ? validatedImage : null);
            validatedData = null;
            validatedImage = null;
        }
        raft.advance(rd);
        if (!rd.committedEntries().isEmpty()) {
            applier.apply(rd.committedEntries(), raft.appliedSnapshotMetadata());
        }
        for (ReadState rs : rd.readStates()) {
            CompletableFuture<Void> f = readRequests.remove(rs.requestId());
            if (f != null) {
                applier.whenApplied(rs.index(), f);
            }
        }
        term = raft.term();
        if (softStateNow != null) {
            roleChanged(softStateNow);
        }
    }

    private void send(List<Message> messages) {
        if (messages.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        int appends = 0;
        for (Message m : messages) {
            if (m instanceof Message.AppendRequest) {
                appends++;
                followerStats.sent(m.to(), now);
            } else if (m instanceof Message.Heartbeat) {
                followerStats.sent(m.to(), now);
            }
            if (m instanceof Message.AppendRequest || m instanceof Message.Heartbeat
                    || m instanceof Message.InstallSnapshot || m instanceof Message.VoteRequest v && !v.preVote()) {
                peers.requestSent(m.to());
            }
        }
        stats.appendSent(appends);
        transport.send(messages);
    }

    // ---- tasks from the inboxes ----

    /**
     * A message from a peer. The core decides what fits (membership included: a member that has
     * not yet applied a new leader's addition must still answer it); what it drops is logged.
     */
    void step(Message m) {
        if (disk.stalled()) {
            disk.droppedMessage();
            dropped.note(m, "the disk of this machine is stalled");
            return;
        }
        if (m instanceof Message.InstallSnapshot && !storage.snapshotsEnabled()) {
            dropped.note(m, "snapshots are off on this machine (-snapshot=false)");
            return;
        }
        long now = System.nanoTime();
        if (m instanceof Message.AppendRequest) {
            stats.appendReceived();
        }
        StepOutcome outcome;
        try {
            outcome = raft.step(m);
        } catch (RuntimeException e) {
            // The core never throws on input by design; should a message still find a way, drop
            // it rather than let a peer stop this member.
            outcome = new StepOutcome.Dropped("the Raft core failed on it: " + e);
        }
        if (outcome instanceof StepOutcome.Dropped d) {
            dropped.note(m, d.reason());
        } else if (m instanceof Message.AppendResponse r) {
            followerStats.answered(r.from(), r.success(), now);
        } else if (m instanceof Message.HeartbeatResponse r) {
            followerStats.answered(r.from(), true, now);
        }
    }

    /** A snapshot from a peer, already decoded into a store image off the loop, then stepped. */
    void stepSnapshot(Message.InstallSnapshot m, StoreSnapshot image) {
        validatedData = m.snapshot().data();
        validatedImage = image;
        step(m);
    }

    /**
     * Bounds a client request's wait for the cluster: still unanswered at {@code deadlineNanos}
     * (see {@link EtcdNode#REQUEST_DEADLINE}), it fails with error 300. The outcome of a write
     * that timed out is unknown: it may still be applied.
     */
    void track(CompletableFuture<?> future, long deadlineNanos) {
        if (System.nanoTime() - deadlineNanos >= 0) {
            future.completeExceptionally(timedOut());
        } else {
            deadlines.track(future, deadlineNanos);
        }
    }

    private EtcdException timedOut() {
        return error("request timed out after " + EtcdNode.REQUEST_DEADLINE.toSeconds()
                + " s: no leader, or no quorum");
    }

    /** Queues a command for the core; it is proposed with the others of this turn. */
    void propose(Command command, CompletableFuture<Object> future) {
        if (future.isDone()) {
            return; // its deadline passed while it waited
        }
        if (disk.stalled()) {
            future.completeExceptionally(disk.refusal(store.index()));
            return;
        }
        pendingProposals.add(new PendingProposal(command, future));
    }

    /** Hands the queued commands to the core in one batch. */
    private void flushProposals() {
        if (pendingProposals.isEmpty()) {
            return;
        }
        List<PendingProposal> batch = new ArrayList<>(pendingProposals);
        pendingProposals.clear();
        if (disk.stalled()) {
            EtcdException refusal = disk.refusal(store.index());
            batch.forEach(p -> p.future().completeExceptionally(refusal));
            return;
        }
        batch.removeIf(p -> p.future().isDone());
        if (batch.isEmpty()) {
            return;
        }
        long[] ids = new long[batch.size()];
        List<byte[]> data = new ArrayList<>(batch.size());
        for (int i = 0; i < ids.length; i++) {
            ids[i] = nextRequestId++;
            data.add(CommandCodec.encode(ids[i], batch.get(i).command()));
        }
        ProposalOutcome outcome = raft.proposeAll(data);
        for (int i = 0; i < ids.length; i++) {
            PendingProposal p = batch.get(i);
            if (outcome instanceof ProposalOutcome.Accepted) {
                proposals.register(ids[i], p.future());
            } else if (outcome instanceof ProposalOutcome.NotLeader nl && nl.leader() == null) {
                // An election is under way: try again as soon as there is a leader (or the deadline).
                awaitingLeader.add(new Retry(p.future(), () -> propose(p.command(), p.future())));
            } else {
                p.future().completeExceptionally(error("not the leader"));
            }
        }
    }

    private record PendingProposal(Command command, CompletableFuture<Object> future) {}

    void read(CompletableFuture<Void> future) {
        if (future.isDone()) {
            return;
        }
        if (disk.stalled()) {
            // A linearizable read needs a leader that can write; plain reads are served meanwhile.
            future.completeExceptionally(disk.refusal(store.index()));
            return;
        }
        long id = nextRequestId++;
        ProposalOutcome outcome = raft.readIndex(id);
        if (outcome instanceof ProposalOutcome.Accepted) {
            readRequests.put(id, future);
        } else if (outcome instanceof ProposalOutcome.NotLeader nl && nl.leader() == null) {
            awaitingLeader.add(new Retry(future, () -> read(future)));
        } else {
            future.completeExceptionally(error("not the leader"));
        }
    }

    private record Retry(CompletableFuture<?> future, Runnable run) {}

    void join(JoinRequest request, CompletableFuture<ChangeOutcome> future) {
        if (disk.stalled()) {
            future.completeExceptionally(disk.refusal(store.index()));
            return;
        }
        membershipChanges.join(request, future);
    }

    void remove(String name, CompletableFuture<ChangeOutcome> future) {
        if (disk.stalled()) {
            future.completeExceptionally(disk.refusal(store.index()));
            return;
        }
        membershipChanges.remove(name, future);
    }

    void peerSeen(String name, String peerUrl) {
        peers.hint(name, peerUrl, raft.membership(), raft.isLeader());
    }

    void unreachable(String member) {
        raft.reportUnreachable(member);
        followerStats.unreachable(member);
    }

    void snapshotSent(String member, boolean delivered) {
        raft.reportSnapshot(member, delivered);
    }

    /** On the leader, expiry is a command like any other, so every member expires the same keys. */
    private void expireKeys() {
        if (expiryInFlight || softState.role() != Role.LEADER || disk.stalled()) {
            return;
        }
        Instant next = store.nextExpiration();
        Instant now = clock.instant();
        if (next != null && !next.isAfter(now)) {
            expiryInFlight = true;
            CompletableFuture<Object> done = new CompletableFuture<>();
            done.whenComplete((r, e) -> expiryInFlight = false);
            propose(new Command.Sync(now), done);
        }
    }

    // ---- follow-ups from the applier (run on the loop through the internal inbox) ----

    @Override
    public void membershipApplied(Entry e) {
        inbox.internal(() -> {
            membershipChanges.applied(e);
            peers.update(raft.membership(), raft.isLeader());
            ConfChange change = ConfChange.fromBytes(e.data());
            if (change.type() == ConfChange.Type.REMOVE_MEMBER && change.member().equals(self)
                    && e.index() > replayedIndex && !raft.membership().contains(self)) {
                removedFromCluster();
            }
        });
    }

    @Override
    public void restored(Snapshot snapshot) {
        inbox.internal(() -> peers.update(raft.membership(), raft.isLeader()));
    }

    @Override
    public void snapshotSaved(Snapshot previous) {
        if (previous == null) {
            return;
        }
        inbox.internal(() -> {
            try {
                int released = storage.releaseBefore(previous);
                raft.compact(previous);
                LOG.debug("released {} log segments before index {}", released, previous.index());
            } catch (IOException e) {
                LOG.warn("cannot release old log segments: {}", e.getMessage());
            }
        });
    }

    @Override
    public void failed(Throwable why) {
        running = false;
        onFatal.accept(why);
    }

    private void removedFromCluster() {
        LOG.warn("this machine was removed from the cluster: stopping");
        running = false;
        failWaiting("this machine was removed from the cluster");
        onFatal.accept(new RemovedFromClusterException());
    }

    private void roleChanged(SoftState s) {
        SoftState before = softState;
        softState = s;
        String state = s.role() == Role.LEADER ? "leader" : s.role() == Role.CANDIDATE ? "candidate" : "follower";
        stats.roleChanged(state, s.leader() == null ? "" : s.leader());
        if (s.role() == Role.LEADER && before.role() != Role.LEADER) {
            LOG.info("became the leader in term {}", raft.term());
            followerStats.clear();
            peers.update(raft.membership(), true);
        } else if (s.leader() != null && !s.leader().equals(before.leader())) {
            LOG.info("following {} in term {}", s.leader(), raft.term());
        } else if (s.leader() == null && before.leader() != null) {
            LOG.info("lost the leader in term {}", raft.term());
        }
        if (s.role() != Role.LEADER && before.role() == Role.LEADER) {
            failWaiting("leadership lost");
        }
        if (s.leader() != null && !awaitingLeader.isEmpty()) {
            List<Retry> retry = new ArrayList<>(awaitingLeader);
            awaitingLeader.clear();
            retry.forEach(r -> r.run().run());
        }
    }

    private void failWaiting(String why) {
        EtcdException err = error(why);
        proposals.failAll(err);
        readRequests.values().forEach(f -> f.completeExceptionally(err));
        readRequests.clear();
        membershipChanges.failAll(err);
        expiryInFlight = false;
    }

    private EtcdException error(String cause) {
        return new EtcdException(EtcdException.RAFT_INTERNAL, cause, store.index());
    }
}
