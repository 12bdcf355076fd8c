package io.etcdj.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** The children table behaves as an insertion-ordered map, through growth, removals and compaction. */
class ChildrenTest {
    private static final Node DIR = Node.directory("/d", 1, null, null);

    @Test
    void randomAddsAndRemovesMatchAnInsertionOrderedMap() {
        for (long seed = 1; seed <= 20; seed++) {
            Random random = new Random(seed);
            Children children = new Children();
            Map<String, Node> model = new LinkedHashMap<>();
            // few distinct names and many operations: long probe runs, removals inside them
            int names = 1 + random.nextInt(300);
            for (int op = 0; op < 5_000; op++) {
                String name = "k" + random.nextInt(names);
                boolean compact = random.nextInt(4) != 0;
                if (random.nextBoolean()) {
                    Node child = Node.file("/d/" + name, "v", op, DIR, null);
                    boolean added = children.addIfAbsent(child, compact);
                    assertEquals(!model.containsKey(name), added, "seed " + seed);
                    model.putIfAbsent(name, child);
                } else if (model.containsKey(name)) {
                    children.remove(model.remove(name), compact);
                }
                assertEquals(model.size(), children.size());
            }
            for (Map.Entry<String, Node> entry : model.entrySet()) {
                assertSame(entry.getValue(), children.get(entry.getKey()), "seed " + seed);
            }
            assertNull(children.get("absent"));
            List<Node> listed = new ArrayList<>();
            for (Iterator<Node> it = children.iterator(); it.hasNext(); ) {
                listed.add(it.next());
            }
            assertEquals(new ArrayList<>(model.values()), listed, "seed " + seed);
        }
    }

    @Test
    void appendedChildrenAreIndexedOnceAndThenBehaveAsAdded() {
        for (int size : new int[] {0, 1, 2, 3, 4, 5, 100, Children.SORTED_INDEX_FROM - 1, Children.SORTED_INDEX_FROM, 100_000}) {
            Children children = new Children();
            List<Node> nodes = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                Node child = Node.file("/d/k" + i, "v", i, DIR, null);
                nodes.add(child);
                children.append(child);
            }
            assertNull(children.index());
            assertEquals(size, children.size());
            for (Node child : nodes) {
                assertSame(child, children.get(child.name()));
            }
            assertNull(children.get("absent"));
            List<Node> listed = new ArrayList<>();
            children.iterator().forEachRemaining(listed::add);
            assertEquals(nodes, listed);
            // the indexed table goes on growing and shrinking like one built by adds
            for (int i = 0; i < size; i += 2) {
                children.remove(nodes.get(i), true);
            }
            assertTrue(children.addIfAbsent(Node.file("/d/new", "v", 1, DIR, null), true));
            assertFalse(children.addIfAbsent(Node.file("/d/new", "w", 2, DIR, null), true));
            assertEquals(size / 2 + 1, children.size());
            for (int i = 1; i < size; i += 2) {
                assertSame(nodes.get(i), children.get("k" + i));
            }
        }
    }

    @Test
    void indexingAppendedChildrenFindsTheFirstRepeatedName() {
        Children children = new Children();
        children.append(Node.file("/d/a", "v", 1, DIR, null));
        children.append(Node.file("/d/ba", "v", 2, DIR, null));
        Node repeated = Node.file("/d/a", "w", 3, DIR, null);
        children.append(repeated);
        children.append(Node.file("/d/ba", "w", 4, DIR, null));
        assertSame(repeated, children.index());

        // a directory large enough for the table to be filled in the order of its slots
        Children large = new Children();
        for (int i = 0; i < Children.SORTED_INDEX_FROM * 3; i++) {
            large.append(Node.file("/d/k" + i, "v", i, DIR, null));
        }
        Node again = Node.file("/d/k5", "w", 1, DIR, null);
        large.append(again);
        assertSame(again, large.index());
    }

    @Test
    void aNameIsMatchedWholeNotAsASuffix() {
        Children children = new Children();
        children.add(Node.file("/d/ab", "v", 1, DIR, null), true);
        assertNull(children.get("b"));
        assertTrue(children.containsKey("ab"));
        assertFalse(children.addIfAbsent(Node.file("/d/ab", "w", 2, DIR, null), true));
    }

    @Test
    void removedChildrenKeepTheirSlotsUntilCompactionIsAllowed() {
        Children children = new Children();
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            Node child = Node.file("/d/" + i, "v", i, DIR, null);
            nodes.add(child);
            children.add(child, false);
        }
        for (int i = 0; i < 90; i++) {
            children.remove(nodes.get(i), false);
        }
        assertEquals(100, children.slots());
        assertTrue(children.slot(0).detached);
        children.remove(nodes.get(90), true);
        assertEquals(9, children.slots());
        assertSame(nodes.get(91), children.slot(0));
    }
}
