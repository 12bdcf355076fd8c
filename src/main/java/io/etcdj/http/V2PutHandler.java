package io.etcdj.http;

import io.etcdj.server.Command;
import io.etcdj.server.EtcdServer;
import io.etcdj.store.EtcdException;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * {@code PUT /v2/keys/...}: a plain set, or with {@code prevExist}, {@code prevValue} or {@code
 * prevIndex} a create, an update or a compare-and-swap; with {@code refresh=true} (an extension) a
 * new TTL for an existing key, its value kept and its watchers not woken.
 */
final class V2PutHandler implements RouteHandler {
    private final EtcdServer server;
    private final CommandDispatch dispatch;
    private final Clock clock;

    V2PutHandler(EtcdServer server, CommandDispatch dispatch, Clock clock) {
        this.server = server;
        this.dispatch = dispatch;
        this.clock = clock;
    }

    @Override
    public CompletableFuture<Reply> handle(ClientRequest request) {
        FormValues form = request.form();
        String key = request.key();
        String value = form.get("value");
        boolean dir = form.isTrue("dir");
        Instant expireTime;
        try {
            expireTime = DecimalNumbers.expireTime(form.get("ttl"), clock);
        } catch (NumberFormatException e) {
            // the reference names the update handler here whatever the request turns out to be
            throw new EtcdException(EtcdException.TTL_NAN, "Update", server.store().index());
        }
        boolean hasPrevValue = form.has("prevValue");
        boolean hasPrevIndex = form.has("prevIndex");
        boolean hasPrevExist = form.has("prevExist");

        if (form.isTrue("refresh")) {
            return refresh(request, form, expireTime, hasPrevValue || hasPrevIndex);
        }

        if (!hasPrevValue && !hasPrevIndex && !hasPrevExist) {
            return dispatch.v2(new Command.Set(key, dir, value, expireTime), request);
        }
        if (hasPrevExist) {
            String prevExist = form.get("prevExist");
            if (prevExist.equals("false")) {
                return dispatch.v2(new Command.Create(key, dir, value, false, expireTime), request);
            }
            if (prevExist.equals("true") && !hasPrevIndex && !hasPrevValue) {
                if (value.isEmpty() && expireTime == null) {
                    throw new EtcdException(EtcdException.VALUE_OR_TTL_REQUIRED, "Update", server.store().index());
                }
                return dispatch.v2(new Command.Update(key, value, expireTime), request);
            }
        }
        long prevIndex = 0;
        if (hasPrevIndex) {
            try {
                prevIndex = DecimalNumbers.parseUnsigned(form.get("prevIndex"));
            } catch (NumberFormatException e) {
                throw new EtcdException(EtcdException.INDEX_NAN, "CompareAndSwap", server.store().index());
            }
        }
        String prevValue = form.get("prevValue");
        if (hasPrevValue && prevValue.isEmpty()) {
            throw new EtcdException(EtcdException.PREV_VALUE_REQUIRED, "CompareAndSwap", server.store().index());
        }
        return dispatch.v2(new Command.CompareAndSwap(key, value, prevValue, prevIndex, expireTime), request);
    }

    /**
     * {@code refresh=true}: needs a {@code ttl} and no {@code value}. A refresh is not combined with
     * a comparison: refused rather than done unconditionally.
     */
    private CompletableFuture<Reply> refresh(ClientRequest request, FormValues form, Instant expireTime,
                                             boolean compares) {
        long index = server.store().index();
        if (!form.get("value").isEmpty()) {
            throw new EtcdException(EtcdException.REFRESH_VALUE, "Refresh", index);
        }
        if (form.get("ttl").isEmpty()) {
            throw new EtcdException(EtcdException.REFRESH_TTL_REQUIRED, "Refresh", index);
        }
        if (compares || form.get("prevExist").equals("false")) {
            throw new EtcdException(EtcdException.INVALID_FIELD, "refresh is only an update (prevExist=true)", index);
        }
        return dispatch.v2(new Command.Refresh(request.key(), expireTime), request);
    }
}
