package io.etcdj.http;

import io.etcdj.server.Command;
import io.etcdj.server.EtcdServer;
import io.etcdj.store.EtcdException;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * {@code POST|PUT /v1/keys/...}: sets a non-empty value; with {@code prevValue} a test-and-set
 * (an empty {@code prevValue} means "only if it does not exist yet").
 */
final class V1SetHandler implements RouteHandler {

    private final EtcdServer server;
    private final CommandDispatch dispatch;
    private final Clock clock;

    V1SetHandler(EtcdServer server, CommandDispatch dispatch, Clock clock) {
        this.server = server;
        this.dispatch = dispatch;
        this.clock = clock;
    }

    @Override
    public CompletableFuture<Reply> handle(ClientRequest request) {
        FormValues form = request.form();
        String key = request.key();
        String value = form.get("value");
        if (value.isEmpty()) {
            throw new EtcdException(EtcdException.VALUE_REQUIRED, "Set", server.store().index());
        }
        Instant expireTime;
        try {
            expireTime = DecimalNumbers.expireTime(form.get("ttl"), clock);
        } catch (NumberFormatException e) {
            throw new EtcdException(EtcdException.TTL_NAN, "Set", server.store().index());
        }
        Command command;
        if (form.has("prevValue")) {
            String prevValue = form.get("prevValue");
            command = prevValue.isEmpty()
                    ? new Command.Create(key, false, value, false, expireTime)
                    : new Command.CompareAndSwap(key, value, prevValue, 0, expireTime);
        } else {
            command = new Command.Set(key, false, value, expireTime);
        }
        return dispatch.v1(command, request);
    }
}
