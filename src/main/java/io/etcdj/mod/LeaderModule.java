package io.etcdj.mod;

import io.etcdj.http.ClientRequest;
import io.etcdj.http.Reply;
import io.etcdj.http.RouteHandler;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code /mod/v2/leader/<key>}: leader election on top of the lock of the same key. Setting a
 * leader acquires the lock with the name as its value (so setting it again renews it, and another
 * name waits for its turn, taking over when the leader's TTL lapses or it steps down); reading it
 * reads the lock's value; deleting it releases the lock held by that name. The reference relayed
 * these to its lock module over HTTP and prefixed the lock's errors; the answers keep that shape.
 */
public final class LeaderModule {
    private final LockModule lock;

    public LeaderModule(LockModule lock) {
        this.lock = lock;
    }

    /** The route of the module, to mount on the prefix {@code /mod/v2/leader}. */
    public RouteHandler routes() {
        return new ModuleMount("/mod/v2/leader", Map.of(
                "GET", (request, key) -> get(key),
                "PUT", this::set,
                "DELETE", this::delete));
    }

    private CompletableFuture<Reply> set(ClientRequest request, String key) {
        String name = request.form().get("name");
        if (name.isEmpty()) {
            return ModReplies.failed("leader name required");
        }
        return lock.acquire(request, key, name, request.form().get("timeout"), request.form().get("ttl"))
                .thenApply(reply -> ModReplies.relayed(reply, "set leader error: ", null));
    }

    private CompletableFuture<Reply> get(String key) {
        // the reference wrote its prefix before the status, which made every failure a 200
        return lock.lookup(key, "value")
                .thenApply(reply -> ModReplies.relayed(reply, "get leader error: ", HttpResponseStatus.OK));
    }

    private CompletableFuture<Reply> delete(ClientRequest request, String key) {
        String name = request.form().get("name");
        if (name.isEmpty()) {
            return ModReplies.failed("leader name required");
        }
        return lock.release(request, key, "", name)
                .thenApply(reply -> ModReplies.relayed(reply, "delete leader error: ", null));
    }
}
