package io.etcdj.store;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;

/**
 * One node of the key tree: a file holding a value, or a directory holding named children. Not
 * thread-safe; the store guards it with its lock.
 */
final class Node {
    /** Go's time.Duration saturates at about 292 years; TTLs are reported within that range. */
    private static final long MAX_DURATION_SECONDS = Long.MAX_VALUE / 1_000_000_000L;
    private static final Comparator<NodeView> BY_KEY = (a, b) -> KeyPath.compareBytewise(a.key(), b.key());

    final String path;
    final long createdIndex;
    long modifiedIndex;
    Node parent;
    Instant expireTime;
    String value;
    /** Null for a file. */
    final Children children;
    /** Removed from its parent (it may still sit in the parent's slots, see {@link Children}). */
    boolean detached;

    private Node(String path, long createdIndex, Node parent, Instant expireTime, String value,
                 Children children) {
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
        return new Node(path, createdIndex, parent, expireTime, "", new Children());
    }


    boolean isDir() {
        return children != null;
    }

    boolean isPermanent() {
        return expireTime == null;
    }

    /** Hidden nodes (name starting with {@code _}) are left out of listings. */
    boolean isHidden() {
        int start = path.lastIndexOf('/') + 1;
        return start < path.length() && path.charAt(start) == '_';
    }

    String name() {
        return KeyPath.name(path);
    }

    Node child(String name) {
        return children == null ? null : children.get(name);
    }

    /** Adds a child; {@code compact} when no snapshot is under way (see {@link Children}). */
    void addChild(Node child, boolean compact) {
        children.add(child, compact);
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

    /**
     * Detaches this node and everything below it, reporting each removed node, children first.
     * Iterative, so a tree of any depth is removed without deep recursion. {@code compact} when
     * no snapshot is under way (see {@link Children}).
     */
    void remove(Consumer<Node> onRemoved, boolean compact) {
        if (parent != null) {
            parent.children.remove(this, compact);
        }
        if (!isDir()) {
            onRemoved.accept(this);
            return;
        }
        // Post-order walk: a directory is reported once all of its children are. The detached
        // subtree is unreachable, so its own maps are left as they are (no copy needed).
        Deque<Node> dirs = new ArrayDeque<>();
        Deque<Iterator<Node>> pending = new ArrayDeque<>();
        dirs.push(this);
        pending.push(children.iterator());
        while (!dirs.isEmpty()) {
            Iterator<Node> it = pending.peek();
            if (!it.hasNext()) {
                pending.pop();
                onRemoved.accept(dirs.pop());
                continue;
            }
            Node child = it.next();
            if (child.isDir()) {
                dirs.push(child);
                pending.push(child.children.iterator());
            } else {
                onRemoved.accept(child);
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
     * The visible (non-hidden) children of this directory as listed by a get, and below them when
     * {@code recursive}: files with their value, directories with their children only when
     * {@code recursive}. {@code sorted} orders every listing by key bytes. Built iteratively
     * (children before their directory), so a tree of any depth is listed without deep recursion.
     */
    List<NodeView> listChildren(boolean recursive, boolean sorted, Instant now) {
        Deque<Listing> open = new ArrayDeque<>();
        open.push(new Listing(this));
        while (true) {
            Listing top = open.peek();
            if (top.children.hasNext()) {
                Node child = top.children.next();
                if (child.isHidden()) {
                    continue;
                }
                if (child.isDir() && recursive) {
                    open.push(new Listing(child));
                } else {
                    top.views.add(child.isDir()
                            ? new NodeView(child.path, null, null, true, child.expireTime, child.ttl(now), null,
                                    child.modifiedIndex, child.createdIndex)
                            : new NodeView(child.path, child.value, null, false, child.expireTime, child.ttl(now),
                                    null, child.modifiedIndex, child.createdIndex));
                }
                continue;
            }
            open.pop();
            if (sorted) {
                top.views.sort(BY_KEY);
            }
            List<NodeView> listed = List.copyOf(top.views);
            if (open.isEmpty()) {
                return listed;
            }
            Node dir = top.dir;
            open.peek().views.add(new NodeView(dir.path, null, null, true, dir.expireTime, dir.ttl(now), listed,
                    dir.modifiedIndex, dir.createdIndex));
        }
    }

    /** A directory whose listing is being built: the children still to visit and the views so far. */
    private static final class Listing {
        final Node dir;
        final Iterator<Node> children;
        final List<NodeView> views;

        Listing(Node dir) {
            this.dir = dir;
            this.children = dir.children.iterator();
            this.views = new ArrayList<>(dir.children.size());
        }
    }

    /**
     * The node as a write's, delete's or expiry's {@code prevNode} reports it: without its
     * children, and with no time left (rather than a negative one) once it has expired.
     */
    NodeView previousView(Instant now) {
        return new NodeView(path, isDir() ? null : value, null, isDir(), expireTime, Math.max(0, ttl(now)), null,
                modifiedIndex, createdIndex);
    }
}
