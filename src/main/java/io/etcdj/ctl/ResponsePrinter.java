package io.etcdj.ctl;

import java.io.PrintStream;

/** Prints an answer in the chosen {@link OutputFormat}, line for line as etcdctl v2 does. */
final class ResponsePrinter {
    private final OutputFormat format;
    private final PrintStream out;

    ResponsePrinter(OutputFormat format, PrintStream out) {
        this.format = format;
        this.out = out;
    }

    OutputFormat format() {
        return format;
    }

    void print(KeysResponse response) {
        Node node = response.node();
        boolean delete = response.action().equals("delete");
        switch (format) {
            case SIMPLE -> {
                if (!delete) {
                    out.println(node.value());
                } else if (response.prevNode() != null) {
                    out.println("PrevNode.Value: " + response.prevNode().value());
                }
            }
            case EXTENDED -> {
                out.println("Key: " + node.key());
                out.println("Created-Index: " + node.createdIndex());
                out.println("Modified-Index: " + node.modifiedIndex());
                if (response.prevNode() != null) {
                    out.println("PrevNode.Value: " + response.prevNode().value());
                }
                out.println("TTL: " + node.ttl());
                out.println("Index: " + response.index());
                if (!delete) {
                    out.println();
                    out.println(node.value());
                }
            }
            case JSON -> out.println(GoJson.write(response));
        }
        out.flush();
    }

    /**
     * {@code ls}: in simple format the key of a file, or the keys under a directory, one a line,
     * depth first, directories with a slash when asked; other formats print the whole answer.
     */
    void printListing(KeysResponse response, boolean slashAfterDirs) {
        if (format != OutputFormat.SIMPLE) {
            print(response);
            return;
        }
        if (!response.node().dir()) {
            out.println(response.node().key());
        }
        if (response.node().nodes() != null) {
            for (Node child : response.node().nodes()) {
                list(child, slashAfterDirs);
            }
        }
        out.flush();
    }

    private void list(Node node, boolean slashAfterDirs) {
        out.println(node.dir() && slashAfterDirs ? node.key() + "/" : node.key());
        if (node.nodes() != null) {
            for (Node child : node.nodes()) {
                list(child, slashAfterDirs);
            }
        }
    }
}
