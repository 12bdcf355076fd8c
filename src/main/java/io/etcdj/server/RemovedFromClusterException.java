package io.etcdj.server;

/**
 * Handed to a node's fatal handler when the log removes this machine from its cluster. Unlike a
 * broken invariant this is an orderly end: answers already handed to the listeners (the removal's
 * own answer among them, when this machine led) may still go out before the process stops.
 */
public final class RemovedFromClusterException extends IllegalStateException {
    public RemovedFromClusterException() {
        super("removed from the cluster");
    }
}
