package io.etcdj.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir
    Path tmp;

    static LoadResult load(Map<String, String> env, Path system, String... args) {
        return ConfigLoader.load(args, env, system, () -> Optional.of("testhost"));
    }

    static Config loaded(String... args) {
        return loaded(Map.of(), null, args);
    }

    static Config loaded(Map<String, String> env, Path system, String... args) {
        LoadResult result = load(env, system, args);
        if (result instanceof LoadResult.Failure failure) {
            throw new AssertionError("unexpected failure: " + failure.message());
        }
        return assertInstanceOf(LoadResult.Loaded.class, result).config();
    }

    static String failure(String... args) {
        LoadResult result = load(Map.of(), null, args);
        LoadResult.Failure failure = assertInstanceOf(LoadResult.Failure.class, result);
        assertEquals(1, failure.exitCode());
        assertEquals(1, failure.message().lines().count(), "one line: " + failure.message());
        return failure.message();
    }

    Path file(String name, String content) throws IOException {
        Path path = tmp.resolve(name);
        Files.writeString(path, content);
        return path;
    }

    @Test
    void aNonLoopbackAdvertisedAddressIsListenedOnEveryInterfaceAsTheReferenceDoes() {
        Config c = loaded("-addr", "10.0.0.1:4001", "-peer-addr", "10.0.0.1:7001");
        assertEquals(new HostPort("", 4001), c.client().bind());
        assertEquals(":7001", c.peer().bind().toString());
    }

    @Test
    void defaultsFollowTheReference() {
        // given no settings at all
        LoadResult result = load(Map.of(), null);

        // then
        LoadResult.Loaded loaded = assertInstanceOf(LoadResult.Loaded.class, result);
        Config c = loaded.config();
        assertEquals("testhost", c.name());
        assertTrue(c.nameFromHost());
        assertEquals(Path.of("testhost.etcd"), c.dataDir());
        assertEquals("http://127.0.0.1:4001", c.clientUrl());
        assertEquals("http://127.0.0.1:7001", c.peerUrl());
        // a loopback advertised address is listened on alone, not on every interface
        assertEquals(new HostPort("127.0.0.1", 4001), c.client().bind());
        assertEquals(new HostPort("127.0.0.1", 7001), c.peer().bind());
        assertEquals(Duration.ofMillis(50), c.heartbeatTimeout());
        assertEquals(Duration.ofMillis(200), c.electionTimeout());
        assertEquals(10000, c.snapshotCount());
        assertEquals(1024, c.maxResultBuffer());
        assertEquals(3, c.maxRetryAttempts());
        assertEquals(9, c.maxClusterSize());
        assertTrue(c.snapshot(), "snapshots are on by default");
        assertFalse(c.force());
        assertFalse(c.verbose());
        assertFalse(c.veryVerbose());
        assertEquals(List.of(), c.peers());
        assertEquals(List.of(), c.corsOrigins());
        assertEquals(Optional.empty(), c.peersFile());
        assertEquals(List.of("[warning] no -name given; using the host name \"testhost\"",
                "[warning] no -data-dir given; using \"testhost.etcd\""), loaded.warnings());
    }

    @Test
    void dataDirDefaultsToNameDotEtcd() {
        LoadResult.Loaded loaded = assertInstanceOf(LoadResult.Loaded.class, load(Map.of(), null, "-name", "node0"));

        assertEquals("node0", loaded.config().name());
        assertFalse(loaded.config().nameFromHost());
        assertEquals(Path.of("node0.etcd"), loaded.config().dataDir());
        assertEquals(List.of("[warning] no -data-dir given; using \"node0.etcd\""), loaded.warnings());
    }

    @Test
    void dataDirWithoutNameUsesHostNameAndSaysTheStoredNameWins() {
        LoadResult.Loaded loaded = assertInstanceOf(LoadResult.Loaded.class, load(Map.of(), null, "-data-dir", "d0"));

        assertEquals("testhost", loaded.config().name());
        assertTrue(loaded.config().nameFromHost());
        assertEquals(Path.of("d0"), loaded.config().dataDir());
        assertEquals(1, loaded.warnings().size());
        assertTrue(loaded.warnings().get(0).contains("stored in d0"), loaded.warnings().get(0));
    }

    @Test
    void unknownHostNameWithoutNameFails() {
        LoadResult result = ConfigLoader.load(new String[0], Map.of(), null, Optional::empty);

        assertEquals("etcd: no -name given and the host name is unknown; set -name",
                assertInstanceOf(LoadResult.Failure.class, result).message());
    }

    @Test
    void bothDashStylesAndBothValueStylesWork() {
        Config c = loaded("-name=a", "--data-dir", "/tmp/x", "--addr=10.0.0.1:4002", "-peer-addr", "10.0.0.1:7002");

        assertEquals("a", c.name());
        assertEquals(Path.of("/tmp/x"), c.dataDir());
        assertEquals("http://10.0.0.1:4002", c.clientUrl());
        assertEquals("http://10.0.0.1:7002", c.peerUrl());
    }

    @Test
    void everyLongFlagSetsItsSetting() throws IOException {
        Path ca = file("ca.crt", "x");
        Path cert = file("s.crt", "x");
        Path key = file("s.key", "x");
        Config c = loaded("-name", "n1", "-data-dir", "dd", "-addr", "h1:4101", "-bind-addr", "0.0.0.0:4102",
                "-peer-addr", "h1:7101", "-peer-bind-addr", "127.0.0.1", "-peers", "p1:7001, p2:7001",
                "-ca-file", ca.toString(), "-cert-file", cert.toString(), "-key-file", key.toString(),
                "-peer-ca-file", ca.toString(), "-peer-cert-file", cert.toString(), "-peer-key-file", key.toString(),
                "-peer-heartbeat-timeout", "100", "-peer-election-timeout", "500", "-cors", "*,http://a.example",
                "-snapshot", "-snapshot-count", "42", "-max-result-buffer", "7", "-max-retry-attempts", "8",
                "-max-cluster-size", "5", "-force", "-v", "-vv");

        assertEquals("n1", c.name());
        assertEquals(Path.of("dd"), c.dataDir());
        assertEquals("https://h1:4101", c.clientUrl());
        assertEquals(new HostPort("0.0.0.0", 4102), c.client().bind());
        assertEquals("https://h1:7101", c.peerUrl());
        assertEquals(new HostPort("127.0.0.1", 7101), c.peer().bind());
        assertEquals(List.of("p1:7001", "p2:7001"), c.peers());
        assertEquals(new TlsFiles(ca.toString(), cert.toString(), key.toString()), c.client().tls());
        assertEquals(new TlsFiles(ca.toString(), cert.toString(), key.toString()), c.peer().tls());
        assertTrue(c.client().tls().verifiesClients());
        assertEquals(Duration.ofMillis(100), c.heartbeatTimeout());
        assertEquals(Duration.ofMillis(500), c.electionTimeout());
        assertEquals(List.of("*", "http://a.example"), c.corsOrigins());
        assertTrue(c.snapshot());
        assertEquals(42, c.snapshotCount());
        assertEquals(7, c.maxResultBuffer());
        assertEquals(8, c.maxRetryAttempts());
        assertEquals(5, c.maxClusterSize());
        assertTrue(c.force());
        assertTrue(c.verbose());
        assertTrue(c.veryVerbose());
    }

    @Test
    void booleanFlagsTakeOnlyAttachedValues() {
        assertTrue(loaded("-name", "a", "-f").force());
        assertTrue(loaded("-name", "a", "-f=true").force());
        assertFalse(loaded("-name", "a", "-f=false").force());
        assertFalse(loaded("-name", "a", "-force", "-force=false").force());
        assertTrue(loaded("-name", "a", "--snapshot=1").snapshot());
        assertFalse(loaded("-name", "a", "-snapshot=F").snapshot());
        // As with Go's flag package, "-v true" is -v followed by an argument that ends the flags.
        LoadResult.Loaded result = assertInstanceOf(LoadResult.Loaded.class,
                load(Map.of(), null, "-name", "a", "-v", "true", "-f"));
        assertTrue(result.config().verbose());
        assertFalse(result.config().force());
        assertTrue(result.warnings().contains("[warning] ignoring arguments after the flags: true -f"),
                result.warnings().toString());
    }

    @Test
    void lastRepeatedFlagWinsAcrossSpellings() {
        Config c = loaded("-n", "a", "-name", "b", "--n", "c");

        assertEquals("c", c.name());
    }

    @Test
    void stringFlagTakesTheNextArgumentEvenIfItLooksLikeAFlag() {
        assertEquals("-f", loaded("-name", "-f").name());
    }

    @Test
    void atSignIsAnOrdinaryValue() throws IOException {
        Path args = file("args", "-name\nfrom-file\n");

        assertEquals("@" + args, loaded("-name", "@" + args).name());
    }

    @Test
    void doubleDashEndsTheFlags() {
        LoadResult.Loaded loaded = assertInstanceOf(LoadResult.Loaded.class,
                load(Map.of(), null, "-name", "a", "--", "-f"));

        assertFalse(loaded.config().force());
        assertTrue(loaded.warnings().contains("[warning] ignoring arguments after the flags: -f"));
    }

    @Test
    void aLoneDashIsAnArgumentAndEndsTheFlagsAsInGo() {
        LoadResult.Loaded loaded = assertInstanceOf(LoadResult.Loaded.class,
                load(Map.of(), null, "-name", "a", "-", "-f"));

        assertFalse(loaded.config().force());
        assertTrue(loaded.warnings().stream().anyMatch(w -> w.startsWith("[warning] ignoring arguments after the flags: -")),
                loaded.warnings().toString());
    }

    @Test
    void threeDashesOrANamelessFlagAreBadSyntax() {
        assertEquals("etcd: bad flag syntax: ---name", failure("---name", "a"));
        assertEquals("etcd: bad flag syntax: -=a", failure("-=a"));
    }

    @Test
    void hostNameIsFoundOnThisMachine() {
        assertTrue(ConfigLoader.hostName().filter(h -> !h.isBlank()).isPresent());
    }

    @Test
    void helpAndVersionPrintAndExitZero() {
        for (String flag : List.of("-h", "-help", "--help", "-h=true")) {
            LoadResult.Print print = assertInstanceOf(LoadResult.Print.class, load(Map.of(), null, flag));
            assertEquals(0, print.exitCode());
            assertTrue(print.text().contains("-peer-election-timeout"), print.text());
        }
        LoadResult.Print version = assertInstanceOf(LoadResult.Print.class,
                load(Map.of(), null, "-h", "-version"));
        assertEquals("etcd v0.2.0", version.text());
        assertEquals(0, version.exitCode());
        assertInstanceOf(LoadResult.Loaded.class, load(Map.of(), null, "-h=false"));
    }

    @Test
    void badFlagsAndValuesGiveOneLine() {
        assertEquals("etcd: unknown flag -x", failure("-x"));
        assertEquals("etcd: unknown flag --no-such-flag", failure("--no-such-flag=3"));
        assertEquals("etcd: unknown flag -nfoo", failure("-nfoo"));
        assertEquals("etcd: invalid value \"abc\" for -peer-election-timeout: expected an integer",
                failure("-peer-election-timeout", "abc"));
        assertEquals("etcd: invalid value \"abc\" for -m: expected an integer", failure("-m=abc"));
        assertEquals("etcd: invalid value \"maybe\" for -f: expected true or false", failure("-f=maybe"));
        assertEquals("etcd: flag needs an argument: -name", failure("-name"));
        assertEquals("etcd: invalid -addr \"localhost\": missing port (expected host:port)",
                failure("-addr", "localhost"));
        assertEquals("etcd: invalid -addr \"http://a:4001\": too many colons (expected host:port)",
                failure("-addr", "http://a:4001"));
        assertEquals("etcd: invalid -peer-addr \"a:70001\": port 70001 is out of range 1-65535",
                failure("-peer-addr", "a:70001"));
        assertEquals("etcd: invalid -addr \"a:x1\": bad port \"x1\"", failure("-addr", "a:x1"));
        assertEquals("etcd: invalid -addr \":4001\": missing host (expected host:port)", failure("-addr", ":4001"));
        assertTrue(failure("-bind-addr", ":4001").startsWith("etcd: invalid -bind-addr \":4001\": a host is required"));
        assertEquals("etcd: -snapshot-count must be at least 1 (got 0)", failure("-snapshot-count", "0"));
        assertEquals("etcd: -max-cluster-size must be at least 1 (got -2)", failure("-max-cluster-size", "-2"));
        assertEquals("etcd: -max-retry-attempts must be at least 0 (got -1)", failure("-max-retry-attempts=-1"));
        assertEquals("etcd: -max-result-buffer must be at least 0 (got -1)", failure("-max-result-buffer=-1"));
        assertEquals("etcd: -peer-heartbeat-timeout must not be negative (got -5)",
                failure("-peer-heartbeat-timeout=-5"));
        assertEquals("etcd: -peer-election-timeout (100 ms) must be greater than -peer-heartbeat-timeout (100 ms)",
                failure("-peer-heartbeat-timeout=100", "-peer-election-timeout=100"));
        assertEquals("etcd: invalid -peers \"p1\": missing port (expected host:port)", failure("-peers", "p1"));
        assertTrue(failure("-cors", "http://a b").startsWith("etcd: invalid -cors origin \"http://a b\""));
    }

    @Test
    void bindAddressTakesItsPortFromTheAdvertisedAddressWhenMissing() {
        Config c = loaded("-name", "a", "-addr", "127.0.0.1:4009", "-bind-addr", "127.0.0.1",
                "-peer-addr", "[::1]:7009", "-peer-bind-addr", "::");

        assertEquals(new HostPort("127.0.0.1", 4009), c.client().bind());
        assertEquals(new HostPort("::", 7009), c.peer().bind());
        assertEquals("[::]:7009", c.peer().bind().toString());
        assertEquals("http://[::1]:7009", c.peerUrl());
    }

    @Test
    void bindPortOverridesTheAdvertisedPort() {
        Config c = loaded("-name", "a", "-addr", "127.0.0.1:4009", "-bind-addr", "127.0.0.1:4010");

        assertEquals(new HostPort("127.0.0.1", 4010), c.client().bind());
    }

    @Test
    void tlsNeedsBothCertAndKeyAndReadableFiles() throws IOException {
        Path cert = file("c.crt", "x");

        assertEquals("etcd: -cert-file and -key-file must both be set (got -cert-file=\"" + cert
                + "\", -key-file=\"\")", failure("-cert-file", cert.toString()));
        assertTrue(failure("-peer-ca-file", cert.toString())
                .startsWith("etcd: -peer-cert-file and -peer-key-file must both be set"));
        String missing = tmp.resolve("missing.key").toString();
        assertEquals("etcd: cannot read -key-file " + missing,
                failure("-cert-file", cert.toString(), "-key-file", missing));
    }

    @Test
    void precedenceIsSystemFileThenConfigFileThenEnvironmentThenFlags() throws IOException {
        // given four sources, each overriding some settings of the one before
        Path system = file("system.toml", """
                name = "from-system"
                data_dir = "/sys-dir"
                addr = "127.0.0.1:5000"
                max_cluster_size = 3
                [peer]
                addr = "127.0.0.1:5001"
                heartbeat_timeout = 60
                """);
        Path custom = file("custom.toml", """
                data_dir = "/custom-dir"
                addr = "127.0.0.1:6000"
                [peer]
                addr = "127.0.0.1:6001"
                """);
        Map<String, String> env = Map.of("ETCD_ADDR", "127.0.0.1:7000", "ETCD_PEER_ADDR", "127.0.0.1:7500");

        // when
        Config c = loaded(env, system, "-config", custom.toString(), "-peer-addr", "127.0.0.1:8000");

        // then
        assertEquals("from-system", c.name());
        assertEquals(3, c.maxClusterSize());
        assertEquals(Duration.ofMillis(60), c.heartbeatTimeout());
        assertEquals(Path.of("/custom-dir"), c.dataDir());
        assertEquals("http://127.0.0.1:7000", c.clientUrl());
        assertEquals("http://127.0.0.1:8000", c.peerUrl());
    }

    @Test
    void missingSystemFileIsSkippedButMissingConfigFileFails() {
        Path absent = tmp.resolve("absent.conf");

        assertEquals("a", loaded(Map.of(), absent, "-name", "a").name());
        assertEquals("etcd: config file " + absent + ": no such file", failure("-config", absent.toString()));
    }

    @Test
    void tomlFileReadsEveryReferenceKey() throws IOException {
        Path peersFile = file("peers", "x:1");
        Path custom = file("all.toml", """
                addr = "127.0.0.1:4002"
                bind_addr = "127.0.0.1:4003"
                cors = ["*"]
                cpu_profile_file = "ignored"
                data_dir = "/tmp/data"
                peers = ["coreos.com:4001", "coreos.com:4002"]
                max_cluster_size = 10
                max_result_buffer = 512
                max_retry_attempts = 5
                name = "test-name"
                snapshot = true
                snapshot_count = 77
                verbose = true
                very_verbose = true
                web_url = "/web"

                [peer]
                addr = "127.0.0.1:7002"
                bind_addr = "127.0.0.1:7003"
                heartbeat_timeout = 70
                election_timeout = 700
                """);

        Config c = loaded(Map.of(), null, "-config=" + custom);

        assertEquals("http://127.0.0.1:4002", c.clientUrl());
        assertEquals(new HostPort("127.0.0.1", 4003), c.client().bind());
        assertEquals(List.of("*"), c.corsOrigins());
        assertEquals(Path.of("/tmp/data"), c.dataDir());
        assertEquals(List.of("coreos.com:4001", "coreos.com:4002"), c.peers());
        assertEquals(10, c.maxClusterSize());
        assertEquals(512, c.maxResultBuffer());
        assertEquals(5, c.maxRetryAttempts());
        assertEquals("test-name", c.name());
        assertTrue(c.snapshot());
        assertEquals(77, c.snapshotCount());
        assertTrue(c.verbose());
        assertTrue(c.veryVerbose());
        assertEquals("http://127.0.0.1:7002", c.peerUrl());
        assertEquals(new HostPort("127.0.0.1", 7003), c.peer().bind());
        assertEquals(Duration.ofMillis(70), c.heartbeatTimeout());
        assertEquals(Duration.ofMillis(700), c.electionTimeout());

        Path withPeersFile = file("pf.toml", "peers = [\"a:1\"]\npeers_file = \"" + peersFile + "\"\n");
        assertEquals(List.of("x:1"), loaded(Map.of(), null, "-name=a", "-config", withPeersFile.toString()).peers());
    }

    @Test
    void tomlFileTLSKeysAreRead() throws IOException {
        Path ca = file("ca", "x");
        Path cert = file("cert", "x");
        Path key = file("key", "x");
        Path custom = file("tls.toml", "ca_file = \"" + ca + "\"\ncert_file = \"" + cert + "\"\nkey_file = \""
                + key + "\"\n[peer]\ncert_file = \"" + cert + "\"\nkey_file = \"" + key + "\"\n");

        Config c = loaded(Map.of(), null, "-name=a", "-config", custom.toString());

        assertEquals(new TlsFiles(ca.toString(), cert.toString(), key.toString()), c.client().tls());
        assertEquals(new TlsFiles("", cert.toString(), key.toString()), c.peer().tls());
        assertEquals("https://127.0.0.1:7001", c.peerUrl());
    }

    @Test
    void badTomlGivesOneLine() throws IOException {
        Path syntax = file("bad.toml", "name = \n");
        Path type = file("type.toml", "[peer]\nelection_timeout = \"soon\"\n");

        assertTrue(failure("-config", syntax.toString()).startsWith("etcd: config file " + syntax + ": "));
        assertEquals("etcd: config file " + type + ": peer.election_timeout must be an integer",
                failure("-config", type.toString()));
    }

    @Test
    void environmentVariablesUseTheReferenceNames() {
        Map<String, String> env = Map.ofEntries(
                Map.entry("ETCD_NAME", "env-name"),
                Map.entry("ETCD_DATA_DIR", "/env/data"),
                Map.entry("ETCD_ADDR", "127.0.0.1:4102"),
                Map.entry("ETCD_BIND_ADDR", "127.0.0.1:4103"),
                Map.entry("ETCD_PEER_ADDR", "127.0.0.1:7102"),
                Map.entry("ETCD_PEER_BIND_ADDR", "127.0.0.1:7103"),
                Map.entry("ETCD_PEERS", "coreos.com:4001, coreos.com:4002"),
                Map.entry("ETCD_CORS", "localhost:4001,localhost:4002"),
                Map.entry("ETCD_MAX_CLUSTER_SIZE", "10"),
                Map.entry("ETCD_MAX_RESULT_BUFFER", "512"),
                Map.entry("ETCD_MAX_RETRY_ATTEMPTS", "5"),
                Map.entry("ETCD_SNAPSHOT", "1"),
                Map.entry("ETCD_SNAPSHOTCOUNT", "99"),
                Map.entry("ETCD_VERBOSE", "yes"),
                Map.entry("ETCD_VERY_VERBOSE", "0"),
                Map.entry("ETCD_PEER_HEARTBEAT_TIMEOUT", "20"),
                Map.entry("ETCD_PEER_ELECTION_TIMEOUT", "300"));

        Config c = loaded(env, null);

        assertEquals("env-name", c.name());
        assertEquals(Path.of("/env/data"), c.dataDir());
        assertEquals("http://127.0.0.1:4102", c.clientUrl());
        assertEquals(new HostPort("127.0.0.1", 4103), c.client().bind());
        assertEquals("http://127.0.0.1:7102", c.peerUrl());
        assertEquals(new HostPort("127.0.0.1", 7103), c.peer().bind());
        assertEquals(List.of("coreos.com:4001", "coreos.com:4002"), c.peers());
        assertEquals(List.of("localhost:4001", "localhost:4002"), c.corsOrigins());
        assertEquals(10, c.maxClusterSize());
        assertEquals(512, c.maxResultBuffer());
        assertEquals(5, c.maxRetryAttempts());
        assertTrue(c.snapshot());
        assertEquals(99, c.snapshotCount());
        assertTrue(c.verbose());
        assertFalse(c.veryVerbose());
        assertEquals(Duration.ofMillis(20), c.heartbeatTimeout());
        assertEquals(Duration.ofMillis(300), c.electionTimeout());
    }

    @Test
    void blankEnvironmentVariablesAreIgnoredAndBadOnesFail() {
        assertEquals("a", loaded(Map.of("ETCD_NAME", "  "), null, "-name=a").name());

        LoadResult result = load(Map.of("ETCD_MAX_CLUSTER_SIZE", "ten"), null, "-name=a");

        assertEquals("etcd: invalid value \"ten\" for ETCD_MAX_CLUSTER_SIZE: expected an integer",
                assertInstanceOf(LoadResult.Failure.class, result).message());
    }

    @Test
    void emptyPeersFlagDoesNotClearPeersFromTheEnvironment() {
        Config c = loaded(Map.of("ETCD_PEERS", "a:1"), null, "-name=a", "-peers=");

        assertEquals(List.of("a:1"), c.peers());
    }

    @Test
    void peersFileReplacesPeers() throws IOException {
        Path peers = file("peers.txt", "10.0.0.1:7001, 10.0.0.2:7001,\n10.0.0.3:7001\n");

        Config c = loaded("-name=a", "-peers", "x:1", "-peers-file", peers.toString());

        assertEquals(List.of("10.0.0.1:7001", "10.0.0.2:7001", "10.0.0.3:7001"), c.peers());
        assertEquals(Optional.of(peers), c.peersFile());
        String missing = tmp.resolve("nope").toString();
        assertEquals("etcd: cannot read -peers-file " + missing + ": no such file", failure("-peers-file", missing));
    }
}
