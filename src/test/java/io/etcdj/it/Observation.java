package io.etcdj.it;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a conformance step observed, in the shape of the recorded expectations:
 * {@code {"status", "headers", "body"}} or {@code {"timeout": true}}. Headers that vary between
 * runs or only frame the connection are dropped, names are canonicalized, repeated headers are
 * joined with ", ", a body that parses as a JSON object or array is kept as JSON (otherwise as
 * text), and the server's own ports are replaced by {@code {cport}} and {@code {pport}}.
 */
final class Observation {
    static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    static final Set<String> IGNORED_HEADERS = Set.of("date", "content-length", "x-raft-index", "x-raft-term",
            "connection", "keep-alive", "transfer-encoding");

    private static final Pattern LOOPBACK_PORT = Pattern.compile("(127\\.0\\.0\\.1(?::|%3[Aa]))(\\d+)");

    private Observation() {
    }

    static ObjectNode of(HttpAnswer answer, int clientPort, int peerPort) {
        ObjectNode headers = JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, String> h : answer.headers()) {
            if (IGNORED_HEADERS.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                continue;
            }
            String name = canonicalHeader(h.getKey());
            JsonNode previous = headers.get(name);
            headers.put(name, previous == null ? h.getValue() : previous.asText() + ", " + h.getValue());
        }
        ObjectNode observation = JsonNodeFactory.instance.objectNode();
        observation.put("status", answer.status());
        observation.set("headers", withPlaceholders(headers, clientPort, peerPort));
        observation.set("body", withPlaceholders(body(answer.text()), clientPort, peerPort));
        return observation;
    }

    static ObjectNode timeout() {
        return JsonNodeFactory.instance.objectNode().put("timeout", true);
    }

    /** A background request that failed by an I/O error rather than an answer or a timeout. */
    static ObjectNode error(Throwable cause) {
        return JsonNodeFactory.instance.objectNode().put("error", cause.getClass().getSimpleName());
    }

    /** {@code x-etcd-index} becomes {@code X-Etcd-Index}. */
    static String canonicalHeader(String name) {
        StringJoiner out = new StringJoiner("-");
        for (String part : name.split("-", -1)) {
            out.add(part.isEmpty() ? "" : Character.toUpperCase(part.charAt(0)) + part.substring(1).toLowerCase(Locale.ROOT));
        }
        return out.toString();
    }

    private static JsonNode body(String text) {
        try {
            JsonNode parsed = JSON.readTree(text);
            if (parsed != null && parsed.isContainerNode()) {
                return parsed;
            }
        } catch (JsonProcessingException notJson) {
            // a text body: compared as text
        }
        return TextNode.valueOf(text);
    }

    /** Replaces the server's own loopback ports, in strings and field names, by placeholders. */
    static JsonNode withPlaceholders(JsonNode value, int clientPort, int peerPort) {
        if (value.isTextual()) {
            return TextNode.valueOf(withPlaceholders(value.asText(), clientPort, peerPort));
        }
        if (value.isArray()) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            value.forEach(element -> out.add(withPlaceholders(element, clientPort, peerPort)));
            return out;
        }
        if (value.isObject()) {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            Iterator<Map.Entry<String, JsonNode>> fields = value.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                out.set(withPlaceholders(f.getKey(), clientPort, peerPort),
                        withPlaceholders(f.getValue(), clientPort, peerPort));
            }
            return out;
        }
        return value;
    }

    static String withPlaceholders(String text, int clientPort, int peerPort) {
        Matcher m = LOOPBACK_PORT.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String port = m.group(2);
            String replacement = port.equals(String.valueOf(clientPort)) ? m.group(1) + "{cport}"
                    : port.equals(String.valueOf(peerPort)) ? m.group(1) + "{pport}"
                    : m.group(0);
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }
}
