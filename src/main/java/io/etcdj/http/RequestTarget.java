package io.etcdj.http;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The path and raw query of a request line's target, read the way the reference's HTTP stack reads
 * it: the path is percent-decoded ({@code +} stays a plus), the query is kept raw for form parsing,
 * and a fragment mark is an ordinary character. A target that stack refuses is a {@link
 * IllegalArgumentException} here, answered with 400.
 *
 * @param path     decoded path, e.g. {@code /v2/keys/a b}
 * @param rawQuery everything after the first {@code ?}, undecoded; empty when there is none
 */
public record RequestTarget(String path, String rawQuery) {

    /** Parses a request-target as received on the request line (bytes as ISO-8859-1 chars). */
    public static RequestTarget parse(String uri) {
        if (uri.isEmpty()) {
            throw new IllegalArgumentException("empty request target");
        }
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new IllegalArgumentException("control character in request target");
            }
        }
        int q = uri.indexOf('?');
        String rawPath = q < 0 ? uri : uri.substring(0, q);
        String rawQuery = q < 0 ? "" : uri.substring(q + 1);
        if (rawPath.equals("*")) {
            return new RequestTarget("*", rawQuery);
        }
        if (!rawPath.startsWith("/")) {
            rawPath = stripSchemeAndAuthority(rawPath);
        }
        return new RequestTarget(decodePath(rawPath), rawQuery);
    }

    /** Absolute-form targets ({@code http://host/path}) address their path part. */
    private static String stripSchemeAndAuthority(String target) {
        int colon = target.indexOf("://");
        if (colon <= 0 || !isScheme(target.substring(0, colon))) {
            throw new IllegalArgumentException("invalid request target");
        }
        int slash = target.indexOf('/', colon + 3);
        return slash < 0 ? "" : target.substring(slash);
    }

    private static boolean isScheme(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
            boolean other = (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
            if (!(letter || (i > 0 && other))) {
                return false;
            }
        }
        return true;
    }

    /** Percent-decodes a path; every {@code %} must start a two-digit hex escape. */
    static String decodePath(String raw) {
        return unescape(raw, false);
    }

    /**
     * Percent-decodes a path or a form component. Chars are taken as bytes (the request line is
     * read as ISO-8859-1, form bodies are given as such), the result is read as UTF-8.
     */
    static String unescape(String raw, boolean plusIsSpace) {
        if (raw.indexOf('%') < 0 && !(plusIsSpace && raw.indexOf('+') >= 0) && isAscii(raw)) {
            return raw;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length() || hex(raw.charAt(i + 1)) < 0 || hex(raw.charAt(i + 2)) < 0) {
                    throw new IllegalArgumentException("invalid escape in " + raw);
                }
                out.write(hex(raw.charAt(i + 1)) << 4 | hex(raw.charAt(i + 2)));
                i += 2;
            } else if (c == '+' && plusIsSpace) {
                out.write(' ');
            } else {
                out.write(c & 0xff);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }

    /**
     * The router's canonical form of a path: rooted, with {@code //}, {@code .} and {@code ..}
     * resolved lexically; a trailing slash survives (except on the root alone).
     */
    public static String cleanPath(String p) {
        if (isClean(p)) {
            return p; // nearly every request: no need to take the path apart
        }
        return cleanLexically(p);
    }

    /** {@link #cleanPath} the long way, taking the path apart whatever it holds. */
    static String cleanLexically(String p) {
        if (p.isEmpty()) {
            return "/";
        }
        if (p.charAt(0) != '/') {
            p = "/" + p;
        }
        String cleaned = lexicalClean(p);
        if (p.endsWith("/") && !cleaned.equals("/")) {
            cleaned += "/";
        }
        return cleaned;
    }

    /** Whether a path is its own clean form: rooted, without empty, {@code .} or {@code ..} segments. */
    static boolean isClean(String p) {
        int n = p.length();
        if (n == 0 || p.charAt(0) != '/') {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (p.charAt(i) != '/') {
                continue;
            }
            int start = i + 1; // a segment starts here; the path may end with one slash
            if (start == n) {
                return true;
            }
            char c = p.charAt(start);
            if (c == '/') {
                return false;
            }
            if (c == '.') {
                boolean dot = start + 1 == n || p.charAt(start + 1) == '/';
                boolean dotDot = start + 1 < n && p.charAt(start + 1) == '.'
                        && (start + 2 == n || p.charAt(start + 2) == '/');
                if (dot || dotDot) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Lexical cleaning of a rooted path, as Go's {@code path.Clean}: no trailing slash. */
    static String lexicalClean(String rooted) {
        Deque<String> parts = new ArrayDeque<>();
        for (String segment : rooted.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                parts.pollLast();
            } else {
                parts.addLast(segment);
            }
        }
        return "/" + String.join("/", parts);
    }
}
