package io.etcdj.server;

import io.etcdj.store.Store;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** What the client HTTP layer needs from the node. */
public interface EtcdServer {
    String name();

    Store store();

    /**
     * Proposes a command through the log. The future completes after the command is durable and
     * applied: with the store {@link io.etcdj.store.Event} for key commands, or exceptionally with
     * an {@link io.etcdj.store.EtcdException} when applying it failed (or another error when the
     * node could not commit it).
     */
    CompletableFuture<Object> propose(Command command);

    /** Completes when a read issued now may be served linearizably from the local store. */
    CompletableFuture<Void> linearizableRead();

    boolean isLeader();

    /**
     * Why this machine refuses writes now (its disk is full or fails), as the error 300 to answer
     * them with at once; null while it takes them. A machine that refuses writes answers them
     * itself rather than redirect: it drops peer messages meanwhile, so its idea of the leader is
     * stale.
     */
    default io.etcdj.store.EtcdException writesRefused() {
        return null;
    }

    /** Peer URL of the current leader, or empty when none is known. */
    String leaderPeerUrl();

    /** Client URL of the current leader, or empty when none is known. */
    String leaderClientUrl();

    /** Client URLs of all machines, this one first. */
    List<String> clientUrls();

    long raftIndex();

    long raftTerm();

    /** JSON of {@code /v2/stats/self}. */
    String selfStatsJson();

    /** JSON of {@code /v2/stats/leader}. */
    String leaderStatsJson();

    /** The name of the leader this machine knows, or empty. */
    default String leaderName() {
        return "";
    }

    /** The machines of the cluster as the applied log records them, in no particular order. */
    default List<Registry.Machine> machines() {
        return List.of();
    }

    /**
     * Completes with whether this machine knows a leader that reaches a quorum (see
     * {@code /health} in docs/api.md); never exceptionally.
     */
    default CompletableFuture<Boolean> healthy() {
        return CompletableFuture.completedFuture(false);
    }

    /**
     * The store reads v0.2.0 made to find the leader's URLs (answering {@code /v2/leader},
     * redirecting to the leader), made here so that {@code /v2/stats/store} counts them too.
     */
    default void leaderLookedUp() {
    }

    /** The store reads v0.2.0 made to answer {@code /v2/machines}, for the same reason. */
    default void machinesListed() {
    }
}
