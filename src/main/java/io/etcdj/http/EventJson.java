package io.etcdj.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import io.etcdj.store.Event;
import io.etcdj.store.NodeView;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.AbstractMap;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The JSON of store events as clients see it, field for field in the reference's order and with its
 * omissions: v2 events ({@code action}, {@code node}) and v1 responses (flat, one per key, or an
 * array for a directory).
 */
public final class EventJson {
    /**
     * Each level of a listing nests an object and its {@code nodes} array. This admits trees 32
     * times deeper than {@link RequestLimits#MAX_KEY_LEVELS}, for keys written before that limit
     * existed; the writer does not recurse, so the bound caps work, not stack.
     */
    static final int MAX_NESTING_DEPTH = 2 * 32 * RequestLimits.MAX_KEY_LEVELS + 4;

    private static final JsonFactory FACTORY = new JsonFactoryBuilder()
            .characterEscapes(new GoEscapes())
            .streamWriteConstraints(StreamWriteConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build())
            .build();

    private EventJson() {
    }

    /** A v2 event: {@code {"action":..,"node":{..}}}, and {@code "prevNode"} when the event has one. */
    public static byte[] v2(Event event) {
        return write(g -> {
            g.writeStartObject();
            g.writeStringField("action", event.action());
            if (event.node() != null) {
                g.writeFieldName("node");
                writeNode(g, event.node());
            }
            if (event.prevNode() != null) {
                // an extension of later v2 versions; v0.2.0's clients ignore the field
                g.writeFieldName("prevNode");
                writeNode(g, event.prevNode());
            }
            g.writeEndObject();
        });
    }

    /**
     * Writes a node and everything listed below it without recursion, so that a deep recursive
     * listing needs no more stack than a flat one: a stack of the directories whose {@code nodes}
     * array is open, each with the iterator over its children.
     */
    private static void writeNode(JsonGenerator g, NodeView root) throws IOException {
        Deque<Map.Entry<NodeView, Iterator<NodeView>>> open = new ArrayDeque<>();
        openNode(g, root, open);
        while (!open.isEmpty()) {
            Map.Entry<NodeView, Iterator<NodeView>> dir = open.peek();
            if (dir.getValue().hasNext()) {
                openNode(g, dir.getValue().next(), open);
            } else {
                open.pop();
                g.writeEndArray();
                closeNode(g, dir.getKey());
            }
        }
    }

    /** The fields before {@code nodes}; a node with children is left open on {@code open}. */
    private static void openNode(JsonGenerator g, NodeView node, Deque<Map.Entry<NodeView, Iterator<NodeView>>> open)
            throws IOException {
        g.writeStartObject();
        g.writeStringField("key", node.key() == null ? "" : node.key());
        if (node.value() != null && !node.value().isEmpty()) {
            g.writeStringField("value", node.value());
        }
        if (node.dir()) {
            g.writeBooleanField("dir", true);
        }
        if (node.expiration() != null) {
            g.writeStringField("expiration", rfc3339Nano(node.expiration()));
        }
        if (node.ttl() != 0) {
            g.writeNumberField("ttl", node.ttl());
        }
        if (node.nodes() != null && !node.nodes().isEmpty()) {
            g.writeArrayFieldStart("nodes");
            open.push(new AbstractMap.SimpleImmutableEntry<>(node, node.nodes().iterator()));
        } else {
            closeNode(g, node);
        }
    }

    /** The fields after {@code nodes}. */
    private static void closeNode(JsonGenerator g, NodeView node) throws IOException {
        if (node.modifiedIndex() != 0) {
            g.writeNumberField("modifiedIndex", node.modifiedIndex());
        }
        if (node.createdIndex() != 0) {
            g.writeNumberField("createdIndex", node.createdIndex());
        }
        g.writeEndObject();
    }

