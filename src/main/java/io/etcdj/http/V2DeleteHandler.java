package io.etcdj.http;

import io.etcdj.server.Command;
import io.etcdj.server.EtcdServer;
import io.etcdj.store.EtcdException;

import java.util.concurrent.CompletableFuture;

/**
 * {@code DELETE /v2/keys/...}: a directory needs {@code dir=true} or {@code recursive=true}. With
 * {@code prevValue} and/or {@code prevIndex} it is a compare-and-delete (an extension: v0.2.0
 * ignored both and deleted anyway, which made a conditional delete silently unconditional).
 */
final class V2DeleteHandler implements RouteHandler {
    private final EtcdServer server;
    private final CommandDispatch dispatch;

    V2DeleteHandler(EtcdServer server, CommandDispatch dispatch) {
        this.server = server;
        this.dispatch = dispatch;
    }

    @Override
    public CompletableFuture<Reply> handle(ClientRequest request) {
        FormValues form = request.form();
        if (form.has("prevValue") || form.has("prevIndex")) {
            return dispatch.v2(compareAndDelete(request.key(), form), request);
        }
        return dispatch.v2(new Command.Delete(request.key(), form.isTrue("dir"), form.isTrue("recursive")), request);
    }

    private Command compareAndDelete(String key, FormValues form) {
        long prevIndex = 0;
        if (form.has("prevIndex")) {
            try {
                prevIndex = DecimalNumbers.parseUnsigned(form.get("prevIndex"));
            } catch (NumberFormatException e) {
                throw new EtcdException(EtcdException.INDEX_NAN, "CompareAndDelete", server.store().index());
            }
        }
        String prevValue = form.get("prevValue");
        if (form.has("prevValue") && prevValue.isEmpty()) {
            throw new EtcdException(EtcdException.PREV_VALUE_REQUIRED, "CompareAndDelete", server.store().index());
        }
        return new Command.CompareAndDelete(key, prevValue, prevIndex);
    }
}
