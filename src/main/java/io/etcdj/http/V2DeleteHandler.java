package io.etcdj.http;

import io.etcdj.server.Command;

import java.util.concurrent.CompletableFuture;

/** {@code DELETE /v2/keys/...}: a directory needs {@code dir=true} or {@code recursive=true}. */
final class V2DeleteHandler implements RouteHandler {
    private final CommandDispatch dispatch;

    V2DeleteHandler(CommandDispatch dispatch) {
        this.dispatch = dispatch;
    }

    @Override
    public CompletableFuture<Reply> handle(ClientRequest request) {
        FormValues form = request.form();
        return dispatch.v2(new Command.Delete(request.key(), form.isTrue("dir"), form.isTrue("recursive")), request);
    }
}
