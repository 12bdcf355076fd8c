package io.etcdj.it;

import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Compares an observation with a recorded expectation under the conformance rules: equal status;
 * equal headers apart from the ignored ones, with no extra header; bodies equal as text, or
 * structurally as JSON, where an RFC 3339 timestamp matches any timestamp, {@code ttl} may differ
 * by one, and lists are multisets unless the step asks for order. The result is a list of
 * human-readable differences, empty when the answer matches.
 */
final class AnswerComparator {
    private static final Pattern RFC3339 =
            Pattern.compile("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$");

    /**
     * How one step is compared: fields and headers the answer may add, list order, and whether only
     * the field names of objects count.
     */
    record Options(Set<String> extraFields, Set<String> extraHeaders, boolean ordered, boolean fieldsOnly) {
        Options {
            extraFields = Set.copyOf(extraFields);
            extraHeaders = extraHeaders.stream().map(h -> h.toLowerCase(Locale.ROOT))
                    .collect(Collectors.toUnmodifiableSet());
        }

        static Options strict() {
            return new Options(Set.of(), Set.of(), false, false);
        }

        /** The options a step asks for ({@code ordered}, {@code fields_only}) on top of these. */
        Options forStep(JsonNode step) {
            return new Options(extraFields, extraHeaders, step.path("ordered").asBoolean(false),
                    step.path("fields_only").asBoolean(false));
        }
    }

    private AnswerComparator() {
    }

    static List<String> compare(JsonNode expected, JsonNode actual, Options options) {
        if (expected == null || expected.isMissingNode()) {
            return List.of("no recorded expectation for this step");
        }
        if (actual == null) {
            return List.of("no response observed");
        }
        List<String> diffs = new ArrayList<>();
        for (String flag : List.of("timeout", "error")) {
            JsonNode e = expected.get(flag);
            JsonNode a = actual.get(flag);
            if (!Objects.equals(e, a)) {
                diffs.add(flag + ": expected " + e + ", got " + a);
            }
        }
        if (!diffs.isEmpty() || expected.has("timeout") || expected.has("error")) {
            return diffs;
        }
        if (actual.has("repeat_statuses")) {
            diffs.add("repeat: responses had different statuses " + actual.get("repeat_statuses"));
        }
        if (!Objects.equals(expected.get("status"), actual.get("status"))) {
            diffs.add("status: expected " + expected.get("status") + ", got " + actual.get("status"));
        }
        diffs.addAll(compareHeaders(expected.path("headers"), actual.path("headers"), options));
        JsonNode eb = expected.get("body");
        JsonNode ab = actual.get("body");
        if (eb != null && eb.isContainerNode()) {
            if (ab == null || !ab.isContainerNode()) {
                diffs.add("body: expected JSON " + shorten(eb, 160) + ", got text " + shorten(ab, 160));
            } else {
                diffs.addAll(compareJson(eb, ab, "body", options, null));
            }
        } else if (!Objects.equals(eb, ab)) {
            diffs.add("body: expected text " + shorten(eb, 300) + ", got " + shorten(ab, 300));
        }
        return diffs;
    }

    private static List<String> compareHeaders(JsonNode expected, JsonNode actual, Options options) {
        Map<String, String> eh = lowerCaseNames(expected);
        Map<String, String> ah = lowerCaseNames(actual);
        Set<String> names = new TreeSet<>(eh.keySet());
        names.addAll(ah.keySet());
        List<String> diffs = new ArrayList<>();
        for (String name : names) {
            if (Observation.IGNORED_HEADERS.contains(name)) {
                continue;
            }
            String shown = Observation.canonicalHeader(name);
            if (!ah.containsKey(name)) {
                diffs.add("header " + shown + ": missing (expected '" + eh.get(name) + "')");
            } else if (!eh.containsKey(name)) {
                if (!options.extraHeaders().contains(name)) {
                    diffs.add("header " + shown + ": unexpected (value '" + ah.get(name) + "')");
                }
            } else if (!eh.get(name).equals(ah.get(name))) {
                diffs.add("header " + shown + ": expected '" + eh.get(name) + "', got '" + ah.get(name) + "'");
            }
        }
        return diffs;
    }

    private static Map<String, String> lowerCaseNames(JsonNode headers) {
        Map<String, String> out = new TreeMap<>();
        headers.fields().forEachRemaining(h -> out.put(h.getKey().toLowerCase(Locale.ROOT), h.getValue().asText()));
        return out;
    }

