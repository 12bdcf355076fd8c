package io.etcdj.http;

import java.util.concurrent.CompletableFuture;

/**
 * Answers one routed request. The future may complete on any thread; the connection writes the
 * reply on its own event loop. A future failing with an {@link io.etcdj.store.EtcdException} is
 * answered with that error, any other failure with a plain 500.
 */
@FunctionalInterface
public interface RouteHandler {
    CompletableFuture<Reply> handle(ClientRequest request) throws Exception;
}
