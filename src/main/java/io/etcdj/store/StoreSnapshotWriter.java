package io.etcdj.store;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonGenerator;

/**
 * Streams a store into the format of {@link StoreSnapshot}: the counters, then the nodes one by
 * one as the caller hands them over (in pre-order, see {@link FrozenStore}), then the history,
 * into chunks that are joined once at the end, so memory beyond the tree is about twice the output.
 */
final class StoreSnapshotWriter {
    private final Chunks out = new Chunks();
    private final JsonGenerator g;

    /** Starts the document: everything before the first node. */
    StoreSnapshotWriter(long index, Map<String, Long> stats) {
        try {
            g = StoreSnapshot.JSON.createGenerator(out);
            g.writeStartObject();
            g.writeNumberField("version", StoreSnapshot.VERSION);
            g.writeNumberField("index", index);
            g.writeObjectFieldStart("stats");
            for (Map.Entry<String, Long> counter : stats.entrySet()) {
                g.writeNumberField(counter.getKey(), counter.getValue());
            }
            g.writeEndObject();
            g.writeArrayFieldStart("nodes");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialize the store: " + e.getMessage(), e);
        }
    }

    /** One node below the root; {@code value} is null for a directory. */
    void node(String path, String value, Instant expireTime, long createdIndex, long modifiedIndex) {
        try {
            g.writeStartObject();
            writeString(g, "key", path, path);
            if (value == null) {
                g.writeBooleanField("dir", true);
            } else {
                writeString(g, "value", value, path);
            }
            if (expireTime != null) {
                g.writeStringField("expire", expireTime.toString());
            }
            g.writeNumberField("created", createdIndex);
            g.writeNumberField("modified", modifiedIndex);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialize the store: " + e.getMessage(), e);
        }
    }

    /** Ends the document with the history and returns it. */
    byte[] finish(List<Event> history) {
        try (g) {
            g.writeEndArray();
            g.writeArrayFieldStart("history");
            for (Event event : history) {
                writeEvent(g, event);
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialize the store: " + e.getMessage(), e);
        }
        return out.toByteArray();
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

    private static String abbreviate(String key) {
        return key == null || key.length() <= 200 ? key : key.substring(0, 200) + "...";
    }

    /** An output growing by chunks (no copy on growth), joined into one array at the end. */
    private static final class Chunks extends OutputStream {
        private static final int FIRST_CHUNK = 1 << 12;
        private static final int LARGEST_CHUNK = 1 << 24;
        /** The largest array the JVM reliably allocates. */
        private static final long MAX_BYTES = Integer.MAX_VALUE - 8;

        private final List<byte[]> full = new ArrayList<>();
        private byte[] current = new byte[FIRST_CHUNK];
        private int used;
        private long total;

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (total + len > MAX_BYTES) {
                throw new IOException("the store serializes to more than " + MAX_BYTES
                        + " bytes, the most a snapshot can hold");
            }
            total += len;
            while (len > 0) {
                if (used == current.length) {
                    full.add(current);
                    current = new byte[(int) Math.min(LARGEST_CHUNK, (long) current.length * 2)];
                    used = 0;
                }
                int n = Math.min(len, current.length - used);
                System.arraycopy(b, off, current, used, n);
                used += n;
                off += n;
                len -= n;
            }
        }

        byte[] toByteArray() {
            byte[] all = new byte[(int) total];
            int at = 0;
            for (byte[] chunk : full) {
                System.arraycopy(chunk, 0, all, at, chunk.length);
                at += chunk.length;
            }
            System.arraycopy(current, 0, all, at, used);
            return all;
        }
    }
}