    /**
     * The v1 answer for an event. A file is one flat object; a directory is the array of its
     * children. A current index of 0 keeps each node's own modified index.
     */
    public static byte[] v1(Event event, long currentIndex) {
        NodeView node = event.node();
        return write(g -> {
            if (node.dir()) {
                g.writeStartArray();
                List<NodeView> children = node.nodes() == null ? List.of() : node.nodes();
                for (NodeView child : children) {
                    writeV1(g, event.action(), child.key(), child.dir(), null, child.value(), false,
                            null, 0, currentIndex != 0 ? currentIndex : child.modifiedIndex());
                }
                g.writeEndArray();
            } else {
                String prev = node.prevValue() == null ? "" : node.prevValue();
                boolean newKey = event.action().equals(Event.SET) && prev.isEmpty();
                String action = switch (event.action()) {
                    case Event.COMPARE_AND_SWAP, Event.CREATE -> "testAndSet";
                    default -> event.action();
                };
                writeV1(g, action, node.key(), false, prev, node.value(), newKey, node.expiration(), node.ttl(),
                        currentIndex != 0 ? currentIndex : node.modifiedIndex());
            }
        });
    }

    private static void writeV1(JsonGenerator g, String action, String key, boolean dir, String prevValue,
                                String value, boolean newKey, Instant expiration, long ttl, long index)
            throws IOException {
        g.writeStartObject();
        g.writeStringField("action", action);
        g.writeStringField("key", key == null ? "" : key);
        if (dir) {
            g.writeBooleanField("dir", true);
        }
        if (prevValue != null && !prevValue.isEmpty()) {
            g.writeStringField("prevValue", prevValue);
        }
        if (value != null && !value.isEmpty()) {
            g.writeStringField("value", value);
        }
        if (newKey) {
            g.writeBooleanField("newKey", true);
        }
        if (expiration != null) {
            g.writeStringField("expiration", rfc3339Nano(expiration));
        }
        if (ttl != 0) {
            g.writeNumberField("ttl", ttl);
        }
        g.writeNumberField("index", index);
        g.writeEndObject();
    }

    /** RFC 3339 in UTC with the fraction's trailing zeros dropped (none at all for whole seconds). */
    static String rfc3339Nano(Instant t) {
        LocalDateTime utc = LocalDateTime.ofEpochSecond(t.getEpochSecond(), 0, ZoneOffset.UTC);
        StringBuilder out = new StringBuilder(35);
        int year = utc.getYear();
        if (year < 0 || year > 9999) {
            // outside what the format can express; keep the digits rather than fail the answer
            out.append(year);
        } else {
            pad(out, year, 4);
        }
        out.append('-');
        pad(out, utc.getMonthValue(), 2);
        out.append('-');
        pad(out, utc.getDayOfMonth(), 2);
        out.append('T');
        pad(out, utc.getHour(), 2);
        out.append(':');
        pad(out, utc.getMinute(), 2);
        out.append(':');
        pad(out, utc.getSecond(), 2);
        int nanos = t.getNano();
        if (nanos != 0) {
            StringBuilder fraction = new StringBuilder();
            pad(fraction, nanos, 9);
            int end = fraction.length();
            while (fraction.charAt(end - 1) == '0') {
                end--;
            }
            out.append('.').append(fraction, 0, end);
        }
        return out.append('Z').toString();
    }

    private static void pad(StringBuilder out, int value, int width) {
        String digits = Integer.toString(value);
        for (int i = digits.length(); i < width; i++) {
            out.append('0');
        }
        out.append(digits);
    }

    private interface Body {
        void writeTo(JsonGenerator g) throws IOException;
    }

    private static byte[] write(Body body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            body.writeTo(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * The reference's encoder escapes HTML-significant characters and the JS line separators, in
     * lower-case hex.
     */
    private static final class GoEscapes extends CharacterEscapes {
        private static final SerializableString LESS = new SerializedString("\\u003c");
        private static final SerializableString GREATER = new SerializedString("\\u003e");
        private static final SerializableString AMPERSAND = new SerializedString("\\u0026");
        private static final SerializableString LINE_SEPARATOR = new SerializedString("\\u2028");
        private static final SerializableString PARAGRAPH_SEPARATOR = new SerializedString("\\u2029");

        private final int[] ascii;

        GoEscapes() {
            ascii = standardAsciiEscapesForJSON();
            ascii['<'] = ESCAPE_CUSTOM;
            ascii['>'] = ESCAPE_CUSTOM;
            ascii['&'] = ESCAPE_CUSTOM;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return switch (ch) {
                case '<' -> LESS;
                case '>' -> GREATER;
                case '&' -> AMPERSAND;
                case 0x2028 -> LINE_SEPARATOR;
                case 0x2029 -> PARAGRAPH_SEPARATOR;
                default -> null;
            };
        }
    }
}
