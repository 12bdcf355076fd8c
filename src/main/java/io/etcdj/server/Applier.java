package io.etcdj.server;

import io.etcdj.raft.ConfChange;
import io.etcdj.raft.Entry;
import io.etcdj.raft.EntryType;
import io.etcdj.raft.Snapshot;
import io.etcdj.raft.SnapshotMetadata;
import io.etcdj.store.EtcdException;
import io.etcdj.store.Store;
import io.etcdj.store.FrozenStore;
import io.etcdj.store.StoreSnapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Applies committed entries to the store on a thread of its own, in log order, and answers the
 * clients whose commands they carry. Keeping the store's writes off the node loop means a slow
 * store (a recursive read of a million keys holds its read lock) delays acknowledgements, never
 * heartbeats or elections.
 *
 * <p>The applier also owns everything derived from the applied state: the machine registry, the
 * read barriers of linearizable reads, and the snapshots of the store taken every
 * {@code snapshotCount} entries. An entry that fails to apply is logged and answered with an
 * error; it never stops the member, since every member would fail the same way.
 */
final class Applier implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Applier.class);

    /** What the applier tells the node loop; called on the applier thread, must hand off at once. */
    interface Listener {
        /** A membership change entry was applied (the registry shows it now). */
        void membershipApplied(Entry entry);

        /** The store was replaced by a snapshot received from the leader. */
        void restored(Snapshot snapshot);

        /** A snapshot of the store was saved; the log before {@code previous} may go (null: first). */
        void snapshotSaved(Snapshot previous);

        /** Applying cannot go on (out of memory, a broken invariant): the member must stop. */
        void failed(Throwable why);
    }

    private sealed interface Work permits Batch, Restore, Barrier, Stop {}

    private record Batch(List<Entry> entries, SnapshotMetadata upTo) implements Work {}

    private record Restore(Snapshot snapshot, StoreSnapshot image) implements Work {}

    private record Barrier(long index, CompletableFuture<Void> future) implements Work {}

    private record Stop() implements Work {}

    private final Store store;
    private final StateMachine stateMachine;
    private final Registry registry;
    private final Snapshots snapshots;
    private final Proposals proposals;
    private final Listener listener;
    private final BlockingQueue<Work> queue = new LinkedBlockingQueue<>();
    private final PriorityQueue<Barrier> barriers = new PriorityQueue<>(Comparator.comparingLong(Barrier::index));
    private final Thread thread;
    private volatile long appliedIndex;

    Applier(Store store, Registry registry, int maxClusterSize, Snapshots snapshots, Proposals proposals,
            Listener listener) {
        this.store = store;
        this.registry = registry;
        this.stateMachine = new StateMachine(store, registry, maxClusterSize);
        this.snapshots = snapshots;
        this.proposals = proposals;
        this.listener = listener;
        this.thread = new Thread(this::run, "applier");
    }

    /** The store was restored from a snapshot at this index before the applier started. */
    void startAt(long index) {
        appliedIndex = index;
    }

    void start() {
        thread.start();
    }

    /** The highest index whose entry the store reflects. */
    long appliedIndex() {
        return appliedIndex;
    }

    /**
     * Queues committed entries; {@code upTo} describes the applied state once the last one is
     * applied, for a snapshot taken there.
     */
    void apply(List<Entry> entries, SnapshotMetadata upTo) {
        queue.add(new Batch(entries, upTo));
    }

    /** Queues the replacement of the store by the leader's snapshot ({@code image}: decoded, or null). */
    void restore(Snapshot snapshot, StoreSnapshot image) {
        queue.add(new Restore(snapshot, image));
    }

    /** Completes {@code future} once the store has applied {@code index}. */
    void whenApplied(long index, CompletableFuture<Void> future) {
        if (appliedIndex >= index) {
            future.complete(null);
        } else {
            queue.add(new Barrier(index, future));
        }
    }

    private void run() {
        try {
            while (true) {
                Work work = queue.take();
                if (work instanceof Stop) {
                    return;
                } else if (work instanceof Batch b) {
                    applyBatch(b);
                } else if (work instanceof Restore r) {
                    restoreFrom(r);
                } else if (work instanceof Barrier b) {
                    barriers.add(b);
                }
                answerBarriers();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            LOG.error("the applier failed: {}", e.toString(), e);
            listener.failed(e);
        }
    }

    /**
     * The watchers the batch wakes are told after its writers are answered: their answers go out
     * first, and each connection's loop renders a writer's answer before any watcher's.
     */
    private void applyBatch(Batch batch) {
        store.holdWatchers();
        try {
            for (Entry e : batch.entries()) {
                if (e.index() <= appliedIndex) {
                    continue; // superseded by a snapshot installed meanwhile
                }
                if (e.type() == EntryType.CONF_CHANGE) {
                    applyMembership(e);
                } else if (!e.isNoop()) {
                    applyCommand(e);
                }
                appliedIndex = e.index();
            }
        } finally {
            store.releaseWatchers();
        }
        if (batch.upTo().index() == appliedIndex) {
            maybeSnapshot(batch.upTo());
        }
    }

    private void applyMembership(Entry e) {
        try {
            stateMachine.applyMembership(ConfChange.fromBytes(e.data()));
        } catch (RuntimeException | StackOverflowError err) {
            LOG.warn("membership change at index {} could not be applied to the store: {}", e.index(), err.toString());
        }
        listener.membershipApplied(e);
    }

    private void applyCommand(Entry e) {
        CommandCodec.Proposal p;
        try {
            p = CommandCodec.decode(e.data());
        } catch (RuntimeException err) {
            LOG.warn("entry {} holds no command this machine can read: {}", e.index(), err.toString());
            return;
        }
        Object result;
        try {
            result = stateMachine.execute(p.command());
        } catch (EtcdException err) {
            result = err;
        } catch (RuntimeException | StackOverflowError err) {
            LOG.warn("entry {} could not be applied: {}", e.index(), err.toString());
            result = new EtcdException(EtcdException.RAFT_INTERNAL, "the command could not be applied", store.index());
        }
        CompletableFuture<Object> f = proposals.take(p.requestId());
        if (f != null) {
            if (result instanceof EtcdException err) {
                f.completeExceptionally(err);
            } else {
                f.complete(result);
            }
        }
    }

    private void restoreFrom(Restore r) {
        StoreSnapshot image = r.image() != null ? r.image() : StoreSnapshot.decode(r.snapshot().data());
        store.recover(image);
        registry.reload();
        appliedIndex = r.snapshot().index();
        listener.restored(r.snapshot());
    }

    private void answerBarriers() {
        while (!barriers.isEmpty() && barriers.peek().index() <= appliedIndex) {
            barriers.poll().future().complete(null);
        }
    }

    /**
     * Every {@code snapshotCount} applied entries: freeze the store here (the only pause the
     * applier sees, a few microseconds whatever the store's size); serialize it, write and fsync
     * the file on the snapshot writer. A snapshot that cannot be taken is logged and tried again
     * after as many entries again.
     */
    private void maybeSnapshot(SnapshotMetadata meta) {
        if (snapshots.due(appliedIndex)) {
            snapshots.take(meta, () -> {
                FrozenStore frozen = store.freeze();
                return new Snapshots.Frozen() {
                    @Override
                    public byte[] serialize() {
                        return frozen.serialize();
                    }

                    @Override
                    public void release() {
                        frozen.release();
                    }
                };
            }, listener::snapshotSaved);
        }
    }

    @Override
    public void close() {
        queue.add(new Stop());
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
