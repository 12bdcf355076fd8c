package io.etcdj.http;

import io.netty.handler.codec.http.HttpResponseStatus;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A complete answer to one request, before framing: status, the headers the reference would send
 * (besides Date, Content-Length and connection framing, which the connection adds) and the body.
 *
 * <p>A {@code shared} reply is one object given as the answer to many requests (the watchers one
 * event wakes): a connection may then send the bytes another connection of its loop encoded for
 * the same reply and framing, rather than encode its own.
 */
public record Reply(HttpResponseStatus status, List<Map.Entry<String, String>> headers, byte[] body,
                    boolean shared) {
    public static final String TEXT_PLAIN = "text/plain; charset=utf-8";
    public static final String APPLICATION_JSON = "application/json";

    private static final byte[] NOT_FOUND_BODY = "404 page not found\n".getBytes(StandardCharsets.US_ASCII);

    public Reply {
        headers = List.copyOf(headers);
    }

    /** A reply for one request. */
    public Reply(HttpResponseStatus status, List<Map.Entry<String, String>> headers, byte[] body) {
        this(status, headers, body, false);
    }

    /** This reply, to be given as it is to many requests (its body is never changed). */
    public Reply asShared() {
        return new Reply(status, headers, body, true);
    }

    /** The router's answer for a path or method without a route. */
    public static Reply notFound() {
        return new Reply(HttpResponseStatus.NOT_FOUND,
                List.of(Map.entry("Content-Type", TEXT_PLAIN), Map.entry("X-Content-Type-Options", "nosniff")),
                NOT_FOUND_BODY);
    }

    /** A 200 with no body and so no content type. */
    public static Reply emptyOk() {
        return new Reply(HttpResponseStatus.OK, List.of(), new byte[0]);
    }

    /**
     * A text answer. Like the reference's writer, a non-empty body gets a sniffed text content
     * type and an empty one gets none.
     */
    public static Reply text(HttpResponseStatus status, String body) {
        return sniffedText(status, body.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A body written without a declared type: the reference's writer sniffs it, and for the text
     * and JSON it writes that is always plain UTF-8 text (nothing at all for an empty body).
     */
    public static Reply sniffedText(HttpResponseStatus status, byte[] body) {
        List<Map.Entry<String, String>> headers = body.length == 0
                ? List.of() : List.of(Map.entry("Content-Type", TEXT_PLAIN));
        return new Reply(status, headers, body);
    }

    /** A plain-text error as the reference's {@code http.Error} writes it: a trailing newline. */
    public static Reply plainError(HttpResponseStatus status, String message) {
        return new Reply(status,
                List.of(Map.entry("Content-Type", TEXT_PLAIN), Map.entry("X-Content-Type-Options", "nosniff")),
                (message + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The answer to a request refused before routing, as the reference's HTTP server writes it:
     * the status line in plain text (with a detail where it gives one), no trailing newline.
     */
    public static Reply plainStatus(HttpResponseStatus status, String detail) {
        String text = status.code() + " " + status.reasonPhrase() + (detail == null ? "" : ": " + detail);
        return new Reply(status, List.of(Map.entry("Content-Type", TEXT_PLAIN)), text.getBytes(StandardCharsets.US_ASCII));
    }

    /** The cleaned-path redirect of the router: Location only, no body. */
    public static Reply movedPermanently(String location) {
        return new Reply(HttpResponseStatus.MOVED_PERMANENTLY,
                List.of(Map.entry("Location", Locations.escapeUnsafe(location))), new byte[0]);
    }

    /**
     * A redirect to an absolute URL as the reference's {@code http.Redirect} writes it: a GET or
     * HEAD gets an HTML content type, a GET also a one-line HTML body.
     */
    public static Reply redirect(HttpResponseStatus status, String url, String method) {
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        headers.add(Map.entry("Location", Locations.escapeUnsafe(url)));
        byte[] body = new byte[0];
        if (method.equals("GET") || method.equals("HEAD")) {
            headers.add(Map.entry("Content-Type", "text/html; charset=utf-8"));
        }
        if (method.equals("GET")) {
            String html = "<a href=\"" + Locations.htmlEscape(url) + "\">" + status.reasonPhrase() + "</a>.\n\n";
            body = html.getBytes(StandardCharsets.UTF_8);
        }
        return new Reply(status, headers, body);
    }

    /** A copy with one more header. */
    public Reply withHeader(String name, String value) {
        List<Map.Entry<String, String>> more = new ArrayList<>(headers);
        more.add(Map.entry(name, value));
        return new Reply(status, more, body);
    }

    /** The first value of a header, or null. */
    public String header(String name) {
        for (Map.Entry<String, String> h : headers) {
            if (h.getKey().equalsIgnoreCase(name)) {
                return h.getValue();
            }
        }
        return null;
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
