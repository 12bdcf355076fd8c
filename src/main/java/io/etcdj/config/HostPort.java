package io.etcdj.config;


/**
 * A host and a port, written {@code host:port} ({@code [v6]:port} for IPv6 literals). An empty
 * host is only found in bind addresses, where it means every interface.
 */
public record HostPort(String host, int port) {

    public HostPort {
        if (host == null) {
            throw new IllegalArgumentException("host is null");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    /** Whether this is a bind address that listens on every interface. */
    public boolean anyHost() {
        return host.isEmpty();
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /**
     * Parses an advertised address, which needs both a host and a port.
     *
     * @param what the flag name used in error messages, e.g. {@code -addr}
     */
    static HostPort parseAdvertised(String value, String what) throws ConfigException {
        Split split = split(value);
        if (split.error() != null) {
            throw new ConfigException("invalid " + what + " \"" + value + "\": " + split.error()
                    + " (expected host:port)");
        }
        if (split.host().isEmpty()) {
            throw new ConfigException("invalid " + what + " \"" + value + "\": missing host (expected host:port)");
        }
        return new HostPort(split.host(), port(split.port(), value, what));
    }

    /**
     * Parses a bind address: {@code host:port}, or a bare host (or nothing, meaning every
     * interface) that takes its port from the advertised address, as the reference does.
     */
    static HostPort parseBind(String value, int advertisedPort, String what) throws ConfigException {
        if (value.isEmpty()) {
            return new HostPort("", advertisedPort);
        }
        Split split = split(value);
        if (split.error() == null) {
            if (split.host().isEmpty()) {
                throw new ConfigException("invalid " + what + " \"" + value
                        + "\": a host is required with a port (use 0.0.0.0" + value + " for every interface)");
            }
            return new HostPort(split.host(), port(split.port(), value, what));
        }
        String host = value.startsWith("[") && value.endsWith("]") ? value.substring(1, value.length() - 1) : value;
        return new HostPort(host, advertisedPort);
    }

    /** Parses an address as {@link #toString()} wrote it, where {@code :port} means every interface. */
    static HostPort parseStored(String value, String what) throws ConfigException {
        if (value.startsWith(":")) {
            return new HostPort("", port(value.substring(1), value, what));
        }
        return parseAdvertised(value, what);
    }

    private static int port(String text, String value, String what) throws ConfigException {
        if (text.isEmpty() || !text.chars().allMatch(c -> c >= '0' && c <= '9') || text.length() > 5) {
            throw new ConfigException("invalid " + what + " \"" + value + "\": bad port \"" + text + "\"");
        }
        int port = Integer.parseInt(text);
        if (port < 1 || port > 65535) {
            throw new ConfigException("invalid " + what + " \"" + value + "\": port " + port
                    + " is out of range 1-65535");
        }
        return port;
    }

    private record Split(String host, String port, String error) {}

    /** Splits like Go's net.SplitHostPort, whose rules the reference's addresses follow. */
    private static Split split(String value) {
        if (value.startsWith("[")) {
            int close = value.indexOf(']');
            if (close < 0) {
                return new Split(null, null, "missing ']'");
            }
            if (close + 1 >= value.length() || value.charAt(close + 1) != ':') {
                return new Split(null, null, "missing port");
            }
            return new Split(value.substring(1, close), value.substring(close + 2), null);
        }
        int colon = value.lastIndexOf(':');
        if (colon < 0) {
            return new Split(null, null, "missing port");
        }
        if (value.indexOf(':') != colon) {
            return new Split(null, null, "too many colons");
        }
        return new Split(value.substring(0, colon), value.substring(colon + 1), null);
    }
}
