package io.etcdj.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;

/**
 * Decodes and checks the format of {@link StoreSnapshot}: version 2 (all JSON) and version 3
 * (JSON head, binary nodes), with Jackson's streaming parser for the JSON, in one pass and without
 * recursion. Every problem, from garbage bytes to a node whose parent is missing,
 * becomes an {@link IllegalArgumentException} that says what is wrong and where.
 */
final class StoreSnapshotReader {
    private static final String REFUSED = "not a valid store snapshot: ";
    private static final Set<String> ACTIONS = Set.of(Event.GET, Event.SET, Event.CREATE, Event.UPDATE,
            Event.COMPARE_AND_SWAP, Event.COMPARE_AND_DELETE, Event.DELETE, Event.EXPIRE);

    /**
     * Every field name of the format (the counters apart), each with a bit, so that a duplicate
     * field is found with a mask per object: the parser's own check builds a set per object.
     */
    private static final Map<String, Long> FIELD_BITS = fieldBits("version", "index", "stats", "nodes", "history",
            "key", "value", "dir", "expire", "created", "modified", "action", "views", "parent", "prevValue",
            "expiration", "ttl", "listed");

    private final JsonParser p;
    /** The highest index any node or event carries; none may pass the store index. */
    private long highestIndex;

    private StoreSnapshotReader(JsonParser p) {
        this.p = p;
    }

    static StoreSnapshot read(byte[] data) {
        if (data == null || data.length == 0) {
            throw new IllegalArgumentException(REFUSED + "no data");
        }
        try {
            if (data[0] != 0) {
                try (JsonParser parser = StoreSnapshot.JSON.createParser(data)) {
                    return new StoreSnapshotReader(parser).document(StoreSnapshot.JSON_VERSION, null).snapshot();
                }
            }
            return binary(data);
        } catch (Malformed e) {
            throw new IllegalArgumentException(REFUSED + e.getMessage());
        } catch (JsonProcessingException e) {
            // Jackson's own: bad syntax, truncation, constraints (nesting, lengths), duplicate fields
            String where = e.getLocation() == null ? "" : " (at byte " + e.getLocation().getByteOffset() + ")";
            throw new IllegalArgumentException(REFUSED + e.getOriginalMessage() + where, e);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(REFUSED + e, e);
        }
    }

    /**
     * Version 3: the binary prefix (magic number and the head's length), the head as JSON (a
     * version 2 document without "nodes"), then the nodes as {@link NodeRecords}.
     */
    private static StoreSnapshot binary(byte[] data) throws IOException {
        int prefix = StoreSnapshot.BINARY_PREFIX_BYTES;
        if (data.length < prefix) {
            throw new Malformed("cut short (" + data.length + " bytes)");
        }
        ByteBuffer b = ByteBuffer.wrap(data);
        if (b.getInt() != StoreSnapshot.BINARY_MAGIC) {
            throw new Malformed("neither JSON nor a binary store snapshot (bad magic number)");
        }
        int headLength = b.getInt();
        if (headLength < 0 || headLength > data.length - prefix) {
            throw new Malformed("the head's length " + headLength + " runs past the end of the "
                    + data.length + " bytes");
        }
        TreeBuilder tree = new TreeBuilder();
        Head head;
        try (JsonParser parser = StoreSnapshot.JSON.createParser(data, prefix, headLength)) {
            head = new StoreSnapshotReader(parser).document(StoreSnapshot.VERSION, tree);
        }
        new NodeRecords.Reader(data, prefix + headLength).readInto(tree);
        if (tree.highestIndex() > head.index()) {
            throw new Malformed("a node has index " + tree.highestIndex() + ", beyond the store index "
                    + head.index());
        }
        return head.snapshot();
    }

    /** What a document or head holds; the tree may still grow until {@link #snapshot()}. */
    private record Head(long index, Map<String, Long> stats, TreeBuilder tree, List<Event> history) {
        StoreSnapshot snapshot() {
            String problem = tree.finish();
            if (problem != null) {
                throw new Malformed(problem);
            }
            return new StoreSnapshot(index, tree.root(), tree.expiring(), tree.count(), history, stats);
        }
    }

