package io.etcdj.server;

import io.etcdj.store.EtcdException;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Client commands on their way through the log, by request id: the node loop registers one when
 * it proposes it, the applier completes it when its entry is applied, and the loop fails them all
 * when leadership is lost (their entries may still commit under a new leader: the outcome is then
 * unknown to the client, as with any timeout).
 */
final class Proposals {
    private final Map<Long, CompletableFuture<Object>> waiting = new ConcurrentHashMap<>();

    void register(long requestId, CompletableFuture<Object> future) {
        waiting.put(requestId, future);
    }

    /** The future of the command with this id, if it was proposed here and still waits. */
    CompletableFuture<Object> take(long requestId) {
        return waiting.remove(requestId);
    }

    void failAll(EtcdException why) {
        waiting.values().removeIf(f -> {
            f.completeExceptionally(why);
            return true;
        });
    }
}
