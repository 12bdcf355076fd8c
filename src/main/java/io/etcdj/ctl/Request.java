package io.etcdj.ctl;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * A request to send to whichever endpoint answers: method, path, query and form, the path
 * relative to an endpoint's root.
 *
 * @param form     the body's form fields, empty for none
 * @param longPoll true for a watch: no per-request timeout, the answer comes when something changes
 */
record Request(String method, String path, Map<String, String> query, Map<String, String> form, boolean longPoll) {

    Request {
        query = Map.copyOf(new LinkedHashMap<>(query));
        form = new LinkedHashMap<>(form);
    }

    static Request get(String path) {
        return new Request("GET", path, Map.of(), Map.of(), false);
    }

    /** The path and query, encoded, e.g. {@code /v2/keys/a%20b?recursive=true}. */
    String target() {
        String q = encode(new java.util.TreeMap<>(query));
        return escapePath(path) + (q.isEmpty() ? "" : "?" + q);
    }

    String formBody() {
        return encode(form);
    }

    static String encode(Map<String, String> fields) {
        StringJoiner joined = new StringJoiner("&");
        fields.forEach((k, v) -> joined.add(URLEncoder.encode(k, StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return joined.toString();
    }

    /** Percent-encodes everything in a path but unreserved characters and slashes. */
    static String escapePath(String path) {
        StringBuilder out = new StringBuilder(path.length());
        for (byte b : path.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }
}
