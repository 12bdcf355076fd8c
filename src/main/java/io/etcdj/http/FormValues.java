package io.etcdj.http;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The form of a request as the reference server sees it: values from a urlencoded body (for POST,
 * PUT and PATCH) come before values from the query string, and a lookup returns the first value.
 * Pairs that cannot be decoded (a bad escape, a semicolon) are skipped, the rest kept.
 */
public final class FormValues {
    private static final FormValues EMPTY = new FormValues(Map.of());

    private final Map<String, List<String>> values;

    private FormValues(Map<String, List<String>> values) {
        this.values = values;
    }

    public static FormValues empty() {
        return EMPTY;
    }

    /**
     * @param method      the request method; only POST, PUT and PATCH bodies are read
     * @param rawQuery    the undecoded query string
     * @param contentType the request's Content-Type header, or null
     * @param body        the body, its bytes as ISO-8859-1 chars
     */
    public static FormValues parse(String method, String rawQuery, String contentType, String body) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        if (readsBody(method) && isUrlEncodedForm(contentType)) {
            parseInto(values, body);
        }
        parseInto(values, rawQuery);
        return new FormValues(values);
    }

    /** Only the query string, for requests whose body is never read. */
    public static FormValues ofQuery(String rawQuery) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        parseInto(values, rawQuery);
        return new FormValues(values);
    }

    static boolean readsBody(String method) {
        return method.equals("POST") || method.equals("PUT") || method.equals("PATCH");
    }

    static boolean isUrlEncodedForm(String contentType) {
        if (contentType == null) {
            return false;
        }
        int semicolon = contentType.indexOf(';');
        String mediaType = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim();
        return mediaType.toLowerCase(Locale.ROOT).equals("application/x-www-form-urlencoded");
    }

    private static void parseInto(Map<String, List<String>> values, String encoded) {
        int start = 0;
        while (start <= encoded.length() && !encoded.isEmpty()) {
            int amp = encoded.indexOf('&', start);
            int end = amp < 0 ? encoded.length() : amp;
            addPair(values, encoded.substring(start, end));
            if (amp < 0) {
                break;
            }
            start = amp + 1;
        }
    }

    private static void addPair(Map<String, List<String>> values, String pair) {
        if (pair.isEmpty() || pair.indexOf(';') >= 0) {
            return;
        }
        int eq = pair.indexOf('=');
        String rawKey = eq < 0 ? pair : pair.substring(0, eq);
        String rawValue = eq < 0 ? "" : pair.substring(eq + 1);
        try {
            String key = RequestTarget.unescape(rawKey, true);
            String value = RequestTarget.unescape(rawValue, true);
            values.computeIfAbsent(key, k -> new ArrayList<>(1)).add(value);
        } catch (IllegalArgumentException badEscape) {
            // the reference drops an undecodable pair and keeps the others
        }
    }

    /** The first value of {@code name}, or "" when absent. */
    public String get(String name) {
        List<String> list = values.get(name);
        return list == null ? "" : list.get(0);
    }

    /** Whether {@code name} was given at all, even with an empty value. */
    public boolean has(String name) {
        return values.containsKey(name);
    }

    /** A flag is set only by the exact value {@code true}. */
    public boolean isTrue(String name) {
        return get(name).equals("true");
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
