package io.etcdj.mod;

import io.etcdj.http.Reply;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** The plain-text answers of the modules. */
final class ModReplies {

    private ModReplies() {
    }

    /** A failure, as the reference's modules all answer one: 500 and the words, plain text. */
    static Reply error(String message) {
        return Reply.plainError(HttpResponseStatus.INTERNAL_SERVER_ERROR, message);
    }

    static CompletableFuture<Reply> failed(String message) {
        return CompletableFuture.completedFuture(error(message));
    }

    /** 200 with the text, typed as text when there is any. */
    static Reply text(String body) {
        return Reply.text(HttpResponseStatus.OK, body);
    }

    /**
     * An answer of the lock module passed on by the leader module, which copied the status and the
     * body but not the headers, and put {@code prefix} before the body of anything but a 200. A
     * redirect to the leader is passed on as it is.
     */
    static Reply relayed(Reply inner, String prefix, HttpResponseStatus errorStatus) {
        int code = inner.status().code();
        if (code == 200 || (code >= 300 && code < 400)) {
            return inner;
        }
        byte[] body = (prefix + inner.bodyText()).getBytes(StandardCharsets.UTF_8);
        HttpResponseStatus status = errorStatus == null ? inner.status() : errorStatus;
        return new Reply(status, List.of(Map.entry("Content-Type", Reply.TEXT_PLAIN)), body);
    }
}
