package io.etcdj.server;

import io.etcdj.peer.ChangeOutcome;
import io.etcdj.peer.JoinRequest;
import io.etcdj.peer.PeerReports;
import io.etcdj.peer.PeerService;
import io.etcdj.peer.PeerTransport;
import io.etcdj.raft.ConfChange;
import io.etcdj.raft.Entry;
import io.etcdj.raft.EntryType;
import io.etcdj.raft.HardState;
import io.etcdj.raft.Message;
import io.etcdj.raft.ProposalOutcome;
import io.etcdj.raft.RaftConfig;
import io.etcdj.raft.RaftNode;
import io.etcdj.raft.ReadState;
import io.etcdj.raft.Ready;
import io.etcdj.raft.RestoredState;
import io.etcdj.raft.Role;
import io.etcdj.raft.Snapshot;
import io.etcdj.raft.SoftState;
import io.etcdj.store.EtcdException;
import io.etcdj.store.Store;
import io.etcdj.wal.LogEntry;
import io.etcdj.wal.WriteAheadLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One etcd machine: drives the Raft core on a single thread (the node loop) and carries out what
 * it asks — persist to the log with fsync, send to peers, apply committed commands to the store —
 * then completes the futures of the clients waiting for those commands.
 *
 * <p>Other threads never touch the core: they put tasks in a bounded inbox. Every loop turn drains
 * the inbox, so proposals that arrive while the previous batch is being fsynced go out together in
 * the next Ready and share one fsync (group commit).
 */