    /**
     * The JSON document of a version 2 snapshot ({@code nodes} null: its nodes are read into a
     * tree of its own), or the head of a version 3 one, whose nodes follow it in binary and are
     * read into {@code nodes} afterwards.
     */
    private Head document(int expectedVersion, TreeBuilder nodes) throws IOException {
        expect(p.nextToken(), JsonToken.START_OBJECT, "the snapshot");
        long[] seen = {0};
        if (!"version".equals(nextField(seen))) {
            throw fail("the first field must be \"version\"");
        }
        long version = number("version");
        if (version != expectedVersion) {
            throw fail("unknown store snapshot format version " + version + " (this build reads version "
                    + StoreSnapshot.JSON_VERSION + " as JSON and version " + StoreSnapshot.VERSION
                    + " with binary nodes)");
        }
        boolean json = nodes == null;
        Long index = null;
        Map<String, Long> stats = null;
        TreeBuilder tree = nodes;
        List<Event> history = null;
        for (String field = nextField(seen); field != null; field = nextField(seen)) {
            switch (field) {
                case "index" -> index = nonNegative("index");
                case "stats" -> stats = stats();
                case "nodes" -> {
                    if (!json) {
                        throw fail("unknown field \"nodes\" (version 3 keeps its nodes in binary)");
                    }
                    tree = nodes();
                }
                case "history" -> history = history();
                default -> throw fail("unknown field \"" + field + "\"");
            }
        }
        if (p.nextToken() != null) {
            throw fail("data after the end of the snapshot");
        }
        if (index == null || stats == null || tree == null || history == null) {
            throw fail(json ? "a field is missing: a snapshot has \"index\", \"stats\", \"nodes\" and \"history\""
                    : "a field is missing: a snapshot's head has \"index\", \"stats\" and \"history\"");
        }
        long highest = Math.max(highestIndex, tree.highestIndex());
        if (highest > index) {
            throw fail("a node or event has index " + highest + ", beyond the store index " + index);
        }
        return new Head(index, stats, tree, history);
    }

    private Map<String, Long> stats() throws IOException {
        expect(p.nextToken(), JsonToken.START_OBJECT, "\"stats\"");
        Map<String, Long> stats = new LinkedHashMap<>();
        for (String field = nextField(); field != null; field = nextField()) {
            if (!StoreStats.NAMES.contains(field)) {
                throw fail("unknown counter \"" + field + "\"");
            }
            if (stats.put(field, nonNegative(field)) != null) {
                throw fail("Duplicate field '" + field + "'");
            }
        }
        return stats;
    }

