package io.etcdj.store;

import java.time.Instant;
import java.util.Comparator;
import java.util.TreeSet;

/**
 * The nodes that expire, earliest first. A node must be taken out before its expiration changes
 * and put back after. Ties are broken by creation index, then by key (unique among the nodes in
 * the tree), which costs no field per node.
 */
final class TtlQueue {
    private final TreeSet<Node> nodes = new TreeSet<>(
            Comparator.comparing((Node n) -> n.expireTime).thenComparingLong(n -> n.createdIndex)
                    .thenComparing(n -> n.path));

    void add(Node node) {
        if (node.expireTime != null) {
            nodes.add(node);
        }
    }

    void remove(Node node) {
        if (node.expireTime != null) {
            nodes.remove(node);
        }
    }

    /** The node that expires first, or null. */
    Node first() {
        return nodes.isEmpty() ? null : nodes.first();
    }

    Instant nextExpiration() {
        Node first = first();
        return first == null ? null : first.expireTime;
    }

    int size() {
        return nodes.size();
    }

    void clear() {
        nodes.clear();
    }
}
