package io.etcdj.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DeprecatedFlagsTest {
    @TempDir
    static Path tmp;

    static final Map<String, Function<Config, Object>> READ = Map.ofEntries(
            Map.entry("name", Config::name),
            Map.entry("data-dir", c -> c.dataDir().toString()),
            Map.entry("addr", Config::clientUrl),
            Map.entry("bind-addr", c -> c.client().bind().toString()),
            Map.entry("peer-addr", Config::peerUrl),
            Map.entry("peer-bind-addr", c -> c.peer().bind().toString()),
            Map.entry("peers", c -> String.join(",", c.peers())),
            Map.entry("peers-file", c -> c.peersFile().map(Path::toString).orElse("")),
            Map.entry("ca-file", c -> c.client().tls().caFile()),
            Map.entry("cert-file", c -> c.client().tls().certFile()),
            Map.entry("key-file", c -> c.client().tls().keyFile()),
            Map.entry("peer-ca-file", c -> c.peer().tls().caFile()),
            Map.entry("peer-cert-file", c -> c.peer().tls().certFile()),
            Map.entry("peer-key-file", c -> c.peer().tls().keyFile()),
            Map.entry("max-result-buffer", c -> String.valueOf(c.maxResultBuffer())),
            Map.entry("max-retry-attempts", c -> String.valueOf(c.maxRetryAttempts())),
            Map.entry("max-cluster-size", c -> String.valueOf(c.maxClusterSize())),
            Map.entry("snapshot-count", c -> String.valueOf(c.snapshotCount())));

    @ParameterizedTest(name = "-{0} means -{1}")
    @CsvSource({
            "n, name, node7, node7",
            "d, data-dir, /var/n7, /var/n7",
            "c, addr, 10.1.1.1:4002, http://10.1.1.1:4002",
            "cl, bind-addr, 10.1.1.1:4003, 10.1.1.1:4003",
            "s, peer-addr, 10.1.1.1:7002, http://10.1.1.1:7002",
            "sl, peer-bind-addr, 10.1.1.1:7003, 10.1.1.1:7003",
            "C, peers, 'a:7001,b:7001', 'a:7001,b:7001'",
            "CF, peers-file, PEERS, PEERS",
            "clientCAFile, ca-file, FILE, FILE",
            "clientCert, cert-file, FILE, FILE",
            "clientKey, key-file, FILE, FILE",
            "serverCAFile, peer-ca-file, FILE, FILE",
            "serverCert, peer-cert-file, FILE, FILE",
            "serverKey, peer-key-file, FILE, FILE",
            "m, max-result-buffer, 512, 512",
            "r, max-retry-attempts, 10, 10",
            "maxsize, max-cluster-size, 5, 5",
            "snapshotCount, snapshot-count, 500, 500",
    })
    void deprecatedFlagWorksAndHints(String old, String replacement, String value, String expected) throws IOException {
        // given the files a flag may need to name
        Path file = tmp.resolve("file");
        Files.writeString(file, "x");
        Path peers = tmp.resolve("peers");
        Files.writeString(peers, "p:7001");
        value = value.replace("PEERS", peers.toString()).replace("FILE", file.toString());
        expected = expected.replace("PEERS", peers.toString()).replace("FILE", file.toString());
        // TLS flags need the rest of their triple to be valid
        List<String> args = new java.util.ArrayList<>(List.of("-name=base", "-" + old, value));
        if (replacement.endsWith("-file") && !replacement.startsWith("peers")) {
            String prefix = replacement.startsWith("peer-") ? "-peer-" : "-";
            args.addAll(List.of(prefix + "cert-file", file.toString(), prefix + "key-file", file.toString()));
        }

        // when
        LoadResult result = ConfigLoader.load(args.toArray(String[]::new), Map.of(), null,
                () -> Optional.of("h"));

        // then
        if (result instanceof LoadResult.Failure f) {
            throw new AssertionError(f.message());
        }
        LoadResult.Loaded loaded = assertInstanceOf(LoadResult.Loaded.class, result);
        assertEquals(expected, READ.get(replacement).apply(loaded.config()));
        assertTrue(loaded.warnings().contains("[deprecated] use -" + replacement + ", not -" + old),
                loaded.warnings().toString());
        assertEquals(1, loaded.warnings().stream().filter(w -> w.startsWith("[deprecated]")).count());
    }

    @org.junit.jupiter.api.Test
    void everyDeprecatedFlagIsCovered() {
        assertEquals(18, Setting.DEPRECATED_FLAGS.size());
    }

    @org.junit.jupiter.api.Test
    void repeatedDeprecatedFlagHintsOnce() {
        LoadResult result = ConfigLoader.load(new String[] {"-n", "a", "--n=b", "-d", "x"}, Map.of(), null,
                () -> Optional.of("h"));

        LoadResult.Loaded loaded = assertInstanceOf(LoadResult.Loaded.class, result);
        assertEquals("b", loaded.config().name());
        assertEquals(List.of("[deprecated] use -name, not -n", "[deprecated] use -data-dir, not -d"),
                loaded.warnings());
    }
}