    /** The nodes of a version 2 snapshot, linked as they come (see {@link TreeBuilder}). */
    private TreeBuilder nodes() throws IOException {
        expect(p.nextToken(), JsonToken.START_ARRAY, "\"nodes\"");
        TreeBuilder tree = new TreeBuilder();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            expect(t, JsonToken.START_OBJECT, "a node");
            String key = null;
            String value = null;
            String expire = null;
            boolean dir = false;
            long created = -1;
            long modified = -1;
            long[] seen = {0};
            for (String field = nextField(seen); field != null; field = nextField(seen)) {
                switch (field) {
                    case "key" -> key = string(field);
                    case "value" -> value = string(field);
                    case "dir" -> dir = bool(field);
                    case "expire" -> expire = string(field);
                    case "created" -> created = nonNegative(field);
                    case "modified" -> modified = nonNegative(field);
                    default -> throw fail("unknown field \"" + field + "\" in a node");
                }
            }
            if (key == null || created < 0 || modified < 0) {
                throw fail("a node lacks its \"key\", \"created\" or \"modified\"");
            }
            String problem = tree.add(key, value, dir, instant(expire, key), created, modified);
            if (problem != null) {
                throw fail(problem);
            }
        }
        return tree;
    }

    private List<Event> history() throws IOException {
        expect(p.nextToken(), JsonToken.START_ARRAY, "\"history\"");
        List<Event> events = new ArrayList<>();
        long previous = 0;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            expect(t, JsonToken.START_OBJECT, "an event");
            String action = null;
            NodeView view = null;
            long[] seen = {0};
            for (String field = nextField(seen); field != null; field = nextField(seen)) {
                switch (field) {
                    case "action" -> action = string(field);
                    case "views" -> view = views();
                    default -> throw fail("unknown field \"" + field + "\" in an event");
                }
            }
            if (action == null || view == null) {
                throw fail("an event lacks its \"action\" or \"views\"");
            }
            if (!ACTIONS.contains(action)) {
                throw fail("unknown event action " + shown(action));
            }
            Event event = new Event(action, view);
            if (event.index() < previous) {
                throw fail("event at index " + event.index() + " after one at index " + previous);
            }
            previous = event.index();
            highestIndex = Math.max(highestIndex, previous);
            events.add(event);
        }
        return events;
    }

    /** A view read but not built yet: its children are built first. */
    private static final class ViewParts {
        int parent = -1;
        String key;
        String value;
        String prevValue;
        boolean dir;
        Instant expiration;
        long ttl;
        boolean listed;
        long created = -1;
        long modified = -1;
        List<Integer> children;
    }

    /** An event's views, flat in pre-order, built into one tree of {@link NodeView}s from the last up. */
    private NodeView views() throws IOException {
        expect(p.nextToken(), JsonToken.START_ARRAY, "\"views\"");
        List<ViewParts> parts = new ArrayList<>();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            expect(t, JsonToken.START_OBJECT, "a view");
            ViewParts v = new ViewParts();
            String expiration = null;
            long[] seen = {0};
            for (String field = nextField(seen); field != null; field = nextField(seen)) {
                switch (field) {
                    case "parent" -> v.parent = (int) Math.min(Integer.MAX_VALUE, nonNegative(field));
                    case "key" -> v.key = string(field);
                    case "value" -> v.value = string(field);
                    case "prevValue" -> v.prevValue = string(field);
                    case "dir" -> v.dir = bool(field);
                    case "expiration" -> expiration = string(field);
                    case "ttl" -> v.ttl = number(field);
                    case "listed" -> v.listed = bool(field);
                    case "created" -> v.created = nonNegative(field);
                    case "modified" -> v.modified = nonNegative(field);
                    default -> throw fail("unknown field \"" + field + "\" in a view");
                }
            }
            if (v.key == null || v.created < 0 || v.modified < 0) {
                throw fail("a view lacks its \"key\", \"created\" or \"modified\"");
            }
            v.expiration = instant(expiration, v.key);
            int position = parts.size();
            if (position == 0 ? v.parent != -1 : v.parent < 0 || v.parent >= position) {
                throw fail("view " + shown(v.key) + " has a bad parent position");
            }
            if (position > 0) {
                ViewParts parent = parts.get(v.parent);
                if (!parent.listed) {
                    throw fail("view " + shown(v.key) + " is below a view without a listing");
                }
                parent.children.add(position);
            }
            if (v.listed) {
                v.children = new ArrayList<>();
            }
            parts.add(v);
        }
        if (parts.isEmpty()) {
            throw fail("an event without a view");
        }
        // children always come after their parent, so building from the last up meets them first
        NodeView[] built = new NodeView[parts.size()];
        for (int i = parts.size() - 1; i >= 0; i--) {
            ViewParts v = parts.get(i);
            List<NodeView> nodes = null;
            if (v.listed) {
                List<NodeView> list = new ArrayList<>(v.children.size());
                for (int child : v.children) {
                    list.add(built[child]);
                    built[child] = null;
                }
                nodes = List.copyOf(list);
            }
            built[i] = new NodeView(v.key, v.value, v.prevValue, v.dir, v.expiration, v.ttl, nodes, v.modified,
                    v.created);
        }
        return built[0];
    }

    /** The next field's name, or null at the end of the object; {@code seen} holds the names met so far. */
    private String nextField(long[] seen) throws IOException {
        JsonToken t = p.nextToken();
        if (t == JsonToken.END_OBJECT) {
            return null;
        }
        expect(t, JsonToken.FIELD_NAME, "a field name");
        String name = p.currentName();
        Long bit = FIELD_BITS.get(name);
        if (bit != null) {
            if ((seen[0] & bit) != 0) {
                throw fail("Duplicate field '" + name + "'");
            }
            seen[0] |= bit;
        }
        return name;
    }

    /** The stats object's fields: no duplicate among them (unknown names are refused by the caller). */
    private String nextField() throws IOException {
        JsonToken t = p.nextToken();
        if (t == JsonToken.END_OBJECT) {
            return null;
        }
        expect(t, JsonToken.FIELD_NAME, "a field name");
        return p.currentName();
    }

    private static Map<String, Long> fieldBits(String... names) {
        Map<String, Long> bits = new HashMap<>();
        for (int i = 0; i < names.length; i++) {
            bits.put(names[i], 1L << i);
        }
        return Map.copyOf(bits);
    }

    private String string(String field) throws IOException {
        expect(p.nextToken(), JsonToken.VALUE_STRING, "\"" + field + "\"");
        return p.getText();
    }

    private boolean bool(String field) throws IOException {
        JsonToken t = p.nextToken();
        if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) {
            throw fail("\"" + field + "\" must be true or false, not " + t);
        }
        return t == JsonToken.VALUE_TRUE;
    }

    private long number(String field) throws IOException {
        expect(p.nextToken(), JsonToken.VALUE_NUMBER_INT, "\"" + field + "\"");
        return p.getLongValue(); // too large for a long: Jackson refuses it
    }

    private long nonNegative(String field) throws IOException {
        long n = number(field);
        if (n < 0) {
            throw fail("\"" + field + "\" is negative: " + n);
        }
        return n;
    }

    private Instant instant(String text, String key) {
        if (text == null) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw fail("bad expiration time " + shown(text) + " of " + shown(key));
        }
    }

    private void expect(JsonToken actual, JsonToken expected, String what) {
        if (actual != expected) {
            throw fail(actual == null ? "cut short where " + what + " was expected"
                    : what + " should be " + describe(expected) + ", not " + describe(actual));
        }
    }

    private static String describe(JsonToken t) {
        return switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT -> "an integer";
            case VALUE_NUMBER_FLOAT -> "a fraction";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            case FIELD_NAME -> "a field name";
            case END_OBJECT -> "the end of an object";
            case END_ARRAY -> "the end of an array";
            default -> t.toString();
        };
    }

    private static String shown(String text) {
        return TreeBuilder.shown(text);
    }

    private Malformed fail(String what) {
        return new Malformed(what + " (at byte " + p.currentLocation().getByteOffset() + ")");
    }

    /** A problem found by these checks rather than by the parser; reported as it is. */
    static final class Malformed extends RuntimeException {
        Malformed(String message) {
            super(message, null, false, false);
        }
    }
}
