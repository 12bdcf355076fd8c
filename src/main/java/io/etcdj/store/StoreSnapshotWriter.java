package io.etcdj.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonGenerator;

/**
 * Streams a store into the format of {@link StoreSnapshot} (version 3): the nodes one by one as
 * the caller hands them over (in pre-order, see {@link FrozenStore}) as binary records, then the
 * head (index, counters, history) as JSON, joined once at the end, so memory beyond the tree is
 * about twice the output.
 */
final class StoreSnapshotWriter {
    private final long index;
    private final Map<String, Long> stats;
    private final ByteChunks nodes = new ByteChunks();
    private final NodeRecords.Writer records = new NodeRecords.Writer(nodes);

    /** Starts the document: everything before the first node. */
    StoreSnapshotWriter(long index, Map<String, Long> stats) {
        this.index = index;
        this.stats = stats;
    }

    /** One node below the root; {@code value} is null for a directory. */
    void node(String path, String value, Instant expireTime, long createdIndex, long modifiedIndex) {
        checkLength("key", path, path);
        if (value != null) {
            checkLength("value", value, path);
        }
        records.node(path, value, expireTime, createdIndex, modifiedIndex);
    }

    /** Ends the document with the history and returns it. */
    byte[] finish(List<Event> history) {
        records.end();
        ByteChunks head = new ByteChunks();
        try (JsonGenerator g = StoreSnapshot.JSON.createGenerator(head)) {
            g.writeStartObject();
            g.writeNumberField("version", StoreSnapshot.VERSION);
            g.writeNumberField("index", index);
            g.writeObjectFieldStart("stats");
            for (Map.Entry<String, Long> counter : stats.entrySet()) {
                g.writeNumberField(counter.getKey(), counter.getValue());
            }
            g.writeEndObject();
            g.writeArrayFieldStart("history");
            for (Event event : history) {
                writeEvent(g, event);
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialize the store: " + e.getMessage(), e);
        }
        long total = StoreSnapshot.BINARY_PREFIX_BYTES + head.size() + nodes.size();
        if (total > ByteChunks.MAX_BYTES) {
            throw new UncheckedIOException(new IOException("the store serializes to " + total
                    + " bytes, more than the " + ByteChunks.MAX_BYTES + " a snapshot can hold"));
        }
        byte[] all = new byte[(int) total];
        ByteBuffer.wrap(all).putInt(StoreSnapshot.BINARY_MAGIC).putInt((int) head.size());
        nodes.copyTo(all, head.copyTo(all, StoreSnapshot.BINARY_PREFIX_BYTES));
        return all;
    }

    /** An event's node and whatever it lists, flattened in pre-order with parent positions. */
    private static void writeEvent(JsonGenerator g, Event event) throws IOException {
        g.writeStartObject();
        writeString(g, "action", event.action(), event.node().key());
        g.writeArrayFieldStart("views");
        record Pending(NodeView view, int parent) {
        }
        Deque<Pending> stack = new ArrayDeque<>();
        stack.push(new Pending(event.node(), -1));
        int position = 0;
        while (!stack.isEmpty()) {
            Pending next = stack.pop();
            NodeView view = next.view();
            g.writeStartObject();
            if (next.parent() >= 0) {
                g.writeNumberField("parent", next.parent());
            }
            writeString(g, "key", view.key(), view.key());
            writeString(g, "value", view.value(), view.key());
            writeString(g, "prevValue", view.prevValue(), view.key());
            if (view.dir()) {
                g.writeBooleanField("dir", true);
            }
            if (view.expiration() != null) {
                g.writeStringField("expiration", view.expiration().toString());
            }
            if (view.ttl() != 0) {
                g.writeNumberField("ttl", view.ttl());
            }
            if (view.nodes() != null) {
                g.writeBooleanField("listed", true);
                List<NodeView> nodes = view.nodes();
                for (int i = nodes.size() - 1; i >= 0; i--) {
                    stack.push(new Pending(nodes.get(i), position)); // reversed, so they pop in order
                }
            }
            g.writeNumberField("created", view.createdIndex());
            g.writeNumberField("modified", view.modifiedIndex());
            g.writeEndObject();
            position++;
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    /**
     * Writes a string field, null as absent. A string longer than the reader accepts is refused
     * here, so that no snapshot is written that could not be read back.
     */
    private static void writeString(JsonGenerator g, String field, String text, String key) throws IOException {
        if (text == null) {
            return;
        }
        if (text.length() > StoreSnapshot.MAX_STRING_CHARS) {
            throw new IllegalStateException("cannot snapshot the store: the " + field + " of "
                    + abbreviate(key) + " has " + text.length() + " chars, more than the "
                    + StoreSnapshot.MAX_STRING_CHARS + " a snapshot holds");
        }
        g.writeStringField(field, text);
    }

    /** As {@link #writeString}, for a node's strings, which are written as binary records. */
    private static void checkLength(String field, String text, String key) {
        if (text.length() > StoreSnapshot.MAX_STRING_CHARS) {
            throw new IllegalStateException("cannot snapshot the store: the " + field + " of "
                    + abbreviate(key) + " has " + text.length() + " chars, more than the "
                    + StoreSnapshot.MAX_STRING_CHARS + " a snapshot holds");
        }
    }

    private static String abbreviate(String key) {
        return key == null || key.length() <= 200 ? key : key.substring(0, 200) + "...";
    }
}
