package io.etcdj.store;

/**
 * The outcome of one store operation or a change seen by a watcher.
 *
 * @param action   one of {@code get, set, create, update, compareAndSwap, compareAndDelete, delete,
 *                 expire}
 * @param node     the node the action touched
 * @param prevNode the node as it was before a write or delete replaced, changed or removed it (an
 *                 extension of later v2 versions, which v0.2.0 clients ignore); null when there was
 *                 none, and in events read back from a snapshot's history
 */
public record Event(String action, NodeView node, NodeView prevNode) {
    public static final String GET = "get";
    public static final String SET = "set";
    public static final String CREATE = "create";
    public static final String UPDATE = "update";
    public static final String COMPARE_AND_SWAP = "compareAndSwap";
    public static final String DELETE = "delete";
    public static final String EXPIRE = "expire";
    public static final String COMPARE_AND_DELETE = "compareAndDelete";

    /** An event without a previous node. */
    public Event(String action, NodeView node) {
        this(action, node, null);
    }

    /** The index of the change: the node's modified index. */
    public long index() { return node.modifiedIndex(); }
}
