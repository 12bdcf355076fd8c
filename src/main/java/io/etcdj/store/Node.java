package io.etcdj.store;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One node of the key tree: a file holding a value, or a directory holding named children. Not
 * thread-safe; the store guards it with its lock.
 */
final class Node {
    /** Go's time.Duration saturates at about 292 years; TTLs are reported within that range. */
    private static final long MAX_DURATION_SECONDS = Long.MAX_VALUE / 1_000_000_000L;
    private static final AtomicLong SEQUENCE = new AtomicLong();
    private static final Comparator<NodeView> BY_KEY = (a, b) -> KeyPath.compareBytewise(a.key(), b.key());

    final String path;
    final long createdIndex;
    long modifiedIndex;
    Node parent;
    Instant expireTime;
    String value;
    /** Null for a file. */
    final Map<String, Node> children;
    /** Unique per node, so the TTL queue can order nodes that expire at the same instant. */
    final long sequence = SEQUENCE.incrementAndGet();

    private Node(String path, long createdIndex, Node parent, Instant expireTime, String value,
                 Map<String, Node> children) {
        this.path = path;
        this.createdIndex = createdIndex;
        this.modifiedIndex = createdIndex;
        this.parent = parent;
        this.expireTime = expireTime;
        this.value = value;
        this.children = children;
    }

    static Node file(String path, String value, long createdIndex, Node parent, Instant expireTime) {
        return new Node(path, createdIndex, parent, expireTime, value == null ? "" : value, null);
    }

    static Node directory(String path, long createdIndex, Node parent, Instant expireTime) {
        return new Node(path, createdIndex, parent, expireTime, "", new LinkedHashMap<>());
    }

    boolean isDir() {
        return children != null;
    }

    boolean isPermanent() {
        return expireTime == null;
    }

    /** Hidden nodes (name starting with {@code _}) are left out of listings. */
    boolean isHidden() {
        String name = name();
        return !name.isEmpty() && name.charAt(0) == '_';
    }

    String name() {
        return KeyPath.name(path);
    }

    Node child(String name) {
        return children == null ? null : children.get(name);
    }

    void addChild(Node child) {
        children.put(child.name(), child);
    }

    /**
     * Checks whether this node may be removed with the given flags; null when it may.
     * A directory needs {@code dir}, and {@code recursive} unless it is empty.
     */
    EtcdException checkRemovable(boolean dir, boolean recursive, long index) {
        if (isDir()) {
            if (!dir) {
                return new EtcdException(EtcdException.NOT_FILE, path, index);
            }
            if (!children.isEmpty() && !recursive) {
                return new EtcdException(EtcdException.DIR_NOT_EMPTY, path, index);
            }
        }
        return null;
    }

    /** Detaches this node and everything below it, reporting each removed node, children first. */
    void remove(Consumer<Node> onRemoved) {
        if (isDir()) {
            for (Node child : new ArrayList<>(children.values())) {
                child.remove(onRemoved);
            }
        }
        if (parent != null && parent.children.get(name()) == this) {
            parent.children.remove(name());
        }
        onRemoved.accept(this);
    }

    /** Every node in this subtree, this one included. */
    void collect(Collection<Node> into) {
        into.add(this);
        if (isDir()) {
            for (Node child : children.values()) {
                child.collect(into);
            }
        }
    }

    /** Seconds left as the reference computes them: whole seconds truncated, plus one. */
    static long ttlSeconds(Instant expireTime, Instant now) {
        Duration left = Duration.between(now, expireTime);
        long seconds = left.getSeconds();
        if (seconds < 0 && left.getNano() > 0) {
            seconds++; // truncate toward zero, like Go's integer division of durations
        }
        seconds = Math.max(-MAX_DURATION_SECONDS, Math.min(MAX_DURATION_SECONDS, seconds));
        return seconds + 1;
    }

    long ttl(Instant now) {
        return expireTime == null ? 0 : ttlSeconds(expireTime, now);
    }

    /**
     * The node as listed inside a directory: files with their value, directories with their
     * children only when {@code recursive}. Hidden children are left out.
     */
    NodeView view(boolean recursive, boolean sorted, Instant now) {
        if (!isDir()) {
            return new NodeView(path, value, null, false, expireTime, ttl(now), null, modifiedIndex, createdIndex);
        }
        List<NodeView> nodes = recursive ? listChildren(true, sorted, now) : null;
        return new NodeView(path, null, null, true, expireTime, ttl(now), nodes, modifiedIndex, createdIndex);
    }

    /** The visible children of this directory. */
    List<NodeView> listChildren(boolean recursive, boolean sorted, Instant now) {
        List<NodeView> nodes = new ArrayList<>(children.size());
        for (Node child : children.values()) {
            if (!child.isHidden()) {
                nodes.add(child.view(recursive, sorted, now));
            }
        }
        if (sorted) {
            nodes.sort(BY_KEY);
        }
        return List.copyOf(nodes);
    }
}
