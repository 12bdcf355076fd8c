package io.etcdj.store;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;

import io.etcdj.store.StoreStats.Counter;

/**
 * The in-memory hierarchical key space of etcd v0.2. Thread-safe. All mutations are applied by the
 * node in log order; the expiration times they carry are absolute, decided when the command was
 * built, so every replica computes the same result.
 *
 * <p>Every successful write advances the store index by one and emits one event; failed writes
 * leave the index alone. Reads share a lock; writes, watch registration and expiry take it
 * exclusively, so a watch never misses a change that completes after it is registered.
 */
public final class Store {
    /** How many past events a watch can catch up from. */
    public static final int HISTORY_CAPACITY = 1000;

    /** Expiration times before this are taken as "no expiration" by set and create, as the reference does. */
    private static final Instant MIN_EXPIRE_TIME = Instant.parse("2000-01-01T00:00:00Z");

    private final Clock clock;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final WatcherHub watcherHub = new WatcherHub(HISTORY_CAPACITY);
    private final TtlQueue ttlQueue = new TtlQueue();
    private final StoreStats stats = new StoreStats();
    private Node root = Node.directory("/", 0, null, null);
    /** Written under the write lock; volatile so that {@link #index()} needs no lock. */
    private volatile long currentIndex;
    /** The TTL queue's head, published on every release of the write lock for {@link #nextExpiration()}. */
    private volatile Instant nextExpiration;
    /** The snapshot being serialized beside the store, which writes preserve nodes for; or null. */
    private FrozenStore frozen;

    public Store(Clock clock) {
        this.clock = clock;
    }

    /**
     * The current store index: the index of the last change. Takes no lock, so it answers at once
     * even while a long read (a recursive get of a large tree) holds the store.
     */
    public long index() {
        return currentIndex;
    }

