package io.etcdj.server;

import io.etcdj.raft.ConfChange;
import io.etcdj.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a committed entry does: a command changes the store, a membership change registers or
 * unregisters a machine under {@code /_etcd/machines}. Deterministic, so every member that applies
 * the same log holds the same store.
 */
final class StateMachine {
    private static final Logger LOG = LoggerFactory.getLogger(StateMachine.class);

    private final Store store;
    private final Registry registry;
    private final int maxClusterSize;

    StateMachine(Store store, Registry registry, int maxClusterSize) {
        this.store = store;
        this.registry = registry;
        this.maxClusterSize = maxClusterSize;
    }

    /** Applies a command; returns its store event (or null), or throws its store error. */
    Object execute(Command command) {
        if (command instanceof Command.Set c) {
            return store.set(c.key(), c.dir(), c.value(), c.expireTime());
        } else if (command instanceof Command.Create c) {
            return store.create(c.key(), c.dir(), c.value(), c.unique(), c.expireTime());
        } else if (command instanceof Command.Update c) {
            return store.update(c.key(), c.value(), c.expireTime());
        } else if (command instanceof Command.CompareAndSwap c) {
            return store.compareAndSwap(c.key(), c.prevValue(), c.prevIndex(), c.value(), c.expireTime());
        } else if (command instanceof Command.Delete c) {
            return store.delete(c.key(), c.dir(), c.recursive());
        } else if (command instanceof Command.CompareAndDelete c) {
            return store.compareAndDelete(c.key(), c.prevValue(), c.prevIndex());
        } else if (command instanceof Command.Refresh c) {
            return store.refresh(c.key(), c.expireTime());
        } else if (command instanceof Command.Sync c) {
            store.deleteExpiredKeys(c.now());
            return null;
        } else if (command instanceof Command.Join c) {
            return registry.register(c, maxClusterSize);
        }
        throw new IllegalStateException("unknown command " + command);
    }

    void applyMembership(ConfChange change) {
        if (change.type() == ConfChange.Type.REMOVE_MEMBER) {
            registry.unregister(change.member());
            LOG.info("machine {} left the cluster", change.member());
            return;
        }
        if (change.context() != null && change.context().length > 0
                && CommandCodec.decode(change.context()).command() instanceof Command.Join join) {
            // The size limit was checked when the join was proposed; the log decides now.
            if (registry.register(join, 0)) {
                LOG.info("machine {} joined (peer {}, client {})", join.name(), join.raftUrl(), join.etcdUrl());
            }
        }
    }
}
