package io.etcdj.config;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Builds a node's {@link Config} from, in rising precedence: the system config file, the file
 * named by {@code -config}, {@code ETCD_*} environment variables, and the command line. Every
 * value is checked here, once; a problem becomes a one-line {@link LoadResult.Failure}.
 */
public final class ConfigLoader {
    /** Where the reference looks for its system-wide config file. */
    public static final Path SYSTEM_CONFIG_FILE = Path.of("/etc/etcd/etcd.conf");
    public static final String VERSION = "v0.2.0";

    private static final String DEFAULT_ADDR = "127.0.0.1:" + Config.DEFAULT_CLIENT_PORT;
    private static final String DEFAULT_PEER_ADDR = "127.0.0.1:" + Config.DEFAULT_PEER_PORT;

    private ConfigLoader() {}

    /**
     * Loads the configuration.
     *
     * @param args             the command-line arguments, without the program name
     * @param env              the environment, e.g. {@code System.getenv()}
     * @param systemConfigFile the system config file, read when it exists (normally
     *                         {@link #SYSTEM_CONFIG_FILE}); null to read none
     */
    public static LoadResult load(String[] args, Map<String, String> env, Path systemConfigFile) {
        return load(args, env, systemConfigFile, ConfigLoader::hostName);
    }

    static LoadResult load(String[] args, Map<String, String> env, Path systemConfigFile,
                           Supplier<Optional<String>> hostName) {
        List<String> warnings = new ArrayList<>();
        try {
            CommandLineFlags flags = CommandLineFlags.parse(args);
            warnings.addAll(flags.deprecated());
            if (!flags.leftover().isEmpty()) {
                warnings.add("[warning] ignoring arguments after the flags: " + String.join(" ", flags.leftover()));
            }
            if (flags.values().containsKey(Setting.CPU_PROFILE)) {
                warnings.add("[warning] -cpuprofile is not supported; ignored");
            }
            if (bool(flags.values(), Setting.VERSION)) {
                return new LoadResult.Print("etcd " + VERSION, 0, warnings);
            }
            if (bool(flags.values(), Setting.HELP)) {
                return new LoadResult.Print(Usage.TEXT, 0, warnings);
            }

            Map<Setting, Object> merged = new EnumMap<>(Setting.class);
            if (systemConfigFile != null && Files.exists(systemConfigFile)) {
                merged.putAll(ConfigFile.read(systemConfigFile));
            }
            String configFile = (String) flags.values().get(Setting.CONFIG);
            if (configFile != null && !configFile.isEmpty()) {
                merged.putAll(ConfigFile.read(Path.of(configFile)));
            }
            merged.putAll(Environment.read(env));
            merged.putAll(flags.values());

            return new LoadResult.Loaded(build(merged, hostName, warnings), warnings);
        } catch (ConfigException | InvalidPathException e) {
            return new LoadResult.Failure("etcd: " + e.getMessage(), 1, warnings);
        }
    }

    /**
     * Without a bind address the reference listens on every interface. When the advertised
     * address is a loopback one, nobody elsewhere could use it anyway, so listen on it alone.
     */
    private static HostPort loopbackDefault(HostPort bind, HostPort advertised) {
        if (!bind.anyHost()) {
            return bind;
        }
        String host = advertised.host();
        boolean loopback = host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
        return loopback ? new HostPort(host, bind.port()) : bind;
    }

    private static Config build(Map<Setting, Object> s, Supplier<Optional<String>> hostName, List<String> warnings)
            throws ConfigException {
        TlsFiles clientTls = tls(s, Setting.CA_FILE, Setting.CERT_FILE, Setting.KEY_FILE);
        TlsFiles peerTls = tls(s, Setting.PEER_CA_FILE, Setting.PEER_CERT_FILE, Setting.PEER_KEY_FILE);

        HostPort addr = HostPort.parseAdvertised(string(s, Setting.ADDR, DEFAULT_ADDR), "-addr");
        HostPort bindAddr = loopbackDefault(
                HostPort.parseBind(string(s, Setting.BIND_ADDR, ""), addr.port(), "-bind-addr"), addr);
        HostPort peerAddr = HostPort.parseAdvertised(string(s, Setting.PEER_ADDR, DEFAULT_PEER_ADDR), "-peer-addr");
        HostPort peerBindAddr = loopbackDefault(HostPort.parseBind(string(s, Setting.PEER_BIND_ADDR, ""),
                peerAddr.port(), "-peer-bind-addr"), peerAddr);

        Duration heartbeat = timeout(s, Setting.PEER_HEARTBEAT_TIMEOUT, Config.DEFAULT_HEARTBEAT_TIMEOUT);
        Duration election = timeout(s, Setting.PEER_ELECTION_TIMEOUT, Config.DEFAULT_ELECTION_TIMEOUT);
        if (election.compareTo(heartbeat) <= 0) {
            throw new ConfigException("-peer-election-timeout (" + election.toMillis()
                    + " ms) must be greater than -peer-heartbeat-timeout (" + heartbeat.toMillis() + " ms)");
        }

        int snapshotCount = atLeast(s, Setting.SNAPSHOT_COUNT, Config.DEFAULT_SNAPSHOT_COUNT, 1);
        int maxResultBuffer = atLeast(s, Setting.MAX_RESULT_BUFFER, Config.DEFAULT_MAX_RESULT_BUFFER, 0);
        int maxRetryAttempts = atLeast(s, Setting.MAX_RETRY_ATTEMPTS, Config.DEFAULT_MAX_RETRY_ATTEMPTS, 0);
        int maxClusterSize = atLeast(s, Setting.MAX_CLUSTER_SIZE, Config.DEFAULT_MAX_CLUSTER_SIZE, 1);

        String peersFileName = string(s, Setting.PEERS_FILE, "");
        Optional<Path> peersFile = peersFileName.isEmpty() ? Optional.empty() : Optional.of(Path.of(peersFileName));
        List<String> peers = peersFile.isPresent() ? readPeersFile(peersFile.get()) : list(s, Setting.PEERS);
        String peersSource = peersFile.map(p -> "peer in -peers-file " + p).orElse("-peers");
        for (String peer : peers) {
            HostPort.parseAdvertised(peer, peersSource);
        }
        List<String> cors = list(s, Setting.CORS);
        for (String origin : cors) {
            checkOrigin(origin);
        }

        // As in the reference, the host name stands in for a missing name; when a data dir is
        // given the name stored there wins, so the guess is only announced when it is used.
        String name = string(s, Setting.NAME, "").trim();
        String dataDirName = string(s, Setting.DATA_DIR, "");
        boolean nameFromHost = name.isEmpty();
        if (nameFromHost) {
            name = hostName.get().filter(h -> !h.isBlank()).orElseThrow(() -> new ConfigException(
                    "no -name given and the host name is unknown; set -name"));
            warnings.add(dataDirName.isEmpty()
                    ? "[warning] no -name given; using the host name \"" + name + "\""
                    : "[warning] no -name given; using the name stored in " + dataDirName
                            + ", or the host name \"" + name + "\" for a new node");
        }
        if (dataDirName.isEmpty()) {
            dataDirName = name + ".etcd";
            warnings.add("[warning] no -data-dir given; using \"" + dataDirName + "\"");
        }

        return new Config(name, nameFromHost, Path.of(dataDirName),
                new Endpoint(addr, bindAddr, clientTls), new Endpoint(peerAddr, peerBindAddr, peerTls),
                peers, peersFile, heartbeat, election, cors,
                snapshotsOn(s), snapshotCount, maxResultBuffer, maxRetryAttempts, maxClusterSize,
                bool(s, Setting.FORCE), bool(s, Setting.VERBOSE), bool(s, Setting.VERY_VERBOSE),
                bool(s, Setting.WATCH_EARLY_HEADERS));
    }

