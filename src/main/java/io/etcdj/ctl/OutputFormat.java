package io.etcdj.ctl;

import java.util.Locale;

/** The {@code --output} formats of etcdctl. */
enum OutputFormat {
    /** The value alone (what a shell script wants). */
    SIMPLE,
    /** The node's indexes and TTL in RFC 2822 style header lines, then the value. */
    EXTENDED,
    /** The whole answer as one line of JSON, in the field order etcd's Go client writes. */
    JSON;

    static OutputFormat parse(String text) {
        for (OutputFormat format : values()) {
            if (format.name().equals(text.toUpperCase(Locale.ROOT))) {
                return format;
            }
        }
        throw new IllegalArgumentException("unsupported output format \"" + text + "\" (simple, extended or json)");
    }
}
