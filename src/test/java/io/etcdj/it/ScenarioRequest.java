package io.etcdj.it;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The request of one conformance step, encoded exactly as the reference recordings were made:
 * the path is sent as written except that spaces and non-ASCII characters are percent-encoded
 * (UTF-8); {@code query} and {@code form} objects are form-encoded in the given order (space as
 * '+', a list repeats the key), raw strings are used verbatim.
 */
record ScenarioRequest(String method, String target, List<Map.Entry<String, String>> headers, byte[] body,
                       boolean followRedirects, Duration timeout) {

    private static final String UNRESERVED =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~";
    /** Characters the recording tool left alone in paths, besides the unreserved ones. */
    private static final String PATH_SAFE = "/%?&=+:;,@!$'()*~#[]";

    static ScenarioRequest of(JsonNode step) {
        String method = step.path("method").asText("GET");
        String target = quotePath(step.get("path").asText());
        JsonNode query = step.get("query");
        String queryText = query == null ? "" : query.isObject() ? formEncode(query) : query.asText();
        if (!queryText.isEmpty()) {
            target += "?" + queryText;
        }
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        step.path("headers").fields().forEachRemaining(h -> headers.add(Map.entry(h.getKey(), h.getValue().asText())));
        byte[] body = null;
        JsonNode form = step.get("form");
        if (form != null) {
            body = (form.isObject() ? formEncode(form) : form.asText()).getBytes(StandardCharsets.UTF_8);
            if (headers.stream().noneMatch(h -> h.getKey().equalsIgnoreCase("Content-Type"))) {
                headers.add(Map.entry("Content-Type", "application/x-www-form-urlencoded"));
            }
        } else if (step.has("body")) {
            body = step.get("body").asText().getBytes(StandardCharsets.UTF_8);
        }
        Duration timeout = Duration.ofMillis(Math.round(step.path("timeout").asDouble(10.0) * 1000));
        return new ScenarioRequest(method, target, List.copyOf(headers), body,
                step.path("follow_redirects").asBoolean(false), timeout);
    }

    /** Percent-encodes (as UTF-8) every character that is neither unreserved nor in {@link #PATH_SAFE}. */
    static String quotePath(String path) {
        return quote(path, PATH_SAFE, false);
    }

    /** Form encoding of one value: only unreserved characters stay, space becomes '+'. */
    static String quotePlus(String value) {
        return quote(value, "", true);
    }

    /** {@code k=v&k2=v2} from a JSON object in field order; a list value repeats its key. */
    static String formEncode(JsonNode object) {
        StringBuilder out = new StringBuilder();
        Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            List<JsonNode> values = new ArrayList<>();
            if (field.getValue().isArray()) {
                field.getValue().forEach(values::add);
            } else {
                values.add(field.getValue());
            }
            for (JsonNode value : values) {
                if (out.length() > 0) {
                    out.append('&');
                }
                out.append(quotePlus(field.getKey())).append('=').append(quotePlus(scalarText(value)));
            }
        }
        return out.toString();
    }

    /** Scalars as the recording tool printed them (Python's str()). */
    private static String scalarText(JsonNode value) {
        if (value.isBoolean()) {
            return value.booleanValue() ? "True" : "False";
        }
        if (value.isNull()) {
            return "None";
        }
        return value.asText();
    }

    private static String quote(String text, String safe, boolean spaceAsPlus) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c < 0x80 && (UNRESERVED.indexOf(c) >= 0 || safe.indexOf(c) >= 0)) {
                out.append((char) c);
            } else if (c == ' ' && spaceAsPlus) {
                out.append('+');
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    /** One line for failure messages: method, target, and the body when there is one. */
    String describe() {
        String text = method + " " + target;
        if (body != null && body.length > 0) {
            String b = new String(body, StandardCharsets.UTF_8);
            text += " body " + (b.length() > 120 ? b.substring(0, 120) + "..." : b);
        }
        return text;
    }
}
