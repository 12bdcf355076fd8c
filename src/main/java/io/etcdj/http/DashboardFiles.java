package io.etcdj.http;

import io.netty.handler.codec.http.HttpResponseStatus;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Serves the dashboard's files ({@code /mod/dashboard/...}) from the jar's resources under {@link
 * #ROOT}. A directory path answers its {@code index.html}. Only names made of letters, digits,
 * {@code . _ -} in segments that do not start with a dot are looked up, so no path can climb out
 * of the dashboard's directory whatever the router let through.
 *
 * <p>Answers carry a strong ETag and {@code Cache-Control: no-cache}: a browser revalidates each
 * file on load and gets a 304 when it has not changed, so a member upgraded in place never serves
 * a stale mix of old and new scripts. The HTML forbids framing and loading code from elsewhere.
 * Found files are kept in memory after their first read; they are a few tens of kilobytes.
 */
final class DashboardFiles implements RouteHandler {
    static final String PREFIX = "/mod/dashboard/";
    static final String ROOT = "/io/etcdj/dashboard/";

    private static final Pattern SAFE = Pattern.compile("([A-Za-z0-9_-][A-Za-z0-9._-]*/)*[A-Za-z0-9_-][A-Za-z0-9._-]*");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "json", "application/json",
            "svg", "image/svg+xml",
            "png", "image/png",
            "ico", "image/x-icon",
            "txt", Reply.TEXT_PLAIN);
    /** Scripts and styles from this member only; the API may be asked on any member. */
    private static final String POLICY = "default-src 'self'; connect-src 'self' http: https:; img-src 'self' data:; "
            + "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
    /** The pages of the reference's dashboard, now views of the single page. */
    private static final Map<String, String> OLD_PAGES = Map.of(
            "stats", "#cluster", "stats.html", "#cluster", "browser", "#keys", "browser.html", "#keys");

    private record File(byte[] body, String type, String etag) {
    }

    private final Map<String, File> cache = new ConcurrentHashMap<>();

    @Override
    public CompletableFuture<Reply> handle(ClientRequest request) {
        return CompletableFuture.completedFuture(answer(request));
    }

    private Reply answer(ClientRequest request) {
        if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
            return Reply.plainError(HttpResponseStatus.METHOD_NOT_ALLOWED, "Method Not Allowed")
                    .withHeader("Allow", "GET, HEAD");
        }
        String name = request.path().substring(PREFIX.length());
        String page = OLD_PAGES.get(name);
        if (page != null) {
            return Reply.redirect(HttpResponseStatus.FOUND, PREFIX + page, request.method());
        }
        if (name.isEmpty() || name.endsWith("/")) {
            name += "index.html";
        }
        File file = SAFE.matcher(name).matches() ? find(name) : null;
        if (file == null) {
            return Reply.plainError(HttpResponseStatus.NOT_FOUND, request.path() + ": File not found");
        }
        String cached = request.headers().get("If-None-Match");
        HttpResponseStatus status = file.etag.equals(cached) ? HttpResponseStatus.NOT_MODIFIED : HttpResponseStatus.OK;
        Reply reply = new Reply(status, List.of(
                Map.entry("Content-Type", file.type),
                Map.entry("ETag", file.etag),
                Map.entry("Cache-Control", "no-cache"),
                Map.entry("X-Content-Type-Options", "nosniff")),
                status == HttpResponseStatus.OK ? file.body : new byte[0]);
        if (file.type.startsWith("text/html")) {
            reply = reply.withHeader("Content-Security-Policy", POLICY).withHeader("X-Frame-Options", "DENY");
        }
        return reply;
    }

    private File find(String name) {
        File known = cache.get(name);
        if (known != null) {
            return known;
        }
        int dot = name.lastIndexOf('.');
        String type = dot < 0 ? null : TYPES.get(name.substring(dot + 1));
        if (type == null) {
            return null;
        }
        byte[] body;
        try (InputStream in = DashboardFiles.class.getResourceAsStream(ROOT + name)) {
            if (in == null) {
                return null;
            }
            body = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading dashboard file " + name, e);
        }
        File file = new File(body, type, etag(body));
        cache.put(name, file);
        return file;
    }

    private static String etag(byte[] body) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(body);
            return "\"" + HexFormat.of().formatHex(digest, 0, 12) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always there", e);
        }
    }
}
