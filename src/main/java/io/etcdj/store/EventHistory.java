package io.etcdj.store;

import java.util.ArrayDeque;
import java.util.List;

/**
 * The most recent events, oldest first, so that a watcher can ask for changes it missed between
 * two polls. Events carry consecutive indexes; once full, the oldest is dropped for each new one.
 */
final class EventHistory {
    private final int capacity;
    private final ArrayDeque<Event> events;

    EventHistory(int capacity) {
        this.capacity = capacity;
        this.events = new ArrayDeque<>(capacity);
    }

    void add(Event event) {
        if (events.size() == capacity) {
            events.pollFirst();
        }
        events.addLast(event);
    }

    /** Index of the oldest event kept; 0 when empty. */
    long startIndex() {
        Event first = events.peekFirst();
        return first == null ? 0 : first.index();
    }

    /** Index of the newest event kept; 0 when empty. */
    long lastIndex() {
        Event last = events.peekLast();
        return last == null ? 0 : last.index();
    }

    /**
     * The first event at or after {@code index} on {@code key} (or below it when recursive), or
     * null when none has happened yet.
     *
     * @param currentIndex the store index, reported in the error
     * @throws EtcdException 401 when events from {@code index} on are no longer kept
     */
    Event scan(String key, boolean recursive, long index, long currentIndex) {
        long start = startIndex();
        if (index < start) {
            throw new EtcdException(EtcdException.EVENT_INDEX_CLEARED,
                    "the requested history has been cleared [" + start + "/" + index + "]", currentIndex);
        }
        if (index > lastIndex()) {
            return null;
        }
        String prefix = key.endsWith("/") ? key : key + "/";
        for (Event event : events) {
            if (event.index() < index) {
                continue;
            }
            String eventKey = event.node().key();
            if (eventKey.equals(key) || (recursive && eventKey.startsWith(prefix))) {
                return event;
            }
        }
        return null;
    }

    List<Event> events() {
        return List.copyOf(events);
    }

    void replaceWith(List<Event> saved) {
        events.clear();
        int skip = Math.max(0, saved.size() - capacity);
        for (Event event : saved.subList(skip, saved.size())) {
            events.addLast(event);
        }
    }
}
