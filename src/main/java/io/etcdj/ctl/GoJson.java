package io.etcdj.ctl;

import java.util.List;

/**
 * Writes a {@link KeysResponse} as etcd's Go client marshals it, which scripts built on
 * {@code etcdctl -o json} parse: fields in the struct's order, {@code "nodes":null} and
 * {@code "prevNode":null} when absent, {@code dir}, {@code expiration} and {@code ttl} left out
 * when empty, and {@code <}, {@code >}, {@code &} escaped as Go escapes them.
 */
final class GoJson {
    private GoJson() {}

    static String write(KeysResponse response) {
        StringBuilder out = new StringBuilder(128);
        out.append("{\"action\":");
        string(out, response.action());
        out.append(",\"node\":");
        node(out, response.node());
        out.append(",\"prevNode\":");
        node(out, response.prevNode());
        return out.append('}').toString();
    }

    private static void node(StringBuilder out, Node node) {
        if (node == null) {
            out.append("null");
            return;
        }
        out.append("{\"key\":");
        string(out, node.key());
        if (node.dir()) {
            out.append(",\"dir\":true");
        }
        out.append(",\"value\":");
        string(out, node.value());
        out.append(",\"nodes\":");
        List<Node> nodes = node.nodes();
        if (nodes == null) {
            out.append("null");
        } else {
            out.append('[');
            for (int i = 0; i < nodes.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                node(out, nodes.get(i));
            }
            out.append(']');
        }
        out.append(",\"createdIndex\":").append(node.createdIndex());
        out.append(",\"modifiedIndex\":").append(node.modifiedIndex());
        if (node.expiration() != null) {
            out.append(",\"expiration\":");
            string(out, node.expiration());
        }
        if (node.ttl() != 0) {
            out.append(",\"ttl\":").append(node.ttl());
        }
        out.append('}');
    }

    static void string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '<', '>', '&', '\u2028', '\u2029' -> out.append(String.format("\\u%04x", (int) c));
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
