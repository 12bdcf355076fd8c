package io.etcdj.http;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The form of a request as the reference server sees it: values from a urlencoded body (for POST,
 * PUT and PATCH) come before values from the query string, and a lookup returns the first value.
 * Pairs that cannot be decoded (a bad escape, a semicolon) are skipped, the rest kept. Only the
 * first value of a name is kept, and at most {@link RequestLimits#MAX_FORM_FIELDS} names.
 */
public final class FormValues {
    private static final FormValues EMPTY = new FormValues(Map.of());

    private final Map<String, String> values;

    private FormValues(Map<String, String> values) {
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
     * @throws TooManyFields when the form names more than {@link RequestLimits#MAX_FORM_FIELDS} fields
     */
    public static FormValues parse(String method, String rawQuery, String contentType, String body) {
        Map<String, String> values = new LinkedHashMap<>();
        if (readsBody(method) && isUrlEncodedForm(contentType)) {
            parseInto(values, body);
        }
        parseInto(values, rawQuery);
        return new FormValues(values);
    }

    /** Only the query string, for requests whose body is never read. */
    public static FormValues ofQuery(String rawQuery) {
        Map<String, String> values = new LinkedHashMap<>();
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

    private static void parseInto(Map<String, String> values, String encoded) {
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

    private static void addPair(Map<String, String> values, String pair) {
        if (pair.isEmpty() || pair.indexOf(';') >= 0) {
            return;
        }
        int eq = pair.indexOf('=');
        String rawKey = eq < 0 ? pair : pair.substring(0, eq);
        String rawValue = eq < 0 ? "" : pair.substring(eq + 1);
        try {
            String key = RequestTarget.unescape(rawKey, true);
            String value = RequestTarget.unescape(rawValue, true);
            if (!values.containsKey(key) && values.size() >= RequestLimits.MAX_FORM_FIELDS) {
                throw new TooManyFields();
            }
            values.putIfAbsent(key, value);
        } catch (IllegalArgumentException badEscape) {
            // the reference drops an undecodable pair and keeps the others
        }
    }

    /** The first value of {@code name}, or "" when absent. */
    public String get(String name) {
        return values.getOrDefault(name, "");
    }

    /** Whether {@code name} was given at all, even with an empty value. */
    public boolean has(String name) {
        return values.containsKey(name);
    }

    /** A flag is set only by the exact value {@code true}. */
    public boolean isTrue(String name) {
        return get(name).equals("true");
    }

    /** A form with more fields than anyone sends but a client trying to fill the server's memory. */
    public static final class TooManyFields extends RuntimeException {
        TooManyFields() {
            super("more than " + RequestLimits.MAX_FORM_FIELDS + " form fields", null, false, false);
        }
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
