package io.etcdj.http;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.concurrent.EventExecutor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Predicate;

/**
 * One routed client request: method, cleaned path, raw query, the route's key, the parsed form and
 * the connection's event loop. Endpoints that wait (watches, blocking locks) register with {@link
 * #onClose} to let go of their wait when the client goes away first.
 */
public final class ClientRequest {
    private final String method;
    private final String path;
    private final String rawQuery;
    private final String key;
    private final FormValues form;
    private final HttpHeaders headers;
    private final EventExecutor executor;
    private final List<Runnable> closeActions = new ArrayList<>(1);
    private boolean closed;
    private Predicate<List<Map.Entry<String, String>>> headSender = headers -> false;

    public ClientRequest(String method, String path, String rawQuery, String key, FormValues form,
                         HttpHeaders headers, EventExecutor executor) {
        this.method = method;
        this.path = path;
        this.rawQuery = rawQuery;
        this.key = key;
        this.form = form;
        this.headers = headers;
        this.executor = executor;
    }

    public String method() {
        return method;
    }

    /** The decoded, cleaned request path. */
    public String path() {
        return path;
    }

    public String rawQuery() {
        return rawQuery;
    }

    /** The store key addressed by a key route: {@code "/"} followed by the rest of the path. */
    public String key() {
        return "/" + (key == null ? "" : key);
    }

    public FormValues form() {
        return form;
    }

    public HttpHeaders headers() {
        return headers;
    }

    /** The event loop of the connection; reply callbacks hop onto it. */
    public EventExecutor executor() {
        return executor;
    }

    /**
     * Runs {@code task} on the connection's event loop, from any thread (a store or node callback).
     * A loop that is shutting down takes no more work; the connection is gone then, and the task
     * with it.
     */
    public void runOnLoop(Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException shuttingDown) {
            // nothing left to answer
        }
    }

    /**
     * Runs {@code action} on the event loop when the client disconnects before the reply is
     * written; at once if it already has.
     */
    public void onClose(Runnable action) {
        if (!executor.inEventLoop()) {
            executor.execute(() -> onClose(action));
            return;
        }
        if (closed) {
            action.run();
        } else {
            closeActions.add(action);
        }
    }

    /**
     * Sends the status line 200 and these headers now, before the body is known; the reply that
     * completes the request later then gives only the body (a long-poll watch framed as etcd 2
     * frames it). Event loop only.
     *
     * @return false when the connection cannot do that (HTTP/1.0, HEAD, already answered): the
     *         reply is then sent whole, as usual
     */
    public boolean sendHeadNow(List<Map.Entry<String, String>> headers) {
        return headSender.test(headers);
    }

    /** Called by the connection: how {@link #sendHeadNow} reaches it. */
    void onSendHead(Predicate<List<Map.Entry<String, String>>> sender) {
        headSender = sender;
    }

    /** Called by the connection, on its event loop, when the client went away. */
    void connectionClosed() {
        closed = true;
        List<Runnable> actions = new ArrayList<>(closeActions);
        closeActions.clear();
        for (Runnable action : actions) {
            action.run();
        }
    }

    /** Called by the connection once the reply is written: nothing is waiting any more. */
    void completed() {
        closeActions.clear();
    }
}
