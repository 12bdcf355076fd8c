package io.etcdj.http;

import io.etcdj.server.Command;
import io.etcdj.server.EtcdServer;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * {@code GET /v2/speedTest}: pushes 10000 sets of {@code /foo} through the log, several chains of
 * them in parallel, and answers once all are done. Failed sets are ignored, as in the reference.
 */
final class SpeedTestHandler implements RouteHandler {
    static final int CHAINS = 100;
    static final int SETS_PER_CHAIN = 100;

    private final EtcdServer server;

    SpeedTestHandler(EtcdServer server) {
        this.server = server;
    }

    @Override
    public CompletableFuture<Reply> handle(ClientRequest request) {
        CompletableFuture<?>[] chains = new CompletableFuture<?>[CHAINS];
        for (int i = 0; i < CHAINS; i++) {
            chains[i] = chain(SETS_PER_CHAIN, request.executor());
        }
        return CompletableFuture.allOf(chains)
                .thenApplyAsync(done -> Reply.text(HttpResponseStatus.OK, "speed test success"), request.executor());
    }

    /** Proposes the next set from the connection's loop, never from the node's that completed the last. */
    private CompletableFuture<Void> chain(int remaining, Executor loop) {
        if (remaining == 0) {
            return CompletableFuture.completedFuture(null);
        }
        return server.propose(new Command.Set("/foo", false, "bar", null))
                .handleAsync((result, failure) -> (Void) null, loop)
                .thenCompose(ignored -> chain(remaining - 1, loop));
    }
}
