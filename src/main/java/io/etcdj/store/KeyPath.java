package io.etcdj.store;

import java.util.ArrayDeque;
import java.util.Deque;

/** Key path arithmetic with the rules of Go's {@code path} package, which the reference relies on. */
final class KeyPath {
    private KeyPath() {
    }

    /** The cleaned absolute form of {@code key}: like Go's {@code path.Clean(path.Join("/", key))}. */
    static String clean(String key) {
        Deque<String> parts = new ArrayDeque<>();
        for (String part : (key == null ? "" : key).split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                // ".." at the root stays at the root
                parts.pollLast();
            } else {
                parts.addLast(part);
            }
        }
        if (parts.isEmpty()) {
            return "/";
        }
        StringBuilder out = new StringBuilder();
        for (String part : parts) {
            out.append('/').append(part);
        }
        return out.toString();
    }

    /** The parent directory of a cleaned non-root key, e.g. {@code /a/b} gives {@code /a}. */
    static String parent(String cleanKey) {
        int slash = cleanKey.lastIndexOf('/');
        return slash <= 0 ? "/" : cleanKey.substring(0, slash);
    }

    /** The last component of a cleaned key; empty for the root. */
    static String name(String cleanKey) {
        return cleanKey.substring(cleanKey.lastIndexOf('/') + 1);
    }

    /** The child key of {@code dir} named {@code name}. */
    static String join(String dir, String name) {
        return dir.equals("/") ? "/" + name : dir + "/" + name;
    }

    /** Non-empty components of a cleaned key, e.g. {@code /a/b} gives {@code [a, b]}. */
    static String[] components(String cleanKey) {
        return cleanKey.equals("/") ? new String[0] : cleanKey.substring(1).split("/");
    }

    /**
     * Orders keys as Go compares strings: by UTF-8 bytes, which is code point order (Java's
     * {@code compareTo} uses UTF-16 units and differs above the surrogate range).
     */
    static int compareBytewise(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    }
}
