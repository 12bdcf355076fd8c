package io.etcdj.mod;

import io.etcdj.http.DecimalNumbers;
import io.etcdj.http.RequestTarget;
import io.etcdj.store.Event;
import io.etcdj.store.NodeView;
import io.etcdj.store.Store;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The queue of one lock as the store holds it: every acquire adds an in-order child below
 * {@code /_etcd/mod/lock/<key>}, and the child with the lowest index holds the lock while the
 * others wait in index order. A snapshot taken by one read of the store.
 */
final class LockNodes {
    /** Where the locks live in the key space (the leader module shares it). */
    static final String PREFIX = "/_etcd/mod/lock";

    private final List<LockNode> nodes;

    private LockNodes(List<LockNode> nodes) {
        this.nodes = nodes;
    }

    /** The store directory of the lock named by the route's key. */
    static String lockPath(String key) {
        return join(PREFIX, key);
    }

    /** Joins and cleans two path parts, as Go's {@code path.Join}: rooted, no trailing slash. */
    static String join(String dir, String name) {
        String cleaned = RequestTarget.cleanPath(dir + "/" + name);
        return cleaned.length() > 1 && cleaned.endsWith("/") ? cleaned.substring(0, cleaned.length() - 1) : cleaned;
    }

    /**
     * Reads the lock's children, ordered by rank (ties by name).
     *
     * @throws io.etcdj.store.EtcdException as the store's get does (100 when there is no such lock)
     */
    static LockNodes read(Store store, String lockPath) {
        Event event = store.get(lockPath, true, true);
        List<NodeView> children = event.node().nodes();
        List<LockNode> nodes = new ArrayList<>(children == null ? 0 : children.size());
        if (children != null) {
            for (NodeView child : children) {
                String name = child.key().substring(child.key().lastIndexOf('/') + 1);
                nodes.add(new LockNode(child.key(), name, rank(name), child.value() == null ? "" : child.value(),
                        child.dir()));
            }
        }
        nodes.sort(Comparator.comparingLong(LockNode::rank));
        return new LockNodes(nodes);
    }

    /** The number a lock node's name spells, 0 when it spells none. */
    static long rank(String name) {
        try {
            return DecimalNumbers.parseSigned(name);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The first child in rank order: what a lookup reports as the holder. */
    LockNode first() {
        return nodes.isEmpty() ? null : nodes.get(0);
    }

    /** The position, in rank order, of the first child holding {@code value}; -1 when none does. */
    int positionOf(String value) {
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).value().equals(value)) {
                return i;
            }
        }
        return -1;
    }

    LockNode get(int position) {
        return nodes.get(position);
    }

    /** The child with this rank, or null. */
    LockNode byRank(long rank) {
        for (LockNode node : nodes) {
            if (node.rank() == rank) {
                return node;
            }
        }
        return null;
    }

    /**
     * The waiter just ahead of {@code rank}, or null when {@code rank} is at the head of the queue.
     * Children whose names are not numbers (the directories of nested locks) are not waiters.
     */
    LockNode ahead(long rank) {
        LockNode ahead = null;
        for (LockNode node : nodes) {
            if (node.rank() <= 0 || node.dir()) {
                continue;
            }
            if (node.rank() >= rank) {
                break;
            }
            ahead = node;
        }
        return ahead;
    }
}
