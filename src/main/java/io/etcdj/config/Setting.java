package io.etcdj.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Every setting that a flag, the TOML file or an environment variable can give, with the names
 * the reference uses for it in each place.
 */
enum Setting {
    NAME(Kind.STRING, List.of("name"), "name", "ETCD_NAME"),
    DATA_DIR(Kind.STRING, List.of("data-dir"), "data_dir", "ETCD_DATA_DIR"),
    ADDR(Kind.STRING, List.of("addr"), "addr", "ETCD_ADDR"),
    BIND_ADDR(Kind.STRING, List.of("bind-addr"), "bind_addr", "ETCD_BIND_ADDR"),
    CA_FILE(Kind.STRING, List.of("ca-file"), "ca_file", "ETCD_CA_FILE"),
    CERT_FILE(Kind.STRING, List.of("cert-file"), "cert_file", "ETCD_CERT_FILE"),
    KEY_FILE(Kind.STRING, List.of("key-file"), "key_file", "ETCD_KEY_FILE"),
    PEER_ADDR(Kind.STRING, List.of("peer-addr"), "peer.addr", "ETCD_PEER_ADDR"),
    PEER_BIND_ADDR(Kind.STRING, List.of("peer-bind-addr"), "peer.bind_addr", "ETCD_PEER_BIND_ADDR"),
    PEER_CA_FILE(Kind.STRING, List.of("peer-ca-file"), "peer.ca_file", "ETCD_PEER_CA_FILE"),
    PEER_CERT_FILE(Kind.STRING, List.of("peer-cert-file"), "peer.cert_file", "ETCD_PEER_CERT_FILE"),
    PEER_KEY_FILE(Kind.STRING, List.of("peer-key-file"), "peer.key_file", "ETCD_PEER_KEY_FILE"),
    PEER_HEARTBEAT_TIMEOUT(Kind.INT, List.of("peer-heartbeat-timeout"), "peer.heartbeat_timeout",
            "ETCD_PEER_HEARTBEAT_TIMEOUT"),
    PEER_ELECTION_TIMEOUT(Kind.INT, List.of("peer-election-timeout"), "peer.election_timeout",
            "ETCD_PEER_ELECTION_TIMEOUT"),
    PEERS(Kind.LIST, List.of("peers"), "peers", "ETCD_PEERS"),
    PEERS_FILE(Kind.STRING, List.of("peers-file"), "peers_file", "ETCD_PEERS_FILE"),
    CORS(Kind.LIST, List.of("cors"), "cors", "ETCD_CORS"),
    SNAPSHOT(Kind.BOOL, List.of("snapshot"), "snapshot", "ETCD_SNAPSHOT"),
    // The reference spells this variable without the second underscore.
    SNAPSHOT_COUNT(Kind.INT, List.of("snapshot-count"), "snapshot_count", "ETCD_SNAPSHOTCOUNT"),
    MAX_RESULT_BUFFER(Kind.INT, List.of("max-result-buffer"), "max_result_buffer", "ETCD_MAX_RESULT_BUFFER"),
    MAX_RETRY_ATTEMPTS(Kind.INT, List.of("max-retry-attempts"), "max_retry_attempts", "ETCD_MAX_RETRY_ATTEMPTS"),
    MAX_CLUSTER_SIZE(Kind.INT, List.of("max-cluster-size"), "max_cluster_size", "ETCD_MAX_CLUSTER_SIZE"),
    VERBOSE(Kind.BOOL, List.of("v"), "verbose", "ETCD_VERBOSE"),
    VERY_VERBOSE(Kind.BOOL, List.of("vv"), "very_verbose", "ETCD_VERY_VERBOSE"),
    // An extension: etcd 2's framing of long-poll watches.
    WATCH_EARLY_HEADERS(Kind.BOOL, List.of("watch-early-headers"), "watch_early_headers",
            "ETCD_WATCH_EARLY_HEADERS"),
    // Flag-only settings.
    FORCE(Kind.BOOL, List.of("f", "force"), null, null),
    CONFIG(Kind.STRING, List.of("config"), null, null),
    HELP(Kind.BOOL, List.of("h", "help"), null, null),
    VERSION(Kind.BOOL, List.of("version"), null, null),
    CPU_PROFILE(Kind.STRING, List.of("cpuprofile"), null, null);

    enum Kind { STRING, INT, BOOL, LIST }

    /** The v0.1 flag names still accepted, each with the setting it stands for. */
    static final Map<String, Setting> DEPRECATED_FLAGS = Map.ofEntries(
            Map.entry("n", NAME),
            Map.entry("d", DATA_DIR),
            Map.entry("c", ADDR),
            Map.entry("cl", BIND_ADDR),
            Map.entry("s", PEER_ADDR),
            Map.entry("sl", PEER_BIND_ADDR),
            Map.entry("C", PEERS),
            Map.entry("CF", PEERS_FILE),
            Map.entry("clientCAFile", CA_FILE),
            Map.entry("clientCert", CERT_FILE),
            Map.entry("clientKey", KEY_FILE),
            Map.entry("serverCAFile", PEER_CA_FILE),
            Map.entry("serverCert", PEER_CERT_FILE),
            Map.entry("serverKey", PEER_KEY_FILE),
            Map.entry("m", MAX_RESULT_BUFFER),
            Map.entry("r", MAX_RETRY_ATTEMPTS),
            Map.entry("maxsize", MAX_CLUSTER_SIZE),
            Map.entry("snapshotCount", SNAPSHOT_COUNT));

    final Kind kind;
    /** Flag names without their leading dash; the first is the one messages use. */
    final List<String> flags;
    /** The TOML key, {@code table.key} for keys of the {@code [peer]} table; null if none. */
    final String tomlKey;
    /** The environment variable; null if none. */
    final String envVar;

    Setting(Kind kind, List<String> flags, String tomlKey, String envVar) {
        this.kind = kind;
        this.flags = flags;
        this.tomlKey = tomlKey;
        this.envVar = envVar;
    }

    /** The long flag name with its dash, as shown to the operator, e.g. {@code -peer-addr}. */
    String flag() {
        return "-" + flags.get(flags.size() - 1);
    }

    /**
     * Converts the text of a flag or environment variable to this setting's type.
     *
     * @param where the flag or variable name, for the error message
     * @param goBool true for flags, whose booleans follow Go's strconv.ParseBool; environment
     *               variables are true unless "0" or "false", as in the reference
     */
    Object parse(String text, String where, boolean goBool) throws ConfigException {
        switch (kind) {
            case STRING:
                return text;
            case LIST:
                return splitList(text);
            case INT:
                try {
                    return Integer.parseInt(text.trim());
                } catch (NumberFormatException e) {
                    throw new ConfigException("invalid value \"" + text + "\" for " + where + ": expected an integer");
                }
            case BOOL:
                if (!goBool) {
                    return !(text.equals("0") || text.equals("false"));
                }
                switch (text) {
                    case "1", "t", "T", "true", "TRUE", "True":
                        return true;
                    case "0", "f", "F", "false", "FALSE", "False":
                        return false;
                    default:
                        throw new ConfigException("invalid value \"" + text + "\" for " + where
                                + ": expected true or false");
                }
            default:
                throw new AssertionError(kind);
        }
    }

    /** Splits a comma-separated list, trimming each item and dropping empty ones. */
    static List<String> splitList(String text) {
        List<String> items = new ArrayList<>();
        for (String item : text.split(",")) {
            if (!item.isBlank()) {
                items.add(item.trim());
            }
        }
        return List.copyOf(items);
    }
}
