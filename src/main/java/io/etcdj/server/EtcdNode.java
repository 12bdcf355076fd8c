package io.etcdj.server;

import io.etcdj.peer.ChangeOutcome;
import io.etcdj.peer.JoinRequest;
import io.etcdj.peer.PeerReports;
import io.etcdj.peer.PeerService;
import io.etcdj.peer.PeerTransport;
import io.etcdj.raft.ConfChange;
import io.etcdj.raft.Message;
import io.etcdj.raft.RaftConfig;
import io.etcdj.raft.RaftNode;
import io.etcdj.raft.RestoredState;
import io.etcdj.raft.Snapshot;
import io.etcdj.store.EtcdException;
import io.etcdj.store.Store;
import io.etcdj.store.StoreSnapshot;
import io.etcdj.wal.SnapshotRecord;
import io.etcdj.wal.WriteAheadLog;
import io.netty.handler.ssl.SslContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * One etcd machine, wired from its parts: the {@link NodeLoop} drives the Raft core and persists
 * through {@link RaftStorage}; the {@link Applier} applies committed commands to the store; the
 * {@link PeerTransport} carries messages. This class starts them (replaying the log), and is what
 * the client and peer listeners talk to: every call hands a task to the loop's {@link Inbox}.
 */
public final class EtcdNode implements EtcdServer, PeerService, PeerReports, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EtcdNode.class);

    /**
     * How long a write or a {@code consistent=true} read may wait for the cluster (no leader, the
     * minority side of a partition) before it is answered with error 300. Watches do not expire.
     */
    public static final Duration REQUEST_DEADLINE = Duration.ofSeconds(3);
    /** How long {@code /health} waits for a quorum to confirm the leader. */
    static final Duration HEALTH_WAIT = Duration.ofSeconds(1);

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
                           SslContext peerClientTls, Path snapshotDir, int snapshotCount, long segmentBytes) {}

    private final Settings settings;
    private final Store store;
    private final Registry registry;
    private final RaftStorage storage;
    private final ServerStats stats;
    private final FollowerStats followerStats = new FollowerStats();
    private final PeerTransport transport;
    private final Inbox inbox = new Inbox();
    private final Applier applier;
    private final NodeLoop loop;
    private final boolean fresh;

    private EtcdNode(Settings settings, Clock clock, Store store, RaftStorage storage, Snapshots snapshots,
                     RaftNode raft, boolean fresh, Consumer<Throwable> onFatal) {
        this.settings = settings;
        this.store = store;
        this.fresh = fresh;
        this.registry = new Registry(store);
        this.storage = storage;
        this.stats = new ServerStats(settings.name(), clock.instant());
        this.transport = new PeerTransport(settings.name(), this, settings.peerClientTls());
        this.transport.advertise(settings.peerUrl());
        Proposals proposals = new Proposals();
        PeerDirectory peers = new PeerDirectory(settings.name(), registry, transport, followerStats);
        MembershipChanges membershipChanges = new MembershipChanges(raft, store, registry,
                settings.maxClusterSize(), this::leaderPeerUrl,
                (name, peerUrl) -> peers.joinProposed(name, peerUrl, raft.membership()),
                name -> peers.joinAbandoned(name, raft.membership(), raft.isLeader()));
        // The loop and the applier report to each other: the applier's listener is the loop.
        NodeLoop[] loopRef = new NodeLoop[1];
        Applier.Listener toLoop = new Applier.Listener() {
            @Override
            public void membershipApplied(io.etcdj.raft.Entry entry) {
                loopRef[0].membershipApplied(entry);
            }

            @Override
            public void restored(Snapshot snapshot) {
                loopRef[0].restored(snapshot);
            }

            @Override
            public void snapshotSaved(Snapshot previous) {
                loopRef[0].snapshotSaved(previous);
            }

            @Override
            public void failed(Throwable why) {
                loopRef[0].failed(why);
            }
        };
        this.applier = new Applier(store, registry, settings.maxClusterSize(), snapshots, proposals, toLoop);
        // The first freeze of a process loads the frozen view's classes: about 10 ms of the
        // applier's time at its first snapshot. Freezing the store once here, before anything is
        // applied, moves that cost to the start.
        store.freeze().release();
        this.loop = new NodeLoop(settings.name(), settings.tickMillis(), raft, storage, inbox, applier, transport,
                peers, membershipChanges, proposals, stats, followerStats, store, clock, onFatal);
        loopRef[0] = loop;
    }

    /** Starts the node; a failure of its loop halts the process (see the other overload). */
    public static EtcdNode start(Settings settings, Clock clock) throws IOException {
        // A broken invariant: going on could acknowledge what is not durable.
        return start(settings, clock, e -> Runtime.getRuntime().halt(2));
    }

    /**
     * Opens the log, replays every committed command into a new store and starts the loop. When
     * this returns the store holds everything the node ever acknowledged.
     *
     * @param onFatal what to do when an invariant of our own breaks or this machine is removed
     *                from the cluster (the loop has stopped by then); a failing disk only stalls
     *                the loop, which refuses writes until it can write again
     */
    public static EtcdNode start(Settings settings, Clock clock, Consumer<Throwable> onFatal) throws IOException {
        return start(settings, clock, onFatal, RaftStorage::new);
    }

    /** As {@link #start(Settings, Clock, Consumer)}, persisting through the storage {@code storage} makes. */
    static EtcdNode start(Settings settings, Clock clock, Consumer<Throwable> onFatal,
                          BiFunction<WriteAheadLog, Snapshots, RaftStorage> storage) throws IOException {
        Snapshots snapshots = Snapshots.open(settings.snapshotDir(), settings.snapshotCount());
        SnapshotRecord newest = snapshots.newest();
        // The store image is decoded on a thread of its own while the log is opened (which reads
        // and checks every entry after the snapshot): both take a while with a large store, and
        // neither needs the other.
        CompletableFuture<StoreSnapshot> image = newest == null ? null : decodeBeside(newest);
        WriteAheadLog wal = WriteAheadLog.open(settings.logDir(), newest == null ? 0 : newest.index(),
                newest == null ? 0 : newest.term(), settings.segmentBytes());
        RaftConfig raftConfig = RaftConfig.defaults(settings.name(), new SplittableRandom())
                .withTicks(settings.electionTicks(), settings.heartbeatTicks());
        boolean fresh = newest == null && wal.entries().isEmpty() && wal.hardState().term() == 0;
        Store store = new Store(clock);
        RaftNode raft;
        if (fresh && settings.joinExisting()) {
            raft = RaftNode.create(raftConfig, RestoredState.EMPTY);
            LOG.info("starting as a new machine of an existing cluster");
        } else if (fresh) {
            raft = RaftNode.bootstrap(raftConfig, List.of(ConfChange.add(settings.name(), joinContext(settings))));
            LOG.info("starting a new cluster with this machine as its only member");
        } else {
            Snapshot snapshot = newest == null ? null : Snapshots.toRaft(newest);
            raft = RaftNode.create(raftConfig, new RestoredState(wal.hardState(), snapshot, wal.entries()));
        }
        // The node (its transport's event loops, the loop, the applier: class loading mostly) is
        // built while the snapshot is still being decoded; nothing of it reads the store before
        // the store is restored below and the applier started.
        EtcdNode node = new EtcdNode(settings, clock, store, storage.apply(wal, snapshots), snapshots, raft,
                fresh, onFatal);
        if (newest != null) {
            long waitFrom = System.nanoTime();
            StoreSnapshot decoded;
            try {
                decoded = awaitDecoded(image);
            } catch (IOException | RuntimeException | Error e) {
                node.close(); // a bad image: the node never started, its threads and log go
                throw e;
            }
            store.recover(decoded);
            LOG.info("store restored from the snapshot at index {} ({} nodes; waited {} ms for its decoding)",
                    newest.index(), decoded.nodeCount(), (System.nanoTime() - waitFrom) / 1_000_000);
        }
        if (!fresh) {
            LOG.info("replaying {} log entries (commit index {})", wal.entries().size(), wal.hardState().commit());
        }
        if (newest != null) {
            node.registry.reload();
            node.applier.startAt(newest.index());
            snapshots.restored(newest);
        }
        long replayFrom = System.nanoTime();
        node.applier.start();
        node.loop.replay();
        node.awaitApplied(raft.appliedIndex());
        LOG.info("store recovered at index {} (raft index {}) in {} ms", store.index(), node.appliedIndex(),
                (System.nanoTime() - replayFrom) / 1_000_000);
        if (!fresh) {
            // v0.2.0 rejoining with a log read the machine list, which its statistics show
            node.registry.machinesListed("");
        }
        node.loop.start();
        return node;
    }

    /** Decodes a snapshot's store image on a new thread, logging how long that took. */
    private static CompletableFuture<StoreSnapshot> decodeBeside(SnapshotRecord snapshot) {
        CompletableFuture<StoreSnapshot> decoded = new CompletableFuture<>();
        Thread decoder = new Thread(() -> {
            long from = System.nanoTime();
            try {
                decoded.complete(StoreSnapshot.decode(snapshot.data()));
                LOG.info("snapshot decoded in {} ms", (System.nanoTime() - from) / 1_000_000);
            } catch (Throwable t) {
                decoded.completeExceptionally(t);
            }
        }, "snapshot-decoder");
        decoder.setDaemon(true); // a start that fails meanwhile (a damaged log) does not wait for it
        decoder.start();
        return decoded;
    }

    /** The decoded image, or the decoder's own exception (a bad image: IllegalArgumentException). */
    private static StoreSnapshot awaitDecoded(CompletableFuture<StoreSnapshot> image) throws IOException {
        try {
            return image.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while decoding the snapshot", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IOException("decoding the snapshot failed: " + e.getCause(), e.getCause());
        }
    }

    private void awaitApplied(long index) throws IOException {
        CompletableFuture<Void> done = new CompletableFuture<>();
        applier.whenApplied(index, done);
        try {
            done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while replaying the log", e);
        } catch (ExecutionException e) {
            throw new IOException("replaying the log failed: " + e.getCause(), e.getCause());
        }
    }

    private static byte[] joinContext(Settings s) {
        return CommandCodec.encode(0, new Command.Join(s.name(), s.peerUrl(), s.clientUrl(), ""));
    }

    /**
     * Whether this machine must ask the cluster to take it in: a new machine of an existing
     * cluster, or one that was removed and comes back with its log (which still holds its term and
     * vote, so it cannot vote twice in a term).
     */
    public boolean needsToJoin() {
        return (fresh && settings.joinExisting()) || (!fresh && !loop.wasMemberAtStart());
    }

    /** Peer URLs of the other machines this one knows from its log (where to rejoin through). */
    public List<String> knownPeerUrls() {
        List<String> urls = new ArrayList<>();
        for (Registry.Machine m : registry.machines()) {
            if (!m.name().equals(settings.name()) && !m.peerUrl().isEmpty()) {
                urls.add(m.peerUrl());
            }
        }
        return urls;
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
        long deadline = System.nanoTime() + REQUEST_DEADLINE.toNanos();
        if (!inbox.client(() -> {
            loop.track(future, deadline);
            loop.propose(command, future);
        })) {
            future.completeExceptionally(tooBusy());
        }
        return future;
    }

    @Override
    public CompletableFuture<Void> linearizableRead() {
        CompletableFuture<Void> future = new CompletableFuture<>();
        long deadline = System.nanoTime() + REQUEST_DEADLINE.toNanos();
        if (!inbox.client(() -> {
            loop.track(future, deadline);
            loop.read(future);
        })) {
            future.completeExceptionally(tooBusy());
        }
        return future;
    }

    private EtcdException tooBusy() {
        return new EtcdException(EtcdException.RAFT_INTERNAL, "too many pending requests", store.index());
    }

    @Override
    public boolean isLeader() {
        return loop.softState().role() == io.etcdj.raft.Role.LEADER;
    }

    @Override
    public EtcdException writesRefused() {
        return loop.diskStalled() ? loop.writeRefusal() : null;
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
        String leader = loop.softState().leader();
        return leader == null ? null : registry.lookup(leader);
    }

    @Override
    public String leaderName() {
        String leader = loop.softState().leader();
        return leader == null ? "" : leader;
    }

    @Override
    public List<Registry.Machine> machines() {
        return registry.machines();
    }

    /**
     * The leader answers healthy when a quorum confirms its leadership within {@link #HEALTH_WAIT};
     * a follower when it knows a leader, which it does only while it hears from one.
     */
    @Override
    public CompletableFuture<Boolean> healthy() {
        String leader = loop.softState().leader();
        if (leader == null || leader.isEmpty() || writesRefused() != null) {
            return CompletableFuture.completedFuture(false);
        }
        if (!isLeader()) {
            return CompletableFuture.completedFuture(true);
        }
        return linearizableRead().orTimeout(HEALTH_WAIT.toMillis(), TimeUnit.MILLISECONDS)
                .handle((ready, failure) -> failure == null);
    }

    @Override
    public void leaderLookedUp() {
        registry.lookedUp(loop.softState().leader());
    }

    @Override
    public void machinesListed() {
        registry.machinesListed(loop.softState().leader());
    }

    @Override
    public List<String> clientUrls() {
        return registry.clientUrls(loop.softState().leader());
    }

    @Override
    public long raftIndex() {
        return applier.appliedIndex();
    }

    @Override
    public long raftTerm() {
        return loop.term();
    }

    @Override
    public String selfStatsJson() {
        return stats.json();
    }

    @Override
    public String leaderStatsJson() {
        String leader = loop.softState().leader();
        return followerStats.json(leader == null ? "" : leader);
    }

    public Registry registry() {
        return registry;
    }

    /** The highest index this machine has applied to its store. */
    public long appliedIndex() {
        return applier.appliedIndex();
    }

    /** Fsyncs of the log since start: with group commit, fewer than the writes acknowledged. */
    public long logSyncs() {
        return storage.syncCount();
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

    /**
     * A message from a peer. A snapshot's store image is decoded here, on the network thread, so
     * that a malformed one is refused (the sender sees its stream closed) before it reaches the
     * core; other messages are dropped when the peer inbox is full, and Raft recovers.
     *
     * @throws IllegalArgumentException when the message is refused
     */
    @Override
    public void receive(Message m) {
        if (m instanceof Message.InstallSnapshot s) {
            if (!storage.snapshotsEnabled()) {
                throw new IllegalArgumentException("snapshots are off on this machine (-snapshot=false)");
            }
            StoreSnapshot image = StoreSnapshot.decode(s.snapshot().data());
            inbox.peer(() -> loop.stepSnapshot(s, image));
            return;
        }
        inbox.peer(() -> loop.step(m));
    }

    @Override
    public void peerSeen(String name, String peerUrl) {
        if (!name.equals(settings.name()) && !peerUrl.isEmpty()) {
            inbox.peer(() -> loop.peerSeen(name, peerUrl));
        }
    }

    @Override
    public CompletableFuture<ChangeOutcome> join(JoinRequest request) {
        CompletableFuture<ChangeOutcome> future = new CompletableFuture<>();
        long deadline = System.nanoTime() + REQUEST_DEADLINE.toNanos();
        if (!inbox.client(() -> {
            loop.track(future, deadline);
            loop.join(request, future);
        })) {
            future.completeExceptionally(tooBusy());
        }
        return future;
    }

    @Override
    public CompletableFuture<ChangeOutcome> remove(String name) {
        CompletableFuture<ChangeOutcome> future = new CompletableFuture<>();
        long deadline = System.nanoTime() + REQUEST_DEADLINE.toNanos();
        if (!inbox.client(() -> {
            loop.track(future, deadline);
            loop.remove(name, future);
        })) {
            future.completeExceptionally(tooBusy());
        }
        return future;
    }

    @Override
    public void unreachable(String member) {
        inbox.peer(() -> loop.unreachable(member));
    }

    @Override
    public void snapshotSent(String member, boolean delivered) {
        inbox.peer(() -> loop.snapshotSent(member, delivered));
    }

    @Override
    public void close() {
        loop.stop();
        transport.close();
        applier.close();
        try {
            storage.close();
        } catch (IOException e) {
            LOG.warn("closing the log: {}", e.getMessage());
        }
    }
}
