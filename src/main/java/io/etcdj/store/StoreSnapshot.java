package io.etcdj.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The saved form of a store, as JSON: the node tree with absolute expirations (ISO-8601
 * instants), the store index, the event history and the counters.
 *
 * @param index   the store index
 * @param root    the root directory, with parents linked
 * @param history the kept events, oldest first
 * @param stats   counter values by their {@code /v2/stats/store} names
 */
public record StoreSnapshot(long index, Node root, List<Event> history, Map<String, Long> stats) {
    private static final ObjectMapper JSON = new ObjectMapper()
            .setSerializationInclusion(JsonInclude.Include.NON_NULL)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** Format version, so a later change of shape is recognised instead of misread. */
    private static final int VERSION = 1;

    record SavedState(int version, long index, SavedNode root, List<SavedEvent> history, Map<String, Long> stats) {
    }

    record SavedNode(String key, boolean dir, String value, String expireTime, long createdIndex,
                     long modifiedIndex, List<SavedNode> children) {
    }

    record SavedEvent(String action, SavedView node) {
    }

    record SavedView(String key, String value, String prevValue, boolean dir, String expiration, long ttl,
                     List<SavedView> nodes, long modifiedIndex, long createdIndex) {
    }

    static byte[] write(long index, Node root, List<Event> history, Map<String, Long> stats) {
        List<SavedEvent> events = new ArrayList<>(history.size());
        for (Event event : history) {
            events.add(new SavedEvent(event.action(), save(event.node())));
        }
        try {
            return JSON.writeValueAsBytes(new SavedState(VERSION, index, save(root), events, stats));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialize the store", e);
        }
    }

    public static StoreSnapshot decode(byte[] bytes) {
        SavedState state;
        try {
            state = JSON.readValue(bytes, SavedState.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a saved store: " + e.getMessage(), e);
        }
        if (state == null || state.version() != VERSION || state.root() == null || !state.root().dir()) {
            throw new IllegalArgumentException("not a saved store of version " + VERSION);
        }
        List<Event> events = new ArrayList<>();
        if (state.history() != null) {
            for (SavedEvent event : state.history()) {
                events.add(new Event(event.action(), restore(event.node())));
            }
        }
        return new StoreSnapshot(state.index(), restore(state.root(), null), events, state.stats());
    }

    private static SavedNode save(Node node) {
        List<SavedNode> children = null;
        if (node.isDir()) {
            children = new ArrayList<>(node.children.size());
            for (Node child : node.children.values()) {
                children.add(save(child));
            }
        }
        return new SavedNode(node.path, node.isDir(), node.isDir() ? null : node.value, text(node.expireTime),
                node.createdIndex, node.modifiedIndex, children);
    }

    private static Node restore(SavedNode saved, Node parent) {
        Instant expireTime = instant(saved.expireTime());
        Node node = saved.dir() ? Node.directory(saved.key(), saved.createdIndex(), parent, expireTime)
                : Node.file(saved.key(), saved.value(), saved.createdIndex(), parent, expireTime);
        node.modifiedIndex = saved.modifiedIndex();
        if (saved.dir() && saved.children() != null) {
            for (SavedNode child : saved.children()) {
                node.addChild(restore(child, node));
            }
        }
        return node;
    }

    private static SavedView save(NodeView view) {
        List<SavedView> nodes = null;
        if (view.nodes() != null) {
            nodes = new ArrayList<>(view.nodes().size());
            for (NodeView child : view.nodes()) {
                nodes.add(save(child));
            }
        }
        return new SavedView(view.key(), view.value(), view.prevValue(), view.dir(), text(view.expiration()),
                view.ttl(), nodes, view.modifiedIndex(), view.createdIndex());
    }

    private static NodeView restore(SavedView saved) {
        List<NodeView> nodes = null;
        if (saved.nodes() != null) {
            nodes = new ArrayList<>(saved.nodes().size());
            for (SavedView child : saved.nodes()) {
                nodes.add(restore(child));
            }
            nodes = List.copyOf(nodes);
        }
        return new NodeView(saved.key(), saved.value(), saved.prevValue(), saved.dir(), instant(saved.expiration()),
                saved.ttl(), nodes, saved.modifiedIndex(), saved.createdIndex());
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    private static Instant instant(String text) {
        return text == null ? null : Instant.parse(text);
    }
}
