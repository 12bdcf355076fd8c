package io.etcdj.store;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Lock;

/**
 * The store as it was at one index, serialized beside the running store: taking it costs the
 * writer a few microseconds, whatever the size of the tree, and the serialization then walks the
 * live tree in short slices under the store's read lock, letting writes in between.
 *
 * <p>Writes made meanwhile are undone for this view, copy-on-write: before a write changes a node
 * (its value, modified index or expiration, a directory's children, or removes it), the store
 * calls {@link #preserve} and the node's fields as they were are kept here, once per node. A
 * directory's children are walked by slot: children added later sit past the slot count the
 * directory had, and removed ones stay in their slots (see {@link Children}), so the walk finds
 * exactly the children of that moment, in their order. Nodes the writes never touched are read
 * as they are. The result is the same bytes {@link Store#save()} would have given at that index.
 *
 * <p>At most one is open per store; it is closed by {@link #serialize()} or {@link #release()}.
 */
public final class FrozenStore {
    /** Nodes written between two checks whether a writer waits for the lock. */
    private static final int CHECK_EVERY = 64;

    /** A node's fields before the first write that changed it after the freeze. */
    private record Saved(String value, long modifiedIndex, Instant expireTime, int slots) {
    }

    /** A directory being walked: the next slot, and its slot count when frozen. */
    private static final class Cursor {
        final Node dir;
        final int end;
        int next;

        Cursor(Node dir, int end) {
            this.dir = dir;
            this.end = end;
        }
    }

    private final Store store;
    private final Lock readLock;
    /** Serialized beside the running store; otherwise under the read lock held all along by the caller. */
    private final boolean beside;
    private final long index;
    private final Node root;
    private final List<Event> history;
    private final Map<String, Long> stats;
    /** Guarded by the store's lock: written under the write lock, read under the read lock. */
    private final IdentityHashMap<Node, Saved> saved = new IdentityHashMap<>();
    private boolean done;

    FrozenStore(Store store, Lock readLock, boolean beside, long index, Node root, List<Event> history,
                Map<String, Long> stats) {
        this.store = store;
        this.readLock = readLock;
        this.beside = beside;
        this.index = index;
        this.root = root;
        this.history = history;
        this.stats = stats;
    }

    /** The store index this view holds. */
    public long index() {
        return index;
    }

    /** Called by the store, under its write lock, before a write changes {@code node}. */
    void preserve(Node node) {
        if (!saved.containsKey(node)) {
            saved.put(node, new Saved(node.isDir() ? null : node.value, node.modifiedIndex, node.expireTime,
                    node.isDir() ? node.children.slots() : 0));
        }
    }

    /**
     * Serializes the view, in the format of {@link StoreSnapshot}, on the calling thread, then
     * closes it. The store's read lock is held only a slice at a time: the slice ends as soon as a
     * writer waits (checked every {@value #CHECK_EVERY} nodes).
     *
     * @throws RuntimeException when the store cannot be saved (see {@link Store#save()}); the view
     *                          is closed all the same
     */
    public byte[] serialize() {
        return walk(Integer.MAX_VALUE, () -> { });
    }

    /**
     * As {@link #serialize()}, running {@code betweenSlices} with the lock released after every
     * {@code sliceNodes} nodes as well: for tests that interleave writes at chosen points.
     */
    byte[] serialize(int sliceNodes, Runnable betweenSlices) {
        return walk(sliceNodes, betweenSlices);
    }

    private byte[] walk(int sliceNodes, Runnable betweenSlices) {
        try {
            StoreSnapshotWriter out = new StoreSnapshotWriter(index, stats);
            Deque<Cursor> open = new ArrayDeque<>();
            readLock.lock();
            try {
                checkOpen();
                open.push(new Cursor(root, slotsWhenFrozen(root)));
                int inSlice = 0;
                while (!open.isEmpty()) {
                    if (beside && (++inSlice >= sliceNodes
                            || (inSlice % CHECK_EVERY == 0 && store.writerWaiting()))) {
                        readLock.unlock();
                        try {
                            betweenSlices.run();
                        } finally {
                            readLock.lock();
                        }
                        checkOpen();
                        inSlice = 0;
                    }
                    Cursor top = open.peek();
                    if (top.next >= top.end) {
                        open.pop();
                        continue;
                    }
                    Node node = top.dir.children.slot(top.next++);
                    Saved before = saved.get(node);
                    if (node.detached && before == null) {
                        continue; // removed before the freeze: its slot was not compacted yet
                    }
                    if (before == null) {
                        out.node(node.path, node.isDir() ? null : node.value, node.expireTime, node.createdIndex,
                                node.modifiedIndex);
                    } else {
                        out.node(node.path, before.value(), before.expireTime(), node.createdIndex,
                                before.modifiedIndex());
                    }
                    if (node.isDir()) {
                        open.push(new Cursor(node, before == null ? node.children.slots() : before.slots()));
                    }
                }
            } finally {
                readLock.unlock();
            }
            return out.finish(history);
        } finally {
            release();
        }
    }

    private int slotsWhenFrozen(Node dir) {
        Saved before = saved.get(dir);
        return before == null ? dir.children.slots() : before.slots();
    }

    private void checkOpen() {
        if (done) {
            throw new IllegalStateException("this frozen store was released");
        }
    }

    /** Closes the view without serializing it (a snapshot that will not be taken after all). */
    public void release() {
        if (beside) {
            store.thaw(this);
        } else {
            done = true;
        }
    }

    /** Called by the store, under its write lock, when the view closes. */
    void closed() {
        done = true;
        saved.clear();
    }
}