    /**
     * Reads a node. A directory lists its visible children (hidden names starting with {@code _}
     * are left out but can be read directly), and their children too when {@code recursive};
     * {@code sorted} orders every listing by key bytes.
     *
     * @throws EtcdException 100 for a missing key (cause: the first missing component), 104 when a
     *                       file is in the way (cause: the file)
     */
    public Event get(String path, boolean recursive, boolean sorted) {
        lock.readLock().lock();
        try {
            String key = KeyPath.clean(path);
            Node node;
            try {
                node = find(key);
            } catch (EtcdException e) {
                stats.inc(Counter.GETS_FAIL);
                throw e;
            }
            Instant now = clock.instant();
            NodeView view;
            if (node.isDir()) {
                // the top node always lists its children; deeper directories only when recursive
                view = new NodeView(key, null, null, true, node.expireTime, node.ttl(now),
                        node.listChildren(recursive, sorted, now), node.modifiedIndex, node.createdIndex);
            } else {
                view = new NodeView(key, node.value, null, false, node.expireTime, node.ttl(now), null,
                        node.modifiedIndex, node.createdIndex);
            }
            stats.inc(Counter.GETS_SUCCESS);
            return new Event(Event.GET, view);
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * As {@link #get} without sorting or recursion, and without counting the read in the
     * statistics: for the node's own bookkeeping, where the reference read nothing.
     */
    public Event getUncounted(String path) {
        lock.readLock().lock();
        try {
            String key = KeyPath.clean(path);
            Node node = find(key);
            Instant now = clock.instant();
            return new Event(Event.GET, new NodeView(key, node.isDir() ? null : node.value, null, node.isDir(),
                    node.expireTime, node.ttl(now), node.isDir() ? node.listChildren(false, false, now) : null,
                    node.modifiedIndex, node.createdIndex));
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Creates or replaces a node, creating missing parent directories at the same index. A file
     * may be replaced by a file or a directory; a directory is never replaced.
     *
     * @param expireTime null for a permanent node
     * @throws EtcdException 102 on an existing directory, 104 below a file, 107 on the root
     */
    public Event set(String path, boolean dir, String value, Instant expireTime) {
        lock.writeLock().lock();
        try {
            Event event = createNode(path, dir, value, false, true, expireTime, Event.SET);
            stats.inc(Counter.SETS_SUCCESS);
            return event;
        } catch (EtcdException e) {
            stats.inc(Counter.SETS_FAIL);
            throw e;
        } finally {
            unlockWrite();
        }
    }

    /**
     * Changes the value and/or the expiration of an existing node. A directory accepts only an
     * empty value, and then only its expiration changes.
     *
     * @param expireTime the new expiration, or null to keep the current one (permanent or not)
     * @throws EtcdException 100 for a missing key, 102 for a value on a directory, 107 on the root
     */
    public Event update(String path, String value, Instant expireTime) {
        return update(path, value, expireTime, false);
    }

    /**
     * A refresh (an extension of later v2 versions): sets a new expiration on an existing node
     * without changing its value and without waking watchers. It takes an index, like any
     * change, and is kept in the history, so a watch from an index resumes past it.
     *
     * @throws EtcdException as {@link #update}
     */
    public Event refresh(String path, Instant expireTime) {
        return update(path, null, expireTime, true);
    }

    private Event update(String path, String value, Instant expireTime, boolean refresh) {
        String key = KeyPath.clean(path);
        if (key.equals("/")) {
            throw new EtcdException(EtcdException.ROOT_READ_ONLY, "/", currentIndex);
        }
        lock.writeLock().lock();
        try {
            Node node;
            try {
                node = find(key);
            } catch (EtcdException e) {
                stats.inc(Counter.UPDATE_FAIL);
                throw e;
            }
            String newValue = refresh ? node.value : value == null ? "" : value;
            if (node.isDir() && !newValue.isEmpty()) {
                stats.inc(Counter.UPDATE_FAIL);
                throw new EtcdException(EtcdException.NOT_FILE, key, currentIndex);
            }
            long nextIndex = currentIndex + 1;
            Instant now = clock.instant();
            NodeView prevNode = node.previousView(now);
            String prevValue = node.isDir() ? null : node.value;
            preserve(node);
            if (!node.isDir()) {
                // a directory keeps its modified index: the reference only changes its TTL
                node.value = newValue;
                node.modifiedIndex = nextIndex;
            }
            updateExpireTime(node, expireTime);
            // the reference reports an updated directory without its dir flag
            Event event = new Event(Event.UPDATE, new NodeView(key, newValue, prevValue, false,
                    node.expireTime, node.ttl(now), null, nextIndex, node.createdIndex), prevNode);
            currentIndex = nextIndex;
            if (refresh) {
                watcherHub.record(event);
            } else {
                watcherHub.notify(event);
            }
            stats.inc(Counter.UPDATE_SUCCESS);
            return event;
        } finally {
            unlockWrite();
        }
    }

    /**
     * Creates a node that must not exist yet. With {@code unique} the node is created below
     * {@code path}, named after the new index (in-order keys, e.g. {@code /queue/7}).
     *
     * @param expireTime null for a permanent node
     * @throws EtcdException 105 when the key exists, 104 below a file, 107 on the root
     */
    public Event create(String path, boolean dir, String value, boolean unique, Instant expireTime) {
        lock.writeLock().lock();
        try {
            Event event = createNode(path, dir, value, unique, false, expireTime, Event.CREATE);
            stats.inc(Counter.CREATE_SUCCESS);
            return event;
        } catch (EtcdException e) {
            stats.inc(Counter.CREATE_FAIL);
            throw e;
        } finally {
            unlockWrite();
        }
    }

    /**
     * Replaces the value of a file when its current value and/or modified index match.
     *
     * @param prevValue  null or empty when not compared
     * @param prevIndex  0 when not compared
     * @param expireTime the new expiration, or null to keep the current one
     * @throws EtcdException 101 on a mismatch (cause {@code [prevValue != value] [prevIndex != index]}),
     *                       100 for a missing key, 102 on a directory, 107 on the root
     */
    public Event compareAndSwap(String path, String prevValue, long prevIndex, String value, Instant expireTime) {
        String key = KeyPath.clean(path);
        if (key.equals("/")) {
            throw new EtcdException(EtcdException.ROOT_READ_ONLY, "/", currentIndex);
        }
        lock.writeLock().lock();
        try {
            Node node;
            try {
                node = find(key);
            } catch (EtcdException e) {
                stats.inc(Counter.COMPARE_AND_SWAP_FAIL);
                throw e;
            }
            if (node.isDir()) {
                stats.inc(Counter.COMPARE_AND_SWAP_FAIL);
                throw new EtcdException(EtcdException.NOT_FILE, key, currentIndex);
            }
            String expected = prevValue == null ? "" : prevValue;
            boolean valueMatches = expected.isEmpty() || node.value.equals(expected);
            boolean indexMatches = prevIndex == 0 || node.modifiedIndex == prevIndex;
            if (!valueMatches || !indexMatches) {
                stats.inc(Counter.COMPARE_AND_SWAP_FAIL);
                String cause = "[" + expected + " != " + node.value + "] [" + prevIndex + " != "
                        + node.modifiedIndex + "]";
                throw new EtcdException(EtcdException.TEST_FAILED, cause, currentIndex);
            }
            NodeView prevNode = node.previousView(clock.instant());
            preserve(node);
            currentIndex++;
            String oldValue = node.value;
            node.value = value == null ? "" : value;
            node.modifiedIndex = currentIndex;
            updateExpireTime(node, expireTime);
            Event event = new Event(Event.COMPARE_AND_SWAP, new NodeView(key, node.value, oldValue, false,
                    node.expireTime, node.ttl(clock.instant()), null, currentIndex, node.createdIndex), prevNode);
            watcherHub.notify(event);
            stats.inc(Counter.COMPARE_AND_SWAP_SUCCESS);
            return event;
        } finally {
            unlockWrite();
        }
    }

    /**
     * Removes a node. A directory needs {@code dir} when empty and {@code recursive} (which
     * implies {@code dir}) otherwise. Watchers of every removed key are woken with this event.
     *
     * @throws EtcdException 100 for a missing key, 102 for a directory without {@code dir},
     *                       108 for a non-empty directory without {@code recursive}, 107 on the root
     */
    public Event delete(String path, boolean dir, boolean recursive) {
        return delete(path, dir, recursive, null, 0);
    }

    /**
     * Compare-and-delete (an extension of later v2 versions): removes a file only when its value
     * and/or modified index match, as {@link #compareAndSwap} compares them. It is counted with the
     * deletes, since {@code /v2/stats/store} keeps v0.2.0's counters.
     *
     * @param prevValue null or empty when not compared
     * @param prevIndex 0 when not compared
     * @throws EtcdException 101 on a mismatch, 100 for a missing key, 102 on a directory, 107 on
     *                       the root
     */
    public Event compareAndDelete(String path, String prevValue, long prevIndex) {
        return delete(path, false, false, prevValue == null ? "" : prevValue, prevIndex);
    }

    /** A delete, or with a non-null {@code prevValue} a compare-and-delete. */
    private Event delete(String path, boolean dir, boolean recursive, String prevValue, long prevIndex) {
        String key = KeyPath.clean(path);
        if (key.equals("/")) {
            throw new EtcdException(EtcdException.ROOT_READ_ONLY, "/", currentIndex);
        }
        lock.writeLock().lock();
        try {
            boolean asDir = dir || recursive;
            Node node;
            try {
                node = find(key);
            } catch (EtcdException e) {
                stats.inc(Counter.DELETE_FAIL);
                throw e;
            }
            EtcdException refused = node.checkRemovable(asDir, recursive, currentIndex);
            if (refused == null && prevValue != null) {
                refused = compareFailure(node, key, prevValue, prevIndex);
            }
            if (refused != null) {
                stats.inc(Counter.DELETE_FAIL);
                throw refused;
            }
            long nextIndex = currentIndex + 1;
            NodeView prevNode = node.previousView(clock.instant());
            String action = prevValue == null ? Event.DELETE : Event.COMPARE_AND_DELETE;
            Event event = new Event(action, new NodeView(key, null, node.isDir() ? null : node.value,
                    node.isDir(), null, 0, null, nextIndex, node.createdIndex), prevNode);
            // the index moves first: a woken watcher may read it at once on another thread
            currentIndex = nextIndex;
            removeNotifying(node, event);
            watcherHub.notify(event);
            stats.inc(Counter.DELETE_SUCCESS);
            return event;
        } finally {
            unlockWrite();
        }
    }

    /** Why a compare-and-delete may not remove this node, or null when it may. */
    private EtcdException compareFailure(Node node, String key, String prevValue, long prevIndex) {
        if (node.isDir()) {
            return new EtcdException(EtcdException.NOT_FILE, key, currentIndex);
        }
        boolean valueMatches = prevValue.isEmpty() || node.value.equals(prevValue);
        boolean indexMatches = prevIndex == 0 || node.modifiedIndex == prevIndex;
        if (valueMatches && indexMatches) {
            return null;
        }
        String cause = "[" + prevValue + " != " + node.value + "] [" + prevIndex + " != " + node.modifiedIndex + "]";
        return new EtcdException(EtcdException.TEST_FAILED, cause, currentIndex);
    }

    /**
     * Registers a watch. With {@code sinceIndex > 0} a matching event already in the history is
     * delivered at once (the listener is called before this returns). The listener is called at
     * most once, under the store's lock: it must be quick and must not call back into the store.
     *
     * <p>It fires for a change of {@code prefix} itself (a directory's own creation or deletion
     * included), for any change below it when {@code recursive}, and when {@code prefix} is removed
     * along with a deleted or expired directory above it (the event then names that directory).
     * {@code sinceIndex} 0 means the next change.
     *
     * @throws EtcdException 401 when {@code sinceIndex} is older than the kept history
     */
    public Watcher watch(String prefix, boolean recursive, long sinceIndex, Consumer<Event> listener) {
        return watch(prefix, recursive, sinceIndex, listener, error -> { });
    }

    /**
     * As {@link #watch(String, boolean, long, Consumer)}, and {@code onCleared} is told (with error
     * 400) when the watch can no longer be served because the store was replaced by a snapshot.
     */
    public Watcher watch(String prefix, boolean recursive, long sinceIndex, Consumer<Event> listener,
                         Consumer<EtcdException> onCleared) {
        String key = KeyPath.clean(prefix);
        lock.writeLock().lock();
        try {
            long from = sinceIndex == 0 ? currentIndex + 1 : sinceIndex;
            return watcherHub.watch(key, recursive, from, currentIndex, listener, onCleared);
        } finally {
            unlockWrite();
        }
    }

    /**
     * Holds back waking the watchers of this thread's changes until {@link #releaseWatchers()}: the
     * changes are visible and the watchers unregistered at once, only telling them waits. The
     * applier holds them over a batch of entries so that it answers the batch's writers first.
     */
    public void holdWatchers() {
        watcherHub.hold();
    }

    /** Tells the watchers held back by {@link #holdWatchers()}, outside the store's lock. */
    public void releaseWatchers() {
        watcherHub.release();
    }

    /** Removes every node whose expiration is at or before {@code cutoff}, emitting expire events. */
    public void deleteExpiredKeys(Instant cutoff) {
        lock.writeLock().lock();
        try {
            for (Node node = ttlQueue.first(); node != null && !node.expireTime.isAfter(cutoff); node = ttlQueue.first()) {
                NodeView prevNode = node.previousView(cutoff);
                currentIndex++;
                Event event = new Event(Event.EXPIRE, new NodeView(node.path, null, null, false, null, 0, null,
                        currentIndex, node.createdIndex), prevNode);
                removeNotifying(node, event);
                stats.inc(Counter.EXPIRE_COUNT);
                watcherHub.notify(event);
            }
        } finally {
            unlockWrite();
        }
    }

    /**
     * The earliest expiration of any node, or null when none expires. Takes no lock (see
     * {@link #index()}): the value is the one published by the last write.
     */
    public Instant nextExpiration() {
        return nextExpiration;
    }

    /** The store statistics as the JSON of {@code /v2/stats/store}. */
    public String statsJson() {
        return stats.toJson(watcherHub.count());
    }

    /** Number of successful and failed write operations (the reference's TotalTransactions). */
    public long totalTransactions() {
        return stats.totalTransactions();
    }

    /**
     * The whole store (nodes with absolute expirations, index, event history and counters) as
     * bytes for a snapshot, in the format of {@link StoreSnapshot}, whose depth does not grow with
     * the tree's. Pending watchers are not part of it. Serialized as {@link #freeze()} then
     * {@link FrozenStore#serialize()}, so writes go on meanwhile; while another frozen view is
     * open, this one holds the read lock throughout instead (writes wait).
     *
     * @throws RuntimeException when the store cannot be saved (it would pass 2 GiB, or holds a
     *                          string longer than a snapshot may); the store is unchanged
     */
    public byte[] save() {
        while (true) {
            lock.readLock().lock();
            try {
                if (frozen != null) {
                    // another view is being serialized beside the store: hold still for this one
                    return new FrozenStore(this, lock.readLock(), false, currentIndex, root,
                            watcherHub.history().events(), stats.toMap()).serialize();
                }
            } finally {
                lock.readLock().unlock();
            }
            FrozenStore view = tryFreeze();
            if (view != null) {
                return view.serialize();
            }
        }
    }

    /**
     * Freezes the store as it is now, for a snapshot serialized beside it by
     * {@link FrozenStore#serialize()} (on any thread) while writes go on: this call is quick
     * whatever the size of the store. Pending watchers are not part of it.
     *
     * @throws IllegalStateException when a frozen view is still open (one at a time)
     */
    public FrozenStore freeze() {
        FrozenStore view = tryFreeze();
        if (view == null) {
            throw new IllegalStateException("a frozen view of the store is still open");
        }
        return view;
    }

    private FrozenStore tryFreeze() {
        lock.writeLock().lock();
        try {
            if (frozen != null) {
                return null;
            }
            frozen = new FrozenStore(this, lock.readLock(), true, currentIndex, root, watcherHub.history().events(),
                    stats.toMap());
            return frozen;
        } finally {
            unlockWrite();
        }
    }

    /**
     * Replaces the whole store by a state from {@link #save()}: {@link StoreSnapshot#decode} then
     * {@link #recover(StoreSnapshot)}. Pending watchers are ended with error 400.
     *
     * @throws IllegalArgumentException when the bytes are not a saved store; the store is unchanged
     */
    public void recover(byte[] state) {
        recover(StoreSnapshot.decode(state));
    }

    /**
     * Replaces the whole store by a decoded snapshot, which cannot fail for a bad image (it was
     * checked when decoded) and is quick: the nodes are taken over as they are. Pending watchers are
     * ended with error 400, since the changes they wait for may never be seen as events.
     *
     * @throws IllegalStateException when the snapshot was already installed (in any store)
     */
    public void recover(StoreSnapshot snapshot) {
        snapshot.claim();
        lock.writeLock().lock();
        try {
            root = snapshot.root();
            currentIndex = snapshot.index();
            watcherHub.history().replaceWith(snapshot.history());
            stats.restore(snapshot.stats());
            ttlQueue.clear();
            snapshot.expiring().forEach(ttlQueue::add);
            watcherHub.clearAll(new EtcdException(EtcdException.WATCHER_CLEARED, "", currentIndex));
        } finally {
            unlockWrite();
        }
    }

    /**
     * Set and create: makes the missing parent directories (at the new index, without events of
     * their own), then the node. {@code replace} lets a file (never a directory) be replaced.
     */
    private Event createNode(String path, boolean dir, String value, boolean unique, boolean replace,
                             Instant expireTime, String action) {
        long nextIndex = currentIndex + 1;
        String key = KeyPath.clean(unique ? (path == null ? "" : path) + "/" + nextIndex : path);
        if (key.equals("/")) {
            throw new EtcdException(EtcdException.ROOT_READ_ONLY, "/", currentIndex);
        }
        if (expireTime != null && expireTime.isBefore(MIN_EXPIRE_TIME)) {
            expireTime = null;
        }
        Node parent;
        try {
            parent = makeDirectories(KeyPath.parent(key), nextIndex);
        } catch (EtcdException e) {
            // the reference counts a set failure here for creates too, and twice for sets
            stats.inc(Counter.SETS_FAIL);
            throw e;
        }
        String name = KeyPath.name(key);
        Node existing = parent.child(name);
        String prevValue = null;
        NodeView prevNode = null;
        if (existing != null) {
            if (!replace) {
                throw new EtcdException(EtcdException.NODE_EXIST, key, currentIndex);
            }
            if (existing.isDir()) {
                throw new EtcdException(EtcdException.NOT_FILE, key, currentIndex);
            }
            prevValue = existing.value;
            prevNode = existing.previousView(clock.instant());
            preserve(existing);
            existing.remove(ttlQueue::remove, frozen == null);
        }
        Node node = dir ? Node.directory(key, nextIndex, parent, expireTime)
                : Node.file(key, value, nextIndex, parent, expireTime);
        preserve(parent);
        parent.addChild(node, frozen == null);
        ttlQueue.add(node);
        Event event = new Event(action, new NodeView(key, dir ? null : node.value, prevValue, dir,
                node.expireTime, node.ttl(clock.instant()), null, nextIndex, nextIndex), prevNode);
        currentIndex = nextIndex;
        watcherHub.notify(event);
        return event;
    }

    /** Walks to the directory at {@code dirKey}, creating missing directories at {@code index}. */
    private Node makeDirectories(String dirKey, long index) {
        Node current = root;
        for (String part : KeyPath.components(dirKey)) {
            Node child = current.child(part);
            if (child == null) {
                child = Node.directory(KeyPath.join(current.path, part), index, current, null);
                preserve(current);
                current.addChild(child, frozen == null);
            } else if (!child.isDir()) {
                throw new EtcdException(EtcdException.NOT_DIR, child.path, currentIndex);
            }
            current = child;
        }
        return current;
    }

    /** The node at a cleaned key; the error names the first missing component or the file in the way. */
    private Node find(String key) {
        Node current = root;
        for (String part : KeyPath.components(key)) {
            if (!current.isDir()) {
                throw new EtcdException(EtcdException.NOT_DIR, current.path, currentIndex);
            }
            Node child = current.child(part);
            if (child == null) {
                throw new EtcdException(EtcdException.KEY_NOT_FOUND, KeyPath.join(current.path, part), currentIndex);
            }
            current = child;
        }
        return current;
    }

    /**
     * Applies an expiration from update or compare-and-swap. Null keeps the current one: the
     * reference shows it still but forgets to expire the node; here the node really expires then.
     */
    private void updateExpireTime(Node node, Instant expireTime) {
        if (expireTime == null) {
            return;
        }
        ttlQueue.remove(node);
        node.expireTime = expireTime;
        ttlQueue.add(node);
    }

    /** Publishes what the lock-free readers see, then releases the write lock. */
    private void unlockWrite() {
        nextExpiration = ttlQueue.nextExpiration();
        lock.writeLock().unlock();
    }

    /** Removes a subtree, waking watchers of every removed key with the delete or expire event. */
    private void removeNotifying(Node node, Event event) {
        preserve(node);
        node.remove(removed -> {
            ttlQueue.remove(removed);
            watcherHub.notifyWatchers(event, removed.path, true);
        }, frozen == null);
    }

    /** Before a write changes {@code node}: keeps its fields for the snapshot under way, if any. */
    private void preserve(Node node) {
        if (frozen != null) {
            frozen.preserve(node);
        }
    }

    /** Whether a writer waits for the lock, so that a {@link FrozenStore} slice should end. */
    boolean writerWaiting() {
        return lock.hasQueuedThreads();
    }

    /** Closes a frozen view: writes no longer preserve nodes for it. */
    void thaw(FrozenStore view) {
        lock.writeLock().lock();
        try {
            if (frozen == view) {
                frozen = null;
            }
            view.closed();
        } finally {
            unlockWrite();
        }
    }
}
