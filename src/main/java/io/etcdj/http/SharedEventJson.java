package io.etcdj.http;

import io.etcdj.store.Event;

import java.util.function.Supplier;

/**
 * The body of a watch answer, rendered once for all the watchers one event wakes. They are woken
 * together and their answers are rendered one after the other on the connections' loops, so
 * remembering the last event rendered is enough: every watcher of the same event and the same
 * store index gets the same bytes (never changed once built), and only the first renders them.
 * Two loops rendering the same event at once both render it, which costs time, not correctness.
 */
final class SharedEventJson {
    private record Rendered(Event event, long index, byte[] json) {
    }

    private volatile Rendered last;

    /**
     * The bytes {@code render} makes for {@code event}, reused while the event (the same object)
     * and {@code index} (whatever else the body shows; 0 when nothing) are those last rendered.
     */
    byte[] of(Event event, long index, Supplier<byte[]> render) {
        Rendered seen = last;
        if (seen != null && seen.event() == event && seen.index() == index) {
            return seen.json();
        }
        byte[] json = render.get();
        last = new Rendered(event, index, json);
        return json;
    }
}
