package io.etcdj.http;

import io.etcdj.server.EtcdServer;
import io.etcdj.store.EtcdException;
import io.etcdj.store.Watcher;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.util.concurrent.CompletableFuture;

/**
 * {@code GET|POST /v1/watch/...}: waits for the next change of a key (or of anything below it); a
 * POST watches from the form's {@code index}, which it requires.
 */
final class V1WatchHandler implements RouteHandler {
    /** The reference answers a refused v1 watch with this code, which has no message of its own. */
    static final int WATCH_FAILED = 500;

    private final EtcdServer server;
    private final SharedEventJson watchAnswers = new SharedEventJson();

    V1WatchHandler(EtcdServer server) {
        this.server = server;
    }

    @Override
    public CompletableFuture<Reply> handle(ClientRequest request) {
        long sinceIndex = 0;
        if (request.method().equals("POST")) {
            try {
                sinceIndex = DecimalNumbers.parseUnsigned(request.form().get("index"));
            } catch (NumberFormatException e) {
                throw new EtcdException(EtcdException.INDEX_NAN, "Watch From Index", server.store().index());
            }
        }
        String key = request.key();
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        Watcher watcher;
        try {
            // the answer shows the store's index when it is rendered; watchers that see the same
            // event and index share the bytes
            watcher = server.store().watch(key, false, sinceIndex, event -> request.runOnLoop(() -> {
                long index = server.store().index();
                reply.complete(watchAnswers.of(event, index, 0, 0,
                        () -> Reply.sniffedText(HttpResponseStatus.OK, EventJson.v1(event, index))));
            }),
                    cleared -> request.runOnLoop(() -> reply.complete(ErrorReplies.etcd(cleared))));
        } catch (EtcdException e) {
            throw new EtcdException(WATCH_FAILED, key, server.store().index());
        }
        request.onClose(watcher::cancel);
        return reply;
    }
}