    /** Differences between two JSON values; {@code key} is the field name that holds them, if any. */
    static List<String> compareJson(JsonNode exp, JsonNode act, String where, Options options, String key) {
        if (exp.isObject()) {
            return compareObjects(exp, act, where, options);
        }
        if (options.fieldsOnly()) {
            return List.of();
        }
        if (exp.isArray()) {
            if (!act.isArray()) {
                return List.of(where + ": expected a list, got " + shorten(act, 160));
            }
            return options.ordered() ? compareInOrder(exp, act, where, options) : compareAsMultisets(exp, act, where, options);
        }
        if (exp.isTextual()) {
            if (RFC3339.matcher(exp.asText()).matches()) {
                return act.isTextual() && RFC3339.matcher(act.asText()).matches() ? List.of()
                        : List.of(where + ": expected an RFC 3339 timestamp, got " + shorten(act, 160));
            }
            return act.isTextual() && act.asText().equals(exp.asText()) ? List.of()
                    : List.of(where + ": expected " + shorten(exp, 160) + ", got " + shorten(act, 160));
        }
        if (exp.isNumber()) {
            if (!act.isNumber()) {
                return List.of(where + ": expected " + exp + ", got " + shorten(act, 160));
            }
            if ("ttl".equals(key) && exp.isIntegralNumber() && act.isIntegralNumber()) {
                return exp.bigIntegerValue().subtract(act.bigIntegerValue()).abs().compareTo(BigInteger.ONE) <= 0 ? List.of()
                        : List.of(where + ": expected " + exp + " (+-1), got " + act);
            }
            return sameNumber(exp, act) ? List.of() : List.of(where + ": expected " + exp + ", got " + act);
        }
        // true, false, null: same type and value
        return exp.equals(act) ? List.of() : List.of(where + ": expected " + exp + ", got " + shorten(act, 160));
    }

    private static List<String> compareObjects(JsonNode exp, JsonNode act, String where, Options options) {
        if (!act.isObject()) {
            return List.of(where + ": expected an object, got " + shorten(act, 160));
        }
        List<String> diffs = new ArrayList<>();
        for (String name : sortedNames(exp)) {
            if (!act.has(name)) {
                diffs.add(where + "." + name + ": missing (expected " + shorten(exp.get(name), 160) + ")");
            }
        }
        for (String name : sortedNames(act)) {
            if (!exp.has(name) && !options.extraFields().contains(name)) {
                diffs.add(where + "." + name + ": unexpected field (value " + shorten(act.get(name), 160) + ")");
            }
        }
        for (String name : sortedNames(exp)) {
            if (act.has(name)) {
                diffs.addAll(compareJson(exp.get(name), act.get(name), where + "." + name, options, name));
            }
        }
        return diffs;
    }

    private static List<String> compareInOrder(JsonNode exp, JsonNode act, String where, Options options) {
        List<String> diffs = new ArrayList<>();
        if (exp.size() != act.size()) {
            diffs.add(where + ": expected " + exp.size() + " elements, got " + act.size());
        }
        for (int i = 0; i < Math.min(exp.size(), act.size()); i++) {
            diffs.addAll(compareJson(exp.get(i), act.get(i), where + "[" + i + "]", options, null));
        }
        return diffs;
    }

    /** Each expected element takes the first still-unmatched answer element equal to it. */
    private static List<String> compareAsMultisets(JsonNode exp, JsonNode act, String where, Options options) {
        List<Integer> unmatched = new ArrayList<>();
        for (int i = 0; i < act.size(); i++) {
            unmatched.add(i);
        }
        List<JsonNode> missing = new ArrayList<>();
        for (JsonNode e : exp) {
            Integer found = null;
            for (Integer j : unmatched) {
                if (compareJson(e, act.get(j), where, options, null).isEmpty()) {
                    found = j;
                    break;
                }
            }
            if (found == null) {
                missing.add(e);
            } else {
                unmatched.remove(found);
            }
        }
        if (exp.size() == 1 && act.size() == 1 && !missing.isEmpty()) {
            return compareJson(exp.get(0), act.get(0), where + "[0]", options, null);
        }
        List<String> diffs = new ArrayList<>();
        missing.forEach(e -> diffs.add(where + ": expected element not found: " + shorten(e, 160)));
        unmatched.forEach(j -> diffs.add(where + ": unexpected element: " + shorten(act.get(j), 160)));
        return diffs;
    }

    private static boolean sameNumber(JsonNode a, JsonNode b) {
        if (a.isIntegralNumber() && b.isIntegralNumber()) {
            return a.bigIntegerValue().equals(b.bigIntegerValue());
        }
        return a.decimalValue().compareTo(b.decimalValue()) == 0;
    }

    private static List<String> sortedNames(JsonNode object) {
        List<String> names = new ArrayList<>();
        Iterator<String> it = object.fieldNames();
        it.forEachRemaining(names::add);
        names.sort(null);
        return names;
    }

    static String shorten(JsonNode value, int limit) {
        String text = value == null ? "(none)" : value.toString();
        return text.length() <= limit ? text : text.substring(0, limit) + "...";
    }
}
