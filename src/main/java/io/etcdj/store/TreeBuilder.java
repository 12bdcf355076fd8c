package io.etcdj.store;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Links the nodes of a snapshot into a tree as they come, whatever their encoding, with the chain
 * of directories from the root to the latest one: a node's parent must be on that chain
 * (pre-order), and its name must be a clean component. So every key is clean, every parent exists
 * and is a directory, whatever the depth, and no recursion is needed.
 */
final class TreeBuilder {
    private final Node root = Node.directory("/", 0, null, null);
    private final List<Node> expiring = new ArrayList<>();
    private final Deque<Node> chain = new ArrayDeque<>();
    /** Every directory, the root first: their children are indexed by name at the end. */
    private final List<Node> directories = new ArrayList<>();
    private int count;
    private long highestIndex;

    TreeBuilder() {
        chain.push(root);
        directories.add(root);
    }

    /**
     * Adds the next node; {@code value} is null for a directory.
     *
     * @return null when the node was added, else what is wrong with it (nothing is added then)
     */
    String add(String key, String value, boolean dir, Instant expireTime, long created, long modified) {
        if (dir == (value != null)) {
            return dir ? "directory " + shown(key) + " has a value" : "file " + shown(key) + " has no value";
        }
        int slash = key.lastIndexOf('/');
        int nameLength = key.length() - slash - 1;
        if (slash < 0 || nameLength == 0 || (nameLength == 1 && key.charAt(slash + 1) == '.')
                || (nameLength == 2 && key.startsWith("..", slash + 1))) {
            return "bad key " + shown(key);
        }
        while (chain.size() > 1 && !isParent(chain.peek(), key, slash)) {
            chain.pop();
        }
        Node parent = chain.peek();
        if (!isParent(parent, key, slash)) {
            return "node " + shown(key) + " does not follow its parent directory";
        }
        Node node = dir ? Node.directory(key, created, parent, expireTime)
                : Node.file(key, value, created, parent, expireTime);
        node.modifiedIndex = modified;
        parent.children.append(node);
        if (dir) {
            chain.push(node);
            directories.add(node);
        }
        if (expireTime != null) {
            expiring.add(node);
        }
        highestIndex = Math.max(highestIndex, Math.max(created, modified));
        count++;
        return null;
    }

    /** Whether {@code dir} is the parent of {@code key}, whose last slash is at {@code slash}. */
    private static boolean isParent(Node dir, String key, int slash) {
        if (dir.parent == null) {
            return slash == 0; // the root
        }
        return dir.path.length() == slash && key.startsWith(dir.path);
    }

    /**
     * Indexes every directory's children by name, once all nodes are added (see
     * {@link Children#append}); a name found twice in a directory is refused here.
     *
     * @return null when the tree is complete, else what is wrong with it
     */
    String finish() {
        for (Node dir : directories) {
            Node duplicate = dir.children.index();
            if (duplicate != null) {
                return "duplicate key " + shown(duplicate.path);
            }
        }
        directories.clear();
        return null;
    }

    /** The root of the tree; {@link #finish()} first. */
    Node root() {
        return root;
    }

    List<Node> expiring() {
        return expiring;
    }

    /** Number of nodes added, the root excluded. */
    int count() {
        return count;
    }

    /** The highest created or modified index of the nodes added. */
    long highestIndex() {
        return highestIndex;
    }

    /** A string for a message: quoted, and shortened when long. */
    static String shown(String text) {
        return "\"" + (text.length() <= 100 ? text : text.substring(0, 100) + "...") + "\"";
    }
}
