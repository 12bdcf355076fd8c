package io.etcdj.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Compares an observed answer with a recorded one under the conformance rules: framing headers and
 * raft positions ignored, timestamps only need to be timestamps, ttl may be off by one, lists are
 * multisets unless ordered, and "fields only" compares object keys alone.
 */
final class ScenarioComparison {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern RFC3339 =
            Pattern.compile("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$");
    private static final Set<String> IGNORED = Set.of("date", "content-length", "x-raft-index", "x-raft-term",
            "connection", "keep-alive", "transfer-encoding");

    /**
     * Fields the extensions of later v2 versions add to v0.2.0's answers (docs/api.md): {@code
     * prevNode} on writes and deletes, {@code startTime} in {@code leaderInfo}.
     */
    private static final Set<String> EXTRA_FIELDS = Set.of("prevNode", "startTime");

    private ScenarioComparison() {
    }

    static List<String> compare(JsonNode expect, EmbeddedClient.Response actual, boolean ordered, boolean fieldsOnly) {
        List<String> diffs = new ArrayList<>();
        if (expect.path("status").asInt() != actual.status()) {
            diffs.add("status: expected " + expect.path("status").asInt() + ", got " + actual.status());
        }
        Map<String, String> expectedHeaders = new java.util.TreeMap<>();
        expect.path("headers").fields().forEachRemaining(
                e -> expectedHeaders.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue().asText()));
        Map<String, String> actualHeaders = new java.util.TreeMap<>();
        for (Map.Entry<String, String> h : actual.headers()) {
            actualHeaders.merge(h.getKey().toLowerCase(Locale.ROOT), h.getValue(), (a, b) -> a + ", " + b);
        }
        Set<String> names = new TreeSet<>(expectedHeaders.keySet());
        names.addAll(actualHeaders.keySet());
        for (String name : names) {
            if (IGNORED.contains(name)) {
                continue;
            }
            String e = expectedHeaders.get(name);
            String a = actualHeaders.get(name);
            if (e == null) {
                diffs.add("header " + name + ": unexpected (" + a + ")");
            } else if (!e.equals(a)) {
                diffs.add("header " + name + ": expected " + e + ", got " + a);
            }
        }
        JsonNode expectedBody = expect.path("body");
        if (expectedBody.isObject() || expectedBody.isArray()) {
            JsonNode actualBody;
            try {
                actualBody = JSON.readTree(actual.body());
            } catch (Exception e) {
                actualBody = null;
            }
            if (actualBody == null || !(actualBody.isObject() || actualBody.isArray())) {
                diffs.add("body: expected JSON " + expectedBody + ", got " + actual.body());
            } else {
                diffs.addAll(json(expectedBody, actualBody, "body", null, ordered, fieldsOnly));
            }
        } else if (!expectedBody.asText().equals(actual.body())) {
            diffs.add("body: expected text '" + expectedBody.asText() + "', got '" + actual.body() + "'");
        }
        return diffs;
    }

    static List<String> json(JsonNode e, JsonNode a, String where, String key, boolean ordered, boolean fieldsOnly) {
        List<String> diffs = new ArrayList<>();
        if (e.isObject()) {
            if (!a.isObject()) {
                return List.of(where + ": expected an object, got " + a);
            }
            Set<String> keys = new TreeSet<>();
            e.fieldNames().forEachRemaining(keys::add);
            a.fieldNames().forEachRemaining(keys::add);
            for (String k : keys) {
                if (!a.has(k)) {
                    diffs.add(where + "." + k + ": missing (expected " + e.get(k) + ")");
                } else if (!e.has(k)) {
                    if (!EXTRA_FIELDS.contains(k)) {
                        diffs.add(where + "." + k + ": unexpected field (" + a.get(k) + ")");
                    }
                } else {
                    diffs.addAll(json(e.get(k), a.get(k), where + "." + k, k, ordered, fieldsOnly));
                }
            }
            return diffs;
        }
        if (fieldsOnly) {
            return diffs;
        }
        if (e.isArray()) {
            if (!a.isArray()) {
                return List.of(where + ": expected a list, got " + a);
            }
            if (ordered) {
                if (e.size() != a.size()) {
                    diffs.add(where + ": expected " + e.size() + " elements, got " + a.size());
                }
                for (int i = 0; i < Math.min(e.size(), a.size()); i++) {
                    diffs.addAll(json(e.get(i), a.get(i), where + "[" + i + "]", null, true, false));
                }
                return diffs;
            }
            List<JsonNode> unmatched = new ArrayList<>();
            a.forEach(unmatched::add);
            for (JsonNode expected : e) {
                boolean found = false;
                for (Iterator<JsonNode> it = unmatched.iterator(); it.hasNext(); ) {
                    if (json(expected, it.next(), where, null, false, false).isEmpty()) {
                        it.remove();
                        found = true;
                        break;
                    }
                }
                if (!found) {
                    diffs.add(where + ": expected element not found: " + expected);
                }
            }
            unmatched.forEach(u -> diffs.add(where + ": unexpected element: " + u));
            return diffs;
        }
        if (e.isTextual()) {
            if (RFC3339.matcher(e.asText()).matches()) {
                return a.isTextual() && RFC3339.matcher(a.asText()).matches()
                        ? diffs : List.of(where + ": expected a timestamp, got " + a);
            }
            return a.isTextual() && a.asText().equals(e.asText())
                    ? diffs : List.of(where + ": expected " + e + ", got " + a);
        }
        if (e.isNumber()) {
            if (!a.isNumber()) {
                return List.of(where + ": expected " + e + ", got " + a);
            }
            if ("ttl".equals(key) && e.isIntegralNumber() && a.isIntegralNumber()) {
                return Math.abs(a.asLong() - e.asLong()) <= 1 ? diffs : List.of(where + ": expected " + e + "+-1, got " + a);
            }
            return e.asText().equals(a.asText()) ? diffs : List.of(where + ": expected " + e + ", got " + a);
        }
        return e.equals(a) ? diffs : List.of(where + ": expected " + e + ", got " + a);
    }

    static ObjectNode readTree(java.nio.file.Path file) throws java.io.IOException {
        return (ObjectNode) JSON.readTree(file.toFile());
    }
}
