package io.etcdj.http;

import io.etcdj.server.EtcdServer;
import io.etcdj.store.EtcdException;
import io.etcdj.store.Event;
import io.etcdj.store.Watcher;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code GET /v2/keys/...}: a read, or with {@code wait=true} a long-poll watch that answers with
 * the first matching event. {@code consistent=true} (or {@code quorum=true}, an extension) reads are
 * served by the leader only. With {@code earlyHeaders} (an extension), a watch that has to wait
 * sends its status line and headers at once, as etcd 2 does: {@code X-Etcd-Index} is then the
 * index when the watch began, and the event follows as the body.
 */
final class V2GetHandler implements RouteHandler {

    private final EtcdServer server;
    private final CommandDispatch dispatch;
    private final boolean earlyHeaders;
    private final SharedEventJson watchAnswers = new SharedEventJson();

    V2GetHandler(EtcdServer server, CommandDispatch dispatch, boolean earlyHeaders) {
        this.server = server;
        this.dispatch = dispatch;
        this.earlyHeaders = earlyHeaders;
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
        // set at once by a watch that the history answers, within store.watch
        AtomicBoolean answered = new AtomicBoolean();
        // the store calls back under its lock: render the answer later, on the connection's loop
        Watcher watcher = server.store().watch(request.key(), recursive, sinceIndex,
                event -> {
                    answered.set(true);
                    // the watchers woken by one event share its answer, which shows the store index
                    // when it is rendered
                    request.runOnLoop(() -> reply.complete(watchAnswers.of(event, server.store().index(),
                            server.raftIndex(), server.raftTerm(), () -> CommandDispatch.v2Read(server, event))));
                },
                cleared -> {
                    answered.set(true);
                    request.runOnLoop(() -> reply.complete(ErrorReplies.etcd(cleared)));
                });
        request.onClose(watcher::cancel);
        if (earlyHeaders && !answered.get()) {
            request.sendHeadNow(List.of(Map.entry("Content-Type", Reply.APPLICATION_JSON),
                    Map.entry("X-Etcd-Index", Long.toString(server.store().index()))));
        }
        return reply;
    }
}
