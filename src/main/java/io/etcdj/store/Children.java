package io.etcdj.store;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The children of a directory: found by name, and listed in the order they were added.
 *
 * <p>The order is kept in an array of slots that only grows at its end while a snapshot is being
 * serialized: a removed child stays in its slot, marked {@link Node#detached}, so that a
 * {@link FrozenStore} walking the directory slot by slot (between the store's writes) still finds
 * every child the directory had when the snapshot began, at the same position. The removed slots
 * are dropped when more than half of them are dead and no snapshot is under way, which keeps the
 * cost of a removal constant on average.
 */
final class Children {
    private static final Node[] NONE = new Node[0];

    private final HashMap<String, Node> byName;
    private Node[] slots;
    private int used;
    private int dead;

    Children() {
        this(0);
    }

    /** With room for {@code expected} children, for a directory read back from a snapshot. */
    Children(int expected) {
        this.byName = new HashMap<>(Math.max(4, (int) (expected / 0.75f) + 1));
        this.slots = expected == 0 ? NONE : new Node[expected];
    }

    Node get(String name) {
        return byName.get(name);
    }

    boolean containsKey(String name) {
        return byName.containsKey(name);
    }

    boolean isEmpty() {
        return byName.isEmpty();
    }

    /** Number of children. */
    int size() {
        return byName.size();
    }

    /** Adds a child whose name is not taken; {@code compact} when no snapshot is under way. */
    void add(String name, Node child, boolean compact) {
        if (byName.putIfAbsent(name, child) != null) {
            throw new IllegalStateException("a child named " + name + " exists already");
        }
        if (compact) {
            compactIfSparse();
        }
        if (used == slots.length) {
            slots = Arrays.copyOf(slots, Math.max(4, used + (used >> 1)));
        }
        slots[used++] = child;
    }

    /** Detaches a child; {@code compact} when no snapshot is under way. */
    void remove(String name, Node child, boolean compact) {
        if (byName.remove(name, child)) {
            child.detached = true;
            dead++;
            if (compact) {
                compactIfSparse();
            }
        }
    }

    /** Slots in use, removed children included: a snapshot walks positions below this. */
    int slots() {
        return used;
    }

    /** The child in a slot, possibly removed ({@link Node#detached}). */
    Node slot(int position) {
        return slots[position];
    }

    /** The children not removed, in the order they were added. */
    Iterator<Node> iterator() {
        return new Iterator<>() {
            private int next = skipDead(0);

            @Override
            public boolean hasNext() {
                return next < used;
            }

            @Override
            public Node next() {
                if (next >= used) {
                    throw new NoSuchElementException();
                }
                Node child = slots[next];
                next = skipDead(next + 1);
                return child;
            }
        };
    }

    private int skipDead(int from) {
        int at = from;
        while (at < used && slots[at].detached) {
            at++;
        }
        return at;
    }

    private void compactIfSparse() {
        if (dead < 16 || dead * 2 < used) {
            return;
        }
        int kept = 0;
        for (int i = 0; i < used; i++) {
            Node child = slots[i];
            if (!child.detached) {
                slots[kept++] = child;
            }
        }
        Arrays.fill(slots, kept, used, null);
        used = kept;
        dead = 0;
        if (slots.length > 16 && kept < slots.length / 4) {
            slots = Arrays.copyOf(slots, Math.max(4, kept * 2));
        }
    }
}
