package io.etcdj.http;

import io.etcdj.server.EtcdServer;
import io.etcdj.store.EtcdException;
import io.etcdj.store.Event;
import io.etcdj.store.Watcher;

import java.util.concurrent.CompletableFuture;

/**
 * {@code GET /v2/keys/...}: a read, or with {@code wait=true} a long-poll watch that answers with
 * the first matching event. {@code consistent=true} (or {@code quorum=true}, an extension) reads are
 * served by the leader only.
 */
final class V2GetHandler implements RouteHandler {

    private final EtcdServer server;
    private final CommandDispatch dispatch;
    private final SharedEventJson watchAnswers = new SharedEventJson();

    V2GetHandler(EtcdServer server, CommandDispatch dispatch) {
        this.server = server;
        this.dispatch = dispatch;
    }

    @Override
    public CompletableFuture<Reply> handle(ClientRequest request) {
        // quorum=true is later v2 versions' name for the same read
        if (request.form().isTrue("consistent") || request.form().isTrue("quorum")) {
            if (!server.isLeader()) {
                return CompletableFuture.completedFuture(dispatch.toLeader(request));
            }
            // the read completes on the node's loop: read and render on the connection's
            return server.linearizableRead().thenComposeAsync(ready -> read(request), request.executor());
        }
        return read(request);
    }

    private CompletableFuture<Reply> read(ClientRequest request) {
        FormValues form = request.form();
        boolean recursive = form.isTrue("recursive");
        if (form.isTrue("wait")) {
            long sinceIndex = 0;
            String waitIndex = form.get("waitIndex");
            if (!waitIndex.isEmpty()) {
                try {
                    sinceIndex = DecimalNumbers.parseUnsigned(waitIndex);
                } catch (NumberFormatException e) {
                    throw new EtcdException(EtcdException.INDEX_NAN, "Watch From Index", server.store().index());
                }
            }
            return watch(request, recursive, sinceIndex);
        }
        Event event = server.store().get(request.key(), recursive, form.isTrue("sorted"));
        return CompletableFuture.completedFuture(CommandDispatch.v2Read(server, event));
    }

    private CompletableFuture<Reply> watch(ClientRequest request, boolean recursive, long sinceIndex) {
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        // the store calls back under its lock: render the answer later, on the connection's loop;
        // the watchers woken by one event share its JSON
        Watcher watcher = server.store().watch(request.key(), recursive, sinceIndex,
                event -> request.runOnLoop(() -> reply.complete(CommandDispatch.v2Read(server, event,
                        watchAnswers.of(event, 0, () -> EventJson.v2(event))))),
                cleared -> request.runOnLoop(() -> reply.complete(ErrorReplies.etcd(cleared))));
        request.onClose(watcher::cancel);
        return reply;
    }
}
