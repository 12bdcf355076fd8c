package io.etcdj.store;

/**
 * The outcome of one store operation or a change seen by a watcher.
 *
 * @param action one of {@code get, set, create, update, compareAndSwap, delete, expire}
 * @param node   the node the action touched
 */
public record Event(String action, NodeView node) {
    public static final String GET = "get";
    public static final String SET = "set";
    public static final String CREATE = "create";
    public static final String UPDATE = "update";
    public static final String COMPARE_AND_SWAP = "compareAndSwap";
    public static final String DELETE = "delete";
    public static final String EXPIRE = "expire";

    /** The index of the change: the node's modified index. */
    public long index() { return node.modifiedIndex(); }
}