public final class EtcdNode implements EtcdServer, PeerService, PeerReports, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EtcdNode.class);
    private static final int INBOX_CAPACITY = 1 << 16;
    private static final int MAX_TASKS_PER_TURN = 8192;

    /**
     * Settings of the node that are not the Raft core's.
     *
     * @param joinExisting     start without a log as a machine that joins an existing cluster (it
     *                         waits for the leader) rather than as the first member of a new one
     * @param peerClientTls    the TLS context for connections to peers, or null for plain HTTP
     * @param snapshotDir      where snapshots are kept, or null to take none
     * @param snapshotCount    applied entries between two snapshots
     * @param segmentBytes     size at which the log starts a new segment (segments are what
     *                         compaction deletes)
     */
    public record Settings(String name, String peerUrl, String clientUrl, Path logDir, long tickMillis,
                           int heartbeatTicks, int electionTicks, int maxClusterSize, boolean joinExisting,
                           io.netty.handler.ssl.SslContext peerClientTls, Path snapshotDir, int snapshotCount,
                           long segmentBytes) {}

    private final Settings settings;
    private final Clock clock;
    private final Store store;
    private final Registry registry;
    private final WriteAheadLog wal;
    private final Snapshots snapshots;
    private final RaftNode raft;
    private final ServerStats stats;
    private final FollowerStats followerStats = new FollowerStats();
    private final StateMachine stateMachine;
    private final MembershipChanges membershipChanges;
    private final PeerTransport transport;
    private final Consumer<Throwable> onFatal;
    private final BlockingQueue<Runnable> inbox = new ArrayBlockingQueue<>(INBOX_CAPACITY);
    private final Thread loop;
    private volatile boolean running = true;

    // Owned by the node loop thread only.
    private final Map<Long, CompletableFuture<Object>> waiting = new HashMap<>();
    private final Map<Long, CompletableFuture<Void>> readRequests = new HashMap<>();
    private final ArrayDeque<PendingRead> confirmedReads = new ArrayDeque<>();
    private final List<Runnable> awaitingLeader = new ArrayList<>();
    /** Peer URLs learned before the log tells them (a new machine must answer its leader at once). */
    private final Map<String, String> peerHints = new HashMap<>();
    private long nextRequestId;
    private boolean syncInFlight;

    // Published for other threads.
    private volatile SoftState softState = new SoftState(null, Role.FOLLOWER);
    private volatile long appliedIndex;
    private volatile long term;
    private volatile long commitIndex;

    private record PendingRead(long index, CompletableFuture<Void> future) {}

    private EtcdNode(Settings settings, Clock clock, Store store, WriteAheadLog wal, Snapshots snapshots,
                     RaftNode raft, Consumer<Throwable> onFatal) {
        this.settings = settings;
        this.snapshots = snapshots;
        this.clock = clock;
        this.store = store;
        this.registry = new Registry(store);
        this.stateMachine = new StateMachine(store, registry, settings.maxClusterSize());
        this.membershipChanges = new MembershipChanges(raft, registry, store, settings.maxClusterSize(),
                this::leaderPeerUrl);
        this.wal = wal;
        this.raft = raft;
        this.onFatal = onFatal;
        this.stats = new ServerStats(settings.name(), clock.instant());
        this.transport = new PeerTransport(settings.name(), this, settings.peerClientTls());
        this.transport.advertise(settings.peerUrl());
        this.nextRequestId = new SplittableRandom().nextLong() & Long.MAX_VALUE;
        this.loop = new Thread(this::run, "node-loop");
    }

    /** Starts the node; a failure of its loop halts the process (see the other overload). */
    public static EtcdNode start(Settings settings, Clock clock) throws IOException {
        // A failed fsync or a broken invariant: going on could acknowledge what is not durable.
        return start(settings, clock, e -> Runtime.getRuntime().halt(2));
    }

    /**
     * Opens the log, replays every committed command into a new store and starts the loop. When
     * this returns the store holds everything the node ever acknowledged.
     *
     * @param onFatal what to do when the node loop fails or this machine is removed from the
     *                cluster (the loop has stopped by then)
     */
    public static EtcdNode start(Settings settings, Clock clock, Consumer<Throwable> onFatal) throws IOException {
        Snapshots snapshots = Snapshots.open(settings.snapshotDir(), settings.snapshotCount());
        io.etcdj.wal.SnapshotRecord newest = snapshots.newest();
        WriteAheadLog wal = WriteAheadLog.open(settings.logDir(), newest == null ? 0 : newest.index(),
                newest == null ? 0 : newest.term(), settings.segmentBytes());
        RaftConfig raftConfig = RaftConfig.defaults(settings.name(), new SplittableRandom())
                .withTicks(settings.electionTicks(), settings.heartbeatTicks());
        RaftNode raft;
        boolean fresh = newest == null && wal.entries().isEmpty() && wal.hardState().term() == 0;
        Store store = new Store(clock);
        if (fresh && settings.joinExisting()) {
            raft = RaftNode.create(raftConfig, RestoredState.EMPTY);
            LOG.info("starting as a new machine of an existing cluster");
        } else if (fresh) {
            raft = RaftNode.bootstrap(raftConfig, List.of(ConfChange.add(settings.name(), joinContext(settings))));
            LOG.info("starting a new cluster with this machine as its only member");
        } else {
            List<Entry> entries = new ArrayList<>(wal.entries().size());
            for (LogEntry e : wal.entries()) {
                entries.add(new Entry(e.index(), e.term(), EntryType.values()[e.type()], e.data()));
            }
            io.etcdj.wal.HardState hs = wal.hardState();
            Snapshot snapshot = null;
            if (newest != null) {
                snapshot = Snapshots.toRaft(newest);
                store.recover(newest.data());
                LOG.info("store restored from the snapshot at index {}", newest.index());
            }
            raft = RaftNode.create(raftConfig,
                    new RestoredState(new HardState(hs.term(), hs.vote(), hs.commit()), snapshot, entries));
            LOG.info("replaying {} log entries (commit index {})", entries.size(), hs.commit());
        }
        EtcdNode node = new EtcdNode(settings, clock, store, wal, snapshots, raft, onFatal);
        if (newest != null) {
            node.registry.reload();
            node.appliedIndex = newest.index();
            snapshots.restored(newest);
        }
        long replayFrom = System.nanoTime();
        node.processReadies();
        node.updatePeers();
        LOG.info("store recovered at index {} (raft index {}) in {} ms", node.store.index(), node.appliedIndex,
                (System.nanoTime() - replayFrom) / 1_000_000);
        node.loop.start();
        if (raft.membership().size() == 1 && raft.membership().contains(settings.name())) {
            // Alone in the cluster: no one to wait for, take the lead at once.
            node.submit(raft::campaign);
        }
        return node;
    }

    private static byte[] joinContext(Settings s) {
        return CommandCodec.encode(0, new Command.Join(s.name(), s.peerUrl(), s.clientUrl()));
    }

    // ---- EtcdServer ----

    @Override
    public String name() {
        return settings.name();
    }

    @Override
    public Store store() {
        return store;
    }

    @Override
    public CompletableFuture<Object> propose(Command command) {
        CompletableFuture<Object> future = new CompletableFuture<>();
        if (!submit(() -> proposeOnLoop(command, future))) {
            future.completeExceptionally(new EtcdException(300, "too many pending requests", store.index()));
        }
        return future;
    }

    @Override
    public CompletableFuture<Void> linearizableRead() {
        CompletableFuture<Void> future = new CompletableFuture<>();
        if (!submit(() -> readOnLoop(future))) {
            future.completeExceptionally(new EtcdException(300, "too many pending requests", store.index()));
        }
        return future;
    }

    @Override
    public boolean isLeader() {
        return softState.role() == Role.LEADER;
    }

    @Override
    public String leaderPeerUrl() {
        Registry.Machine m = leaderMachine();
        return m == null ? "" : m.peerUrl();
    }

    @Override
    public String leaderClientUrl() {
        Registry.Machine m = leaderMachine();
        return m == null ? "" : m.clientUrl();
    }

    private Registry.Machine leaderMachine() {
        String leader = softState.leader();
        return leader == null ? null : registry.lookup(leader);
    }

    @Override
    public List<String> clientUrls() {
        return registry.clientUrls(softState.leader());
    }

    @Override
    public long raftIndex() {
        return appliedIndex;
    }

    @Override
    public long raftTerm() {
        return term;
    }

    @Override
    public String selfStatsJson() {
        return stats.json();
    }

    @Override
    public String leaderStatsJson() {
        String leader = softState.leader();
        return followerStats.json(leader == null ? "" : leader);
    }

    public Registry registry() {
        return registry;
    }

    /** The highest index this machine has applied to its store. */
    public long appliedIndex() {
        return appliedIndex;
    }

    /** Fsyncs of the log since start: with group commit, fewer than the writes acknowledged. */
    public long logSyncs() {
        return wal.syncCount();
    }

    // ---- PeerService and PeerReports (called from network threads) ----

    @Override
    public String clientUrl() {
        return settings.clientUrl();
    }

    @Override
    public String peerUrl() {
        return settings.peerUrl();
    }

    @Override
    public void receive(Message m) {
        // When the inbox is full the message is dropped: Raft recovers from lost messages.
        submit(() -> stepOnLoop(m));
    }

    @Override
    public void peerSeen(String name, String peerUrl) {
        learnPeer(name, peerUrl);
    }

    @Override
    public CompletableFuture<ChangeOutcome> join(JoinRequest request) {
        CompletableFuture<ChangeOutcome> future = new CompletableFuture<>();
        if (!submit(() -> membershipChanges.join(request, future))) {
            future.completeExceptionally(new EtcdException(300, "too many pending requests", store.index()));
        }
        return future;
    }

    @Override
    public CompletableFuture<ChangeOutcome> remove(String name) {
        CompletableFuture<ChangeOutcome> future = new CompletableFuture<>();
        if (!submit(() -> membershipChanges.remove(name, future))) {
            future.completeExceptionally(new EtcdException(300, "too many pending requests", store.index()));
        }
        return future;
    }

    @Override
    public void unreachable(String member) {
        submit(() -> {
            raft.reportUnreachable(member);
            followerStats.unreachable(member);
        });
    }

    @Override
    public void snapshotSent(String member, boolean delivered) {
        submit(() -> raft.reportSnapshot(member, delivered));
    }

    @Override
    public void close() {
        // No interrupt: it would close the log's file channel in the middle of a write. The loop
        // wakes at least once a tick and sees the flag.
        running = false;
        try {
            loop.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        transport.close();
        snapshots.close();
        try {
            wal.close();
        } catch (IOException e) {
            LOG.warn("closing the log: {}", e.getMessage());
        }
    }

    // ---- the node loop ----

    private boolean submit(Runnable task) {
        return inbox.offer(task);
    }

    private void run() {
        long tickNanos = TimeUnit.MILLISECONDS.toNanos(settings.tickMillis());
        long nextTick = System.nanoTime() + tickNanos;
        List<Runnable> batch = new ArrayList<>();
        try {
            while (running) {
                long wait = nextTick - System.nanoTime();
                Runnable first = wait > 0 ? inbox.poll(wait, TimeUnit.NANOSECONDS) : inbox.poll();
                if (first != null) {
                    first.run();
                    inbox.drainTo(batch, MAX_TASKS_PER_TURN);
                    for (Runnable task : batch) {
                        task.run();
                    }
                    batch.clear();
                }
                long now = System.nanoTime();
                if (now - nextTick >= 0) {
                    raft.tick();
                    nextTick = Math.max(nextTick + tickNanos, now);
                    expireKeys();
                }
                processReadies();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException | Error e) {
            LOG.error("stopping: the node loop failed: {}", e.toString(), e);
            running = false;
            onFatal.accept(e);
        }
    }

    private void stepOnLoop(Message m) {
        if (!m.to().equals(settings.name())) {
            return;
        }
        long now = System.nanoTime();
        if (m instanceof Message.AppendRequest) {
            stats.appendReceived();
        } else if (m instanceof Message.AppendResponse r) {
            followerStats.answered(r.from(), r.success(), now);
        } else if (m instanceof Message.HeartbeatResponse r) {
            followerStats.answered(r.from(), true, now);
        }
        raft.step(m);
    }

    private void proposeOnLoop(Command command, CompletableFuture<Object> future) {
        long id = nextRequestId++;
        ProposalOutcome outcome = raft.propose(CommandCodec.encode(id, command));
        if (outcome instanceof ProposalOutcome.Accepted) {
            waiting.put(id, future);
        } else if (outcome instanceof ProposalOutcome.NotLeader nl && nl.leader() == null) {
            // An election is under way: try again as soon as there is a leader.
            awaitingLeader.add(() -> proposeOnLoop(command, future));
        } else {
            future.completeExceptionally(new EtcdException(300, "not the leader", store.index()));
        }
    }

    private void readOnLoop(CompletableFuture<Void> future) {
        long id = nextRequestId++;
        ProposalOutcome outcome = raft.readIndex(id);
        if (outcome instanceof ProposalOutcome.Accepted) {
            readRequests.put(id, future);
        } else if (outcome instanceof ProposalOutcome.NotLeader nl && nl.leader() == null) {
            awaitingLeader.add(() -> readOnLoop(future));
        } else {
            future.completeExceptionally(new EtcdException(300, "not the leader", store.index()));
        }
    }

    /** On the leader, expiry is a command like any other, so every member expires the same keys. */
    private void expireKeys() {
        if (syncInFlight || softState.role() != Role.LEADER) {
            return;
        }
        Instant next = store.nextExpiration();
        Instant now = clock.instant();
        if (next != null && !next.isAfter(now)) {
            syncInFlight = true;
            CompletableFuture<Object> done = new CompletableFuture<>();
            proposeOnLoop(new Command.Sync(now), done);
            done.whenComplete((r, e) -> syncInFlight = false);
        }
    }

    private void processReadies() throws IOException {
        while (raft.hasReady()) {
            Ready rd = raft.ready();
            // A leader's appends promise nothing about its own disk (its copy counts toward a quorum
            // only once persisted), so they go out before the fsync, overlapping it (thesis §10.2.1).
            // Everything else, votes above all, waits until what it promises is durable.
            List<Message> early = new ArrayList<>();
            List<Message> late = new ArrayList<>();
            for (Message m : rd.messages()) {
                (raft.isLeader() && (m instanceof Message.AppendRequest || m instanceof Message.Heartbeat)
                        ? early : late).add(m);
            }
            send(early);
            persist(rd);
            send(late);
            boolean membershipChanged = false;
            boolean removed = false;
            for (Entry e : rd.committedEntries()) {
                if (e.type() == EntryType.CONF_CHANGE) {
                    membershipChanged = true;
                    ConfChange change = ConfChange.fromBytes(e.data());
                    // Only the removal of this machine means it is out: a new machine replaying
                    // the log sees a membership without itself until its own addition comes.
                    removed |= change.type() == ConfChange.Type.REMOVE_MEMBER
                            && change.member().equals(settings.name());
                }
                apply(e);
            }
            for (ReadState rs : rd.readStates()) {
                CompletableFuture<Void> f = readRequests.remove(rs.requestId());
                if (f != null) {
                    confirmedReads.add(new PendingRead(rs.index(), f));
                }
            }
            raft.advance(rd);
            term = raft.term();
            commitIndex = raft.commitIndex();
            answerReads();
            maybeSnapshot();
            if (membershipChanged) {
                updatePeers();
                if (removed && !raft.membership().contains(settings.name())) {
                    removedFromCluster();
                    return;
                }
            }
            if (rd.softState() != null) {
                roleChanged(rd.softState());
            }
        }
    }

    private void persist(Ready rd) throws IOException {
        if (rd.snapshot() != null) {
            installSnapshot(rd.snapshot());
        }
        io.etcdj.wal.HardState hs = null;
        if (rd.hardState() != null) {
            HardState h = rd.hardState();
            hs = new io.etcdj.wal.HardState(h.term(), h.vote(), h.commit());
        }
        List<LogEntry> entries = new ArrayList<>(rd.entries().size());
        for (Entry e : rd.entries()) {
            entries.add(new LogEntry(e.index(), e.term(), e.type().ordinal(), e.data()));
        }
        wal.save(hs, entries, rd.mustSync() || !entries.isEmpty());
    }

    /** A snapshot from the leader replaces the store and the log (this machine was far behind). */
    private void installSnapshot(Snapshot snapshot) throws IOException {
        if (!snapshots.enabled()) {
            throw new IllegalStateException("received a snapshot but snapshots are off on this machine");
        }
        LOG.info("installing the leader's snapshot at index {} (term {})", snapshot.index(), snapshot.term());
        snapshots.install(snapshot);
        wal.resetTo(snapshot.index(), snapshot.term());
        store.recover(snapshot.data());
        registry.reload();
        appliedIndex = snapshot.index();
        updatePeers();
    }

    /**
     * Every {@code snapshotCount} applied entries: serialize the store here (a consistent view, the
     * only pause writes see), write and fsync the file on another thread, then drop the log before
     * the previous snapshot (keeping one older snapshot usable as a fallback).
     */
    private void maybeSnapshot() {
        if (!snapshots.due(appliedIndex)) {
            return;
        }
        io.etcdj.raft.SnapshotMetadata meta = raft.appliedSnapshotMetadata();
        long started = System.nanoTime();
        byte[] data = store.save();
        long pauseMicros = (System.nanoTime() - started) / 1000;
        snapshots.saveInBackground(new Snapshot(meta, data), pauseMicros, previous -> submit(() -> {
            if (previous != null) {
                try {
                    int released = wal.releaseBefore(previous.index());
                    raft.compact(previous);
                    LOG.debug("released {} log segments before index {}", released, previous.index());
                } catch (IOException e) {
                    LOG.warn("cannot release old log segments: {}", e.getMessage());
                }
            }
        }));
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
        }
        stats.appendSent(appends);
        transport.send(messages);
    }

    private void apply(Entry e) {
        if (e.type() == EntryType.CONF_CHANGE) {
            stateMachine.applyMembership(ConfChange.fromBytes(e.data()));
            membershipChanges.applied(e);
        } else if (!e.isNoop()) {
            CommandCodec.Proposal p = CommandCodec.decode(e.data());
            Object result;
            try {
                result = stateMachine.execute(p.command());
            } catch (EtcdException err) {
                result = err;
            }
            CompletableFuture<Object> f = waiting.remove(p.requestId());
            if (f != null) {
                if (result instanceof EtcdException err) {
                    f.completeExceptionally(err);
                } else {
                    f.complete(result);
                }
            }
        }
        appliedIndex = e.index();
    }

    /**
     * Tells the node where a machine listens before the log does: a new machine must be able to
     * answer the leader that sends it the log, or the leader never learns how far behind it is.
     */
    public void learnPeer(String name, String peerUrl) {
        if (!name.equals(settings.name()) && !peerUrl.isEmpty()) {
            submit(() -> {
                if (!peerUrl.equals(peerHints.put(name, peerUrl))) {
                    updatePeers();
                }
            });
        }
    }

    private void updatePeers() {
        Map<String, String> peers = new HashMap<>();
        peerHints.keySet().removeIf(name -> registry.lookup(name) != null);
        peers.putAll(peerHints);
        for (String member : raft.membership().members()) {
            if (!member.equals(settings.name())) {
                Registry.Machine m = registry.lookup(member);
                if (m != null) {
                    peers.put(member, m.peerUrl());
                }
            }
        }
        transport.updatePeers(peers);
        if (raft.isLeader()) {
            List<String> followers = new ArrayList<>(raft.membership().members());
            followers.remove(settings.name());
            followerStats.retain(followers);
        }
    }

    private void removedFromCluster() {
        LOG.warn("this machine was removed from the cluster: stopping");
        running = false;
        failWaiting("this machine was removed from the cluster");
        onFatal.accept(new IllegalStateException("removed from the cluster"));
    }

    private void answerReads() {
        while (!confirmedReads.isEmpty() && confirmedReads.peek().index() <= appliedIndex) {
            confirmedReads.poll().future().complete(null);
        }
    }

    private void roleChanged(SoftState s) {
        SoftState before = softState;
        softState = s;
        String state = s.role() == Role.LEADER ? "leader" : s.role() == Role.CANDIDATE ? "candidate" : "follower";
        stats.roleChanged(state, s.leader() == null ? "" : s.leader());
        if (s.role() == Role.LEADER && before.role() != Role.LEADER) {
            LOG.info("became the leader in term {}", raft.term());
            followerStats.clear();
            updatePeers();
        } else if (s.leader() != null && !s.leader().equals(before.leader())) {
            LOG.info("following {} in term {}", s.leader(), raft.term());
        } else if (s.leader() == null && before.leader() != null) {
            LOG.info("lost the leader in term {}", raft.term());
        }
        if (s.role() != Role.LEADER && before.role() == Role.LEADER) {
            failWaiting("leadership lost");
        }
        if (s.leader() != null && !awaitingLeader.isEmpty()) {
            List<Runnable> retry = new ArrayList<>(awaitingLeader);
            awaitingLeader.clear();
            retry.forEach(Runnable::run);
        }
    }

    private void failWaiting(String why) {
        EtcdException err = new EtcdException(300, why, store.index());
        waiting.values().forEach(f -> f.completeExceptionally(err));
        waiting.clear();
        readRequests.values().forEach(f -> f.completeExceptionally(err));
        readRequests.clear();
        membershipChanges.failAll(err);
        syncInFlight = false;
    }
}
