package io.etcdj.peer;

import io.etcdj.raft.Message;

import java.util.concurrent.CompletableFuture;

/**
 * What the peer listener needs from the machine it serves. Every method is called from a network
 * thread and must not block: {@link #receive} hands the message to the node loop, and the futures
 * complete when the node has an answer.
 */
public interface PeerService {
    /** This machine's name, as the cluster knows it. */
    String name();

    /** This machine's client URL, e.g. {@code http://127.0.0.1:4001}. */
    String clientUrl();

    /** This machine's peer URL, e.g. {@code http://127.0.0.1:7001}. */
    String peerUrl();

    /** The store version this machine runs, answered on {@code GET /version}. */
    default int storeVersion() {
        return JoinRequest.MAX_VERSION;
    }

    /**
     * A machine opened a Raft stream to this one and said where it listens. Must not block. A
     * machine that has not yet learned its peers from the log needs this to answer them.
     */
    default void peerSeen(String name, String peerUrl) {
    }

    /** A message from another member, for the Raft core. Must not block; drop it when overloaded. */
    void receive(Message m);

    /**
     * Proposes that a machine join the cluster. Completes with {@link ChangeOutcome.Committed}
     * once the join is applied, with {@link ChangeOutcome.NotLeader} when another machine leads,
     * or exceptionally with an {@link io.etcdj.store.EtcdException} (e.g. 103 when the cluster is
     * full, 300 when there is no leader), which is sent to the caller as the reference does.
     */
    CompletableFuture<ChangeOutcome> join(JoinRequest request);

    /** Proposes removing a machine; completes as {@link #join} does. */
    CompletableFuture<ChangeOutcome> remove(String name);
}
