package io.etcdj.http;

import io.etcdj.store.Event;

import java.util.function.Supplier;

/**
 * A watch answer, rendered once for all the watchers one event wakes. They are woken together and
 * their answers are rendered one after the other on the connections' loops, so remembering the
 * last event rendered is enough: every watcher of the same event and the same store index gets the
 * same {@link Reply} object (a {@linkplain Reply#shared() shared} one, never changed once built),
 * and only the first renders it. Two loops rendering the same event at once both render it, which
 * costs time, not correctness. The store index is part of what is compared because the answer
 * shows it (v2: X-Etcd-Index, and the raft position; v1: the body): a watcher answered after a later write sees that
 * write's index, as it did when every answer was rendered on its own.
 */
final class SharedEventJson {
    private record Rendered(Event event, long index, long raftIndex, long raftTerm, Reply reply) {
    }

    private volatile Rendered last;

    /**
     * The reply {@code render} makes for {@code event}, reused while the event (the same object)
     * and the positions the answer shows ({@code index}, the store's; {@code raftIndex} and
     * {@code raftTerm}; 0 for what it does not show) are those last rendered.
     */
    Reply of(Event event, long index, long raftIndex, long raftTerm, Supplier<Reply> render) {
        Rendered seen = last;
        if (seen != null && seen.event() == event && seen.index() == index && seen.raftIndex() == raftIndex
                && seen.raftTerm() == raftTerm) {
            return seen.reply();
        }
        Reply reply = render.get().asShared();
        last = new Rendered(event, index, raftIndex, raftTerm, reply);
        return reply;
    }
}
