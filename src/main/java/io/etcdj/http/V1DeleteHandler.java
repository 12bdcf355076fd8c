package io.etcdj.http;

import io.etcdj.server.Command;

import java.util.concurrent.CompletableFuture;

/** {@code DELETE /v1/keys/...}: removes a key; v1 never deletes directories. */
final class V1DeleteHandler implements RouteHandler {
    private final CommandDispatch dispatch;

    V1DeleteHandler(CommandDispatch dispatch) {
        this.dispatch = dispatch;
    }

    @Override
    public CompletableFuture<Reply> handle(ClientRequest request) {
        return dispatch.v1(new Command.Delete(request.key(), false, false), request);
    }
}
