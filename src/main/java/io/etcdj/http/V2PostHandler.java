package io.etcdj.http;

import io.etcdj.server.Command;
import io.etcdj.server.EtcdServer;
import io.etcdj.store.EtcdException;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/** {@code POST /v2/keys/dir}: creates an in-order key under the directory, named by its index. */
final class V2PostHandler implements RouteHandler {
    private final EtcdServer server;
    private final CommandDispatch dispatch;
    private final Clock clock;

    V2PostHandler(EtcdServer server, CommandDispatch dispatch, Clock clock) {
        this.server = server;
        this.dispatch = dispatch;
        this.clock = clock;
    }

    @Override
    public CompletableFuture<Reply> handle(ClientRequest request) {
        FormValues form = request.form();
        Instant expireTime;
        try {
            expireTime = DecimalNumbers.expireTime(form.get("ttl"), clock);
        } catch (NumberFormatException e) {
            throw new EtcdException(EtcdException.TTL_NAN, "Create", server.store().index());
        }
        Command create = new Command.Create(request.key(), form.isTrue("dir"), form.get("value"), true, expireTime);
        return dispatch.v2(create, request);
    }
}
