package io.etcdj.store;

import java.time.Clock;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * The in-memory hierarchical key space of etcd v0.2. Thread-safe. All mutations are applied by the
 * node in log order; the expiration times they carry are absolute, decided when the command was
 * built, so every replica computes the same result.
 */
public final class Store {
    public Store(Clock clock) { throw new UnsupportedOperationException("TODO"); }

    /** The current store index: the index of the last change. */
    public long index() { throw new UnsupportedOperationException("TODO"); }

    public Event get(String path, boolean recursive, boolean sorted) { throw new UnsupportedOperationException("TODO"); }

    /** @param expireTime null for a permanent node */
    public Event set(String path, boolean dir, String value, Instant expireTime) { throw new UnsupportedOperationException("TODO"); }

    public Event update(String path, String value, Instant expireTime) { throw new UnsupportedOperationException("TODO"); }

    public Event create(String path, boolean dir, String value, boolean unique, Instant expireTime) { throw new UnsupportedOperationException("TODO"); }

    /** @param prevValue null or empty when not compared; @param prevIndex 0 when not compared */
    public Event compareAndSwap(String path, String prevValue, long prevIndex, String value, Instant expireTime) { throw new UnsupportedOperationException("TODO"); }

    public Event delete(String path, boolean dir, boolean recursive) { throw new UnsupportedOperationException("TODO"); }

    /**
     * Registers a watch. With {@code sinceIndex > 0} a matching event already in the history is
     * delivered at once (the listener is called before this returns). The listener is called at
     * most once, under the store's lock: it must be quick and must not call back into the store.
     */
    public Watcher watch(String prefix, boolean recursive, long sinceIndex, Consumer<Event> listener) { throw new UnsupportedOperationException("TODO"); }

    /** Removes every node whose expiration is at or before {@code cutoff}, emitting expire events. */
    public void deleteExpiredKeys(Instant cutoff) { throw new UnsupportedOperationException("TODO"); }

    /** The earliest expiration of any node, or null when none expires. */
    public Instant nextExpiration() { throw new UnsupportedOperationException("TODO"); }

    /** The store statistics as the JSON of {@code /v2/stats/store}. */
    public String statsJson() { throw new UnsupportedOperationException("TODO"); }

    /** Number of successful and failed write operations (the reference's TotalTransactions). */
    public long totalTransactions() { throw new UnsupportedOperationException("TODO"); }
}