    private static TlsFiles tls(Map<Setting, Object> s, Setting ca, Setting cert, Setting key) throws ConfigException {
        TlsFiles files = new TlsFiles(string(s, ca, ""), string(s, cert, ""), string(s, key, ""));
        boolean any = !files.caFile().isEmpty() || !files.certFile().isEmpty() || !files.keyFile().isEmpty();
        if (any && !files.enabled()) {
            throw new ConfigException(cert.flag() + " and " + key.flag() + " must both be set (got "
                    + cert.flag() + "=\"" + files.certFile() + "\", " + key.flag() + "=\"" + files.keyFile() + "\")");
        }
        readable(files.caFile(), ca);
        readable(files.certFile(), cert);
        readable(files.keyFile(), key);
        return files;
    }

    private static void readable(String file, Setting setting) throws ConfigException {
        if (!file.isEmpty() && !Files.isReadable(Path.of(file))) {
            throw new ConfigException("cannot read " + setting.flag() + " " + file);
        }
    }

    private static Duration timeout(Map<Setting, Object> s, Setting setting, Duration fallback) throws ConfigException {
        int millis = (Integer) s.getOrDefault(setting, 0);
        if (millis < 0) {
            throw new ConfigException(setting.flag() + " must not be negative (got " + millis + ")");
        }
        // Zero means the default, as in the reference.
        return millis == 0 ? fallback : Duration.ofMillis(millis);
    }

    private static int atLeast(Map<Setting, Object> s, Setting setting, int fallback, int min) throws ConfigException {
        int value = (Integer) s.getOrDefault(setting, fallback);
        if (value < min) {
            throw new ConfigException(setting.flag() + " must be at least " + min + " (got " + value + ")");
        }
        return value;
    }

    private static List<String> readPeersFile(Path file) throws ConfigException {
        try {
            return Setting.splitList(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new ConfigException("cannot read -peers-file " + file + ": no such file");
        } catch (IOException e) {
            throw new ConfigException("cannot read -peers-file " + file + ": " + e.getMessage(), e);
        }
    }

    private static void checkOrigin(String origin) throws ConfigException {
        if (origin.equals("*")) {
            return;
        }
        try {
            new URI(origin);
        } catch (URISyntaxException e) {
            throw new ConfigException("invalid -cors origin \"" + origin + "\": " + e.getReason());
        }
    }

    private static String string(Map<Setting, Object> s, Setting setting, String fallback) {
        return (String) s.getOrDefault(setting, fallback);
    }

    @SuppressWarnings("unchecked")
    private static List<String> list(Map<Setting, Object> s, Setting setting) {
        return (List<String>) s.getOrDefault(setting, List.of());
    }

    /**
     * Snapshots are on unless turned off: the reference's default (off) lets the log grow without
     * bound and makes every start replay the whole history.
     */
    private static boolean snapshotsOn(Map<Setting, Object> s) {
        return (Boolean) s.getOrDefault(Setting.SNAPSHOT, true);
    }

    private static boolean bool(Map<Setting, Object> s, Setting setting) {
        return (Boolean) s.getOrDefault(setting, false);
    }

    /** The machine's host name, as Go's os.Hostname gives it. */
    static Optional<String> hostName() {
        try {
            String kernel = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
            if (!kernel.isEmpty()) {
                return Optional.of(kernel);
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux: fall back to the resolver below.
        }
        try {
            return Optional.of(InetAddress.getLocalHost().getHostName());
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
