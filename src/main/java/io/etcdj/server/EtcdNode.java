package io.etcdj.server;

import io.etcdj.raft.ConfChange;
import io.etcdj.raft.Entry;
import io.etcdj.raft.EntryType;
import io.etcdj.raft.HardState;
import io.etcdj.raft.ProposalOutcome;
import io.etcdj.raft.RaftConfig;
import io.etcdj.raft.RaftNode;
import io.etcdj.raft.ReadState;
import io.etcdj.raft.Ready;
import io.etcdj.raft.RestoredState;
import io.etcdj.raft.Role;
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

/**
 * One etcd machine: drives the Raft core on a single thread (the node loop) and carries out what
 * it asks — persist to the log with fsync, send, apply committed commands to the store — then
 * completes the futures of the clients waiting for those commands.
 *
 * <p>Other threads never touch the core: they put tasks in a bounded inbox. Every loop turn drains
 * the inbox, so proposals that arrive while the previous batch is being fsynced go out together in
 * the next Ready and share one fsync (group commit).
 */
public final class EtcdNode implements EtcdServer, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EtcdNode.class);
    private static final int INBOX_CAPACITY = 1 << 16;
    private static final int MAX_TASKS_PER_TURN = 8192;

    /** Settings of the node that are not the Raft core's. */
    public record Settings(String name, String peerUrl, String clientUrl, Path logDir, long tickMillis,
                           int heartbeatTicks, int electionTicks, int maxClusterSize) {}

    private final Settings settings;
    private final Clock clock;
    private final Store store;
    private final Registry registry;
    private final WriteAheadLog wal;
    private final RaftNode raft;
    private final ServerStats stats;
    private final BlockingQueue<Runnable> inbox = new ArrayBlockingQueue<>(INBOX_CAPACITY);
    private final Thread loop;
    private volatile boolean running = true;
    private final java.util.function.Consumer<Throwable> onFatal;

    // Owned by the node loop thread only.
    private final Map<Long, CompletableFuture<Object>> waiting = new HashMap<>();
    private final Map<Long, CompletableFuture<Void>> readRequests = new HashMap<>();
    private final ArrayDeque<PendingRead> confirmedReads = new ArrayDeque<>();
    private final List<Runnable> awaitingLeader = new ArrayList<>();
    private long nextRequestId;
    private boolean syncInFlight;

    // Published for other threads.
    private volatile SoftState softState = new SoftState(null, Role.FOLLOWER);
    private volatile long appliedIndex;
    private volatile long term;

    private record PendingRead(long index, CompletableFuture<Void> future) {}

    private EtcdNode(Settings settings, Clock clock, Store store, WriteAheadLog wal, RaftNode raft,
                     java.util.function.Consumer<Throwable> onFatal) {
        this.settings = settings;
        this.onFatal = onFatal;
        this.clock = clock;
        this.store = store;
        this.registry = new Registry(store);
        this.wal = wal;
        this.raft = raft;
        this.stats = new ServerStats(settings.name(), clock.instant());
        this.nextRequestId = new SplittableRandom().nextLong() & Long.MAX_VALUE;
        this.loop = new Thread(this::run, "node-loop");
    }

    /**
     * Opens the log, replays every committed command into a new store and starts the loop. When
     * this returns the store holds everything the node ever acknowledged.
     */
    public static EtcdNode start(Settings settings, Clock clock) throws IOException {
        // A failed fsync or a broken invariant: going on could acknowledge what is not durable.
        return start(settings, clock, e -> Runtime.getRuntime().halt(2));
    }

    /** As {@link #start(Settings, Clock)}, with what to do when the node loop fails. */
    public static EtcdNode start(Settings settings, Clock clock, java.util.function.Consumer<Throwable> onFatal)
            throws IOException {
        WriteAheadLog wal = WriteAheadLog.open(settings.logDir());
        RaftConfig raftConfig = RaftConfig.defaults(settings.name(), new SplittableRandom())
                .withTicks(settings.electionTicks(), settings.heartbeatTicks());
        RaftNode raft;
        boolean fresh = wal.entries().isEmpty() && wal.hardState().term() == 0;
        if (fresh) {
            byte[] join = CommandCodec.encode(0, new Command.Join(settings.name(), settings.peerUrl(),
                    settings.clientUrl()));
            raft = RaftNode.bootstrap(raftConfig, List.of(ConfChange.add(settings.name(), join)));
            LOG.info("starting a new cluster with this machine as its only member");
        } else {
            List<Entry> entries = new ArrayList<>(wal.entries().size());
            for (LogEntry e : wal.entries()) {
                entries.add(new Entry(e.index(), e.term(), EntryType.values()[e.type()], e.data()));
            }
            io.etcdj.wal.HardState hs = wal.hardState();
            raft = RaftNode.create(raftConfig,
                    new RestoredState(new HardState(hs.term(), hs.vote(), hs.commit()), null, entries));
            LOG.info("replaying {} log entries (commit index {})", entries.size(), hs.commit());
        }
        EtcdNode node = new EtcdNode(settings, clock, new Store(clock), wal, raft, onFatal);
        long replayFrom = System.nanoTime();
        node.processReadies();
        LOG.info("store recovered at index {} (raft index {}) in {} ms", node.store.index(), node.appliedIndex,
                (System.nanoTime() - replayFrom) / 1_000_000);
        node.loop.start();
        if (raft.membership().size() == 1 && raft.membership().contains(settings.name())) {
            // Alone in the cluster: no one to wait for, take the lead at once.
            node.submit(raft::campaign);
        }
        return node;
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
        return "{\"leader\":\"" + (leader == null ? "" : leader) + "\",\"followers\":{}}";
    }

    public Registry registry() {
        return registry;
    }

    /** Fsyncs of the log since start: with group commit, fewer than the writes acknowledged. */
    public long logSyncs() {
        return wal.syncCount();
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
            persist(rd);
            // No peers yet: a one-member cluster sends nothing.
            for (Entry e : rd.committedEntries()) {
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
            answerReads();
            if (rd.softState() != null) {
                roleChanged(rd.softState());
            }
        }
    }

    private void persist(Ready rd) throws IOException {
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

    private void apply(Entry e) {
        if (e.type() == EntryType.CONF_CHANGE) {
            applyMembership(ConfChange.fromBytes(e.data()));
        } else if (!e.isNoop()) {
            CommandCodec.Proposal p = CommandCodec.decode(e.data());
            Object result;
            try {
                result = execute(p.command());
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

    private Object execute(Command command) {
        if (command instanceof Command.Set c) {
            return store.set(c.key(), c.dir(), c.value(), c.expireTime());
        } else if (command instanceof Command.Create c) {
            return store.create(c.key(), c.dir(), c.value(), c.unique(), c.expireTime());
        } else if (command instanceof Command.Update c) {
            return store.update(c.key(), c.value(), c.expireTime());
        } else if (command instanceof Command.CompareAndSwap c) {
            return store.compareAndSwap(c.key(), c.prevValue(), c.prevIndex(), c.value(), c.expireTime());
        } else if (command instanceof Command.Delete c) {
            return store.delete(c.key(), c.dir(), c.recursive());
        } else if (command instanceof Command.Sync c) {
            store.deleteExpiredKeys(c.now());
            return null;
        } else if (command instanceof Command.Join c) {
            return registry.register(c, settings.maxClusterSize());
        }
        throw new IllegalStateException("unknown command " + command);
    }

    private void applyMembership(ConfChange change) {
        if (change.type() == ConfChange.Type.ADD_MEMBER && change.context() != null
                && change.context().length > 0) {
            Command c = CommandCodec.decode(change.context()).command();
            if (c instanceof Command.Join join) {
                try {
                    registry.register(join, settings.maxClusterSize());
                    LOG.info("machine {} joined (peer {}, client {})", join.name(), join.raftUrl(), join.etcdUrl());
                } catch (EtcdException full) {
                    LOG.warn("machine {} not registered: {}", join.name(), full.getMessage());
                }
            }
        }
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
        } else if (s.leader() != null && !s.leader().equals(before.leader())) {
            LOG.info("following {} in term {}", s.leader(), raft.term());
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
        syncInFlight = false;
    }
}
