package io.etcdj.store;

import java.util.Arrays;
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
    private static final int[] NO_HASHES = new int[0];
    /** From this many children on, {@link #index()} fills the table in the order of its slots. */
    static final int SORTED_INDEX_FROM = 4096;
    private static final int RADIX_BITS = 11;
    private static final int RADIX = 1 << RADIX_BITS;

    /**
     * The children not removed, by name: open addressing with linear probing, a power of two
     * long and at most two thirds full. A child's name is read from its key in place, so no name
     * string or map entry is kept per child; {@link #hashes} holds each entry's mixed name hash,
     * so a probe reads the key only when the hashes match.
     */
    private Node[] table = NONE;
    private int[] hashes = NO_HASHES;
    private int count;
    private Node[] slots = NONE;
    private int used;
    private int dead;
    /**
     * While a snapshot is decoded ({@link #append}): the mixed name hash of each slot's child,
     * taken while the child is fresh in the cache, so that {@link #index()} builds the table once,
     * at its final size, without reading the children again. Null otherwise.
     */
    private int[] pending;

    Node get(String name) {
        if (count == 0) {
            return null;
        }
        int mask = table.length - 1;
        int hash = spread(name.hashCode());
        for (int i = hash & mask; table[i] != null; i = (i + 1) & mask) {
            if (hashes[i] == hash && named(table[i], name)) {
                return table[i];
            }
        }
        return null;
    }

    boolean containsKey(String name) {
        return get(name) != null;
    }

    boolean isEmpty() {
        return count == 0;
    }

    /** Number of children. */
    int size() {
        return count;
    }

    /** Adds a child whose name is not taken; {@code compact} when no snapshot is under way. */
    void add(Node child, boolean compact) {
        if (!addIfAbsent(child, compact)) {
            throw new IllegalStateException("a child named as " + child.path + " exists already");
        }
    }

    /** Adds a child unless its name is taken (then returns false and changes nothing). */
    boolean addIfAbsent(Node child, boolean compact) {
        if ((count + 1) * 3 > table.length * 2) {
            rehash(Math.max(4, table.length * 2));
        }
        int mask = table.length - 1;
        int start = nameStart(child.path);
        int hash = spread(nameHash(child.path, start));
        int i = hash & mask;
        for (; table[i] != null; i = (i + 1) & mask) {
            if (hashes[i] == hash && sameName(table[i], child.path, start)) {
                return false;
            }
        }
        table[i] = child;
        hashes[i] = hash;
        count++;
        if (compact) {
            compactIfSparse();
        }
        if (used == slots.length) {
            slots = Arrays.copyOf(slots, Math.max(4, used + (used >> 1)));
        }
        slots[used++] = child;
        return true;
    }

    /**
     * Adds a child at the end of the slots without indexing it by name: for a directory being
     * decoded, whose children are indexed at once by {@link #index()} before it is used. A
     * directory of a million children then builds one table of the right size instead of
     * doubling one twenty times (each doubling re-inserting every entry at random places).
     */
    void append(Node child) {
        if (pending == null) {
            if (used != 0) {
                throw new IllegalStateException("children were indexed already");
            }
            pending = NO_HASHES;
        }
        if (used == slots.length) {
            int capacity = Math.max(4, used + (used >> 1));
            slots = Arrays.copyOf(slots, capacity);
            pending = Arrays.copyOf(pending, capacity);
        }
        pending[used] = spread(nameHash(child.path, nameStart(child.path)));
        slots[used++] = child;
    }

    /**
     * Indexes the children {@link #append appended} by name, in a table sized for them.
     *
     * @return null when done, else the first child whose name an earlier one has (the table is
     *         left empty then: the directory must not be used)
     */
    Node index() {
        int[] hashOf = pending;
        if (hashOf == null) {
            return null;
        }
        pending = null;
        int capacity = 4;
        while ((long) used * 3 > (long) capacity * 2) {
            capacity <<= 1;
        }
        Node[] built = new Node[capacity];
        int[] builtHashes = new int[capacity];
        int mask = capacity - 1;
        long[] order = used < SORTED_INDEX_FROM ? null : byHomeSlot(hashOf, used, mask);
        for (int k = 0; k < used; k++) {
            int j = order == null ? k : (int) order[k];
            Node child = slots[j];
            int hash = hashOf[j];
            int i = hash & mask;
            for (; built[i] != null; i = (i + 1) & mask) {
                if (builtHashes[i] == hash && sameName(built[i], child.path, nameStart(child.path))) {
                    return child;
                }
            }
            built[i] = child;
            builtHashes[i] = hash;
        }
        table = built;
        hashes = builtHashes;
        count = used;
        return null;
    }

    /**
     * The slots {@code 0..n-1} ordered by the table slot their hash starts at (stably: a slot
     * before another with the same home stays before it), each as {@code home << 32 | slot}. A
     * large table filled in this order is written front to back, not at random: filling a table of
     * a million children at random was nearly half of a snapshot's decoding, all cache misses.
     * An LSD radix sort of 11 bits a pass, each pass reading and writing in sequence.
     */
    private static long[] byHomeSlot(int[] hashOf, int n, int mask) {
        long[] order = new long[n];
        for (int j = 0; j < n; j++) {
            order[j] = ((long) (hashOf[j] & mask) << 32) | j;
        }
        long[] spare = new long[n];
        int[] counts = new int[RADIX + 1];
        for (int shift = 32; shift < 32 + Integer.bitCount(mask); shift += RADIX_BITS) {
            Arrays.fill(counts, 0);
            for (int j = 0; j < n; j++) {
                counts[(int) (order[j] >>> shift) & (RADIX - 1)]++;
            }
            for (int d = 0, sum = 0; d <= RADIX; d++) {
                int c = d < RADIX ? counts[d] : 0;
                counts[d] = sum;
                sum += c;
            }
            for (int j = 0; j < n; j++) {
                long e = order[j];
                spare[counts[(int) (e >>> shift) & (RADIX - 1)]++] = e;
            }
            long[] t = order;
            order = spare;
            spare = t;
        }
        return order;
    }

    /** Detaches a child; {@code compact} when no snapshot is under way. */
    void remove(Node child, boolean compact) {
        if (count == 0) {
            return;
        }
        int mask = table.length - 1;
        int i = spread(nameHash(child.path, nameStart(child.path))) & mask;
        while (table[i] != child) {
            if (table[i] == null) {
                return; // not a child (any more)
            }
            i = (i + 1) & mask;
        }
        // backward-shift deletion: later entries of the probe run move up, so no tombstones
        table[i] = null;
        for (int j = (i + 1) & mask; table[j] != null; j = (j + 1) & mask) {
            int k = hashes[j] & mask;
            boolean movable = i <= j ? (k <= i || k > j) : (k <= i && k > j);
            if (movable) {
                table[i] = table[j];
                hashes[i] = hashes[j];
                table[j] = null;
                i = j;
            }
        }
        count--;
        child.detached = true;
        dead++;
        if (compact) {
            compactIfSparse();
        }
    }

    private void rehash(int capacity) {
        Node[] oldTable = table;
        int[] oldHashes = hashes;
        table = new Node[capacity];
        hashes = new int[capacity];
        int mask = capacity - 1;
        for (int j = 0; j < oldTable.length; j++) {
            if (oldTable[j] != null) {
                int i = oldHashes[j] & mask;
                while (table[i] != null) {
                    i = (i + 1) & mask;
                }
                table[i] = oldTable[j];
                hashes[i] = oldHashes[j];
            }
        }
    }

    private static int nameStart(String path) {
        return path.lastIndexOf('/') + 1;
    }

    /** The hash of the name at the end of {@code path}, equal to that name's {@link String#hashCode()}. */
    private static int nameHash(String path, int start) {
        int h = 0;
        for (int i = start, n = path.length(); i < n; i++) {
            h = 31 * h + path.charAt(i);
        }
        return h;
    }

    /**
     * Mixes every bit of a name's hash into the low ones: names such as {@code k1}, {@code k2}, ...
     * have nearly consecutive hashes, which linear probing would pile into long runs.
     */
    private static int spread(int h) {
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        return h ^ (h >>> 16);
    }

    private static boolean named(Node node, String name) {
        String path = node.path;
        int start = path.length() - name.length();
        return start > 0 && path.charAt(start - 1) == '/' && path.regionMatches(start, name, 0, name.length());
    }

    private static boolean sameName(Node node, String path, int start) {
        String other = node.path;
        int length = path.length() - start;
        int otherStart = other.length() - length;
        return otherStart > 0 && other.charAt(otherStart - 1) == '/'
                && other.regionMatches(otherStart, path, start, length);
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
