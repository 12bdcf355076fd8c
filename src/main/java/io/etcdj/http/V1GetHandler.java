package io.etcdj.http;

import io.etcdj.server.EtcdServer;
import io.etcdj.store.Event;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.util.concurrent.CompletableFuture;

/** {@code GET /v1/keys/...}: a key, or a directory's children as an array, at the store's index. */
final class V1GetHandler implements RouteHandler {
    private final EtcdServer server;

    V1GetHandler(EtcdServer server) {
        this.server = server;
    }

    @Override
    public CompletableFuture<Reply> handle(ClientRequest request) {
        Event event = server.store().get(request.key(), false, false);
        byte[] body = EventJson.v1(event, server.store().index());
        return CompletableFuture.completedFuture(Reply.sniffedText(HttpResponseStatus.OK, body));
    }
}
