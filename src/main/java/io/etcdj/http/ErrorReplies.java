package io.etcdj.http;

import io.etcdj.store.EtcdException;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The one place failures become answers. An etcd error is its JSON with a text content type (the
 * reference writes it through its plain-text error writer, newline included) and the store index
 * in {@code X-Etcd-Index}; anything else is a plain 500 with the failure's message.
 */
final class ErrorReplies {
    private ErrorReplies() {
    }

    static Reply of(Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause instanceof EtcdException etcd) {
            return etcd(etcd);
        }
        String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return Reply.plainError(HttpResponseStatus.INTERNAL_SERVER_ERROR, message);
    }

    static Reply etcd(EtcdException e) {
        return etcd(e, HttpResponseStatus.valueOf(e.httpStatus()));
    }

    /** An etcd error answered with a status of the HTTP layer's choosing (413, 414, 431). */
    static Reply etcd(EtcdException e, HttpResponseStatus status) {
        return new Reply(status,
                List.of(Map.entry("X-Etcd-Index", Long.toString(e.index())),
                        Map.entry("Content-Type", Reply.TEXT_PLAIN),
                        Map.entry("X-Content-Type-Options", "nosniff")),
                (e.toJson() + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof CancellationException) {
            return new IllegalStateException("request cancelled");
        }
        return t;
    }
}
