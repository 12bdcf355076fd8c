package io.etcdj.store;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pending watchers, by the key they watch, and the event history they can catch up from.
 * Registration and notification run under the store's write lock; the hub's own monitor only
 * guards against {@link Watcher#cancel()} arriving from another thread.
 */
final class WatcherHub {
    private static final Logger LOG = LoggerFactory.getLogger(WatcherHub.class);

    private final Map<String, Set<PendingWatcher>> watchers = new HashMap<>();
    private final EventHistory history;
    private long count;
    /** The thread whose wake-ups are held back (see {@link #hold()}), or null. */
    private volatile Thread holder;
    /** The wake-ups held back; only {@link #holder} touches the list. */
    private final List<Wake> held = new ArrayList<>();

    /** The watchers one event woke at one path, to be told together. */
    private record Wake(Event event, List<PendingWatcher> watchers) {
    }

    WatcherHub(int historyCapacity) {
        this.history = new EventHistory(historyCapacity);
    }

    EventHistory history() {
        return history;
    }

    /**
     * Serves a watch from the history when an event at or after {@code sinceIndex} matches,
     * otherwise registers it for the next matching change.
     */
    Watcher watch(String key, boolean recursive, long sinceIndex, long currentIndex, Consumer<Event> listener,
                  Consumer<EtcdException> onCleared) {
        Event past = history.scan(key, recursive, sinceIndex, currentIndex);
        if (past != null) {
            deliver(listener, past);
            return () -> { };
        }
        PendingWatcher watcher = new PendingWatcher(key, recursive, sinceIndex, listener, onCleared);
        synchronized (this) {
            watchers.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(watcher);
            count++;
        }
        return watcher;
    }

    /** Records the event in the history without waking anyone (a refresh). */
    void record(Event event) {
        history.add(event);
    }

    /**
     * Records the event and wakes the watchers of its key and the recursive watchers of every
     * directory above it (the root included), the root first.
     */
    void notify(Event event) {
        history.add(event);
        String key = event.node().key();
        List<String> paths;
        synchronized (this) {
            if (watchers.isEmpty()) {
                return;
            }
            // Of the key and its ancestors, only those with watchers matter. Listing every ancestor
            // of a deep key costs its depth times its length; with fewer watched paths than that
            // depth, test each watched path instead.
            int depth = 1 + (int) key.chars().filter(c -> c == '/').count();
            if (watchers.size() < depth) {
                paths = new ArrayList<>();
                for (String watched : watchers.keySet()) {
                    if (isSelfOrAncestor(watched, key)) {
                        paths.add(watched);
                    }
                }
                paths.sort(Comparator.comparingInt(String::length));
            } else {
                paths = null;
            }
        }
        if (paths == null) {
            notifyWatchers(event, "/", false);
            for (int slash = key.indexOf('/', 1); ; slash = key.indexOf('/', slash + 1)) {
                if (key.length() > 1) {
                    notifyWatchers(event, slash < 0 ? key : key.substring(0, slash), false);
                }
                if (slash < 0) {
                    break;
                }
            }
            return;
        }
        for (String path : paths) {
            notifyWatchers(event, path, false);
        }
    }

    /** Whether the cleaned key {@code path} is {@code key} or a directory above it. */
    private static boolean isSelfOrAncestor(String path, String key) {
        if (path.equals("/")) {
            return true;
        }
        return key.startsWith(path) && (key.length() == path.length() || key.charAt(path.length()) == '/');
    }

    /**
     * Wakes the watchers registered at {@code path} that want the event: recursive ones, ones
     * watching exactly the event's key, and all of them when {@code path} was just deleted.
     */
    void notifyWatchers(Event event, String path, boolean deleted) {
        List<PendingWatcher> fired;
        synchronized (this) {
            Set<PendingWatcher> atPath = watchers.get(path);
            if (atPath == null) {
                return;
            }
            fired = new ArrayList<>(atPath.size());
            boolean originalPath = event.node().key().equals(path);
            for (var it = atPath.iterator(); it.hasNext(); ) {
                PendingWatcher watcher = it.next();
                if ((watcher.recursive || originalPath || deleted) && event.index() >= watcher.sinceIndex) {
                    it.remove();
                    count--;
                    fired.add(watcher);
                }
            }
            if (atPath.isEmpty()) {
                watchers.remove(path);
            }
        }
        if (Thread.currentThread() == holder) {
            held.add(new Wake(event, fired));
            return;
        }
        for (PendingWatcher watcher : fired) {
            deliver(watcher.listener, event);
        }
    }

    /**
     * From now on the watchers woken by this thread's changes are told only at {@link #release()}.
     * The applier holds them while it applies a batch of entries, so that the writers of those
     * entries are answered first: a write that wakes a thousand watchers then waits for none of
     * them. The watchers are unregistered at once, as without holding, so none is told twice.
     */
    void hold() {
        holder = Thread.currentThread();
    }

    /** Tells the watchers held back since {@link #hold()}, in the order they were woken. */
    void release() {
        if (holder != Thread.currentThread()) {
            return;
        }
        holder = null;
        for (Wake wake : held) {
            for (PendingWatcher watcher : wake.watchers()) {
                deliver(watcher.listener, wake.event());
            }
        }
        held.clear();
    }

    /**
     * Ends every pending watch with {@code error}: the store was replaced (a snapshot installed), so
     * the changes they wait for may never be seen as events.
     */
    void clearAll(EtcdException error) {
        List<PendingWatcher> all = new ArrayList<>();
        synchronized (this) {
            watchers.values().forEach(all::addAll);
            watchers.clear();
            count = 0;
        }
        for (PendingWatcher watcher : all) {
            try {
                watcher.onCleared.accept(error);
            } catch (RuntimeException e) {
                LOG.warn("watch listener failed on clearing {}", watcher.key, e);
            }
        }
    }

    synchronized long count() {
        return count;
    }

    private synchronized void cancel(PendingWatcher watcher) {
        Set<PendingWatcher> atPath = watchers.get(watcher.key);
        if (atPath != null && atPath.remove(watcher)) {
            count--;
            if (atPath.isEmpty()) {
                watchers.remove(watcher.key);
            }
        }
    }

    private static void deliver(Consumer<Event> listener, Event event) {
        try {
            listener.accept(event);
        } catch (RuntimeException e) {
            // a faulty listener must not break the write that woke it
            LOG.warn("watch listener failed on {} {}", event.action(), event.node().key(), e);
        }
    }

    private final class PendingWatcher implements Watcher {
        final String key;
        final boolean recursive;
        final long sinceIndex;
        final Consumer<Event> listener;
        final Consumer<EtcdException> onCleared;

        PendingWatcher(String key, boolean recursive, long sinceIndex, Consumer<Event> listener,
                       Consumer<EtcdException> onCleared) {
            this.key = key;
            this.recursive = recursive;
            this.sinceIndex = sinceIndex;
            this.listener = listener;
            this.onCleared = onCleared;
        }

        @Override
        public void cancel() {
            WatcherHub.this.cancel(this);
        }
    }
}
