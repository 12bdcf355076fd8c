package io.etcdj.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirTest {
    @TempDir
    Path tmp;

    private Config config(String... args) {
        LoadResult result = ConfigLoader.load(args, Map.of(), null, () -> Optional.of("testhost"));
        if (result instanceof LoadResult.Loaded loaded) {
            return loaded.config();
        }
        throw new AssertionError(result.toString());
    }

    @Test
    void newNodeCreatesTheDirAndStoresItsIdentity() throws Exception {
        // given a data dir that does not exist yet
        Path dir = tmp.resolve("a/b/node0");
        Config config = config("-name", "node0", "-data-dir", dir.toString(), "-addr", "10.0.0.1:4001",
                "-bind-addr", "10.0.0.1");

        // when
        DataDir.Prepared prepared = DataDir.prepare(config);

        // then
        assertTrue(prepared.fresh());
        assertEquals(List.of(), prepared.warnings());
        assertEquals(config, prepared.config());
        assertEquals(new NodeInfo("node0", "http://127.0.0.1:7001", "http://10.0.0.1:4001", "127.0.0.1:7001",
                "10.0.0.1:4001", TlsFiles.NONE, TlsFiles.NONE), prepared.info());
        assertEquals(Optional.of(prepared.info()), DataDir.readInfo(dir));
        assertFalse(Files.exists(dir.resolve("info.tmp")));
        String json = Files.readString(dir.resolve("info"));
        assertTrue(json.contains("\"raftURL\":\"http://127.0.0.1:7001\""), json);
        assertTrue(json.contains("\"etcdListenHost\":\"10.0.0.1:4001\""), json);
        assertTrue(json.contains("\"CertFile\":\"\""), json);
    }

    @Test
    void storedIdentityWinsOverChangedFlagsWithAWarningPerDifference() throws Exception {
        // given a node that ran once
        Path dir = tmp.resolve("node0");
        DataDir.prepare(config("-name", "node0", "-data-dir", dir.toString(), "-addr", "127.0.0.1:4001"));

        // when it restarts with another name and client address, but the same peer address
        Config changed = config("-name", "other", "-data-dir", dir.toString(), "-addr", "127.0.0.1:4005",
                "-peers", "x:7001");
        DataDir.Prepared prepared = DataDir.prepare(changed);

        // then the stored identity is kept and the other settings are the new ones
        assertFalse(prepared.fresh());
        Config effective = prepared.config();
        assertEquals("node0", effective.name());
        assertEquals("http://127.0.0.1:4001", effective.clientUrl());
        assertEquals(new HostPort("127.0.0.1", 4001), effective.client().bind());
        assertEquals("http://127.0.0.1:7001", effective.peerUrl());
        assertEquals(List.of("x:7001"), effective.peers());
        assertEquals(3, prepared.warnings().size(), prepared.warnings().toString());
        assertTrue(prepared.warnings().get(0).startsWith("[warning] keeping the name stored in "
                + dir.resolve("info") + " (node0), not -name other"), prepared.warnings().get(0));
        assertTrue(prepared.warnings().get(1).contains("client URL"));
        assertTrue(prepared.warnings().get(2).contains("client bind address"));
        // and the file is unchanged
        assertEquals("node0", DataDir.readInfo(dir).orElseThrow().name());
    }

    @Test
    void guessedNameDoesNotWarnAgainstTheStoredOne() throws Exception {
        Path dir = tmp.resolve("node0");
        DataDir.prepare(config("-name", "node0", "-data-dir", dir.toString()));

        DataDir.Prepared prepared = DataDir.prepare(config("-data-dir", dir.toString()));

        assertEquals("node0", prepared.config().name());
        assertFalse(prepared.config().nameFromHost());
        assertEquals(List.of(), prepared.warnings());
    }

    @Test
    void forceDiscardsTheStoredIdentityAndState() throws Exception {
        // given a data dir with an identity, state and an unrelated file
        Path dir = tmp.resolve("node0");
        DataDir.prepare(config("-name", "node0", "-data-dir", dir.toString()));
        Files.createDirectories(dir.resolve("snapshot"));
        Files.writeString(dir.resolve("snapshot/1_2.ss"), "s");
        Files.writeString(dir.resolve("log"), "l");
        Files.writeString(dir.resolve("conf"), "c");
        Files.writeString(dir.resolve("notes.txt"), "keep");

        // when the node starts with -force and new flags
        DataDir.Prepared prepared = DataDir.prepare(config("-f", "-name", "node9", "-data-dir", dir.toString(),
                "-peer-addr", "127.0.0.1:7009"));

        // then
        assertTrue(prepared.fresh());
        assertEquals(List.of(), prepared.warnings());
        assertEquals("node9", prepared.config().name());
        assertEquals("node9", DataDir.readInfo(dir).orElseThrow().name());
        assertEquals("http://127.0.0.1:7009", DataDir.readInfo(dir).orElseThrow().peerUrl());
        assertFalse(Files.exists(dir.resolve("snapshot")));
        assertFalse(Files.exists(dir.resolve("log")));
        assertFalse(Files.exists(dir.resolve("conf")));
        assertTrue(Files.exists(dir.resolve("notes.txt")));
    }

    @Test
    void dataDirThatCannotBeCreatedIsAClearError() throws IOException {
        // given a regular file where the data dir's parent should be (fails even for root)
        Path blocker = tmp.resolve("blocker");
        Files.writeString(blocker, "x");
        Path dir = blocker.resolve("node0");

        ConfigException e = assertThrows(ConfigException.class,
                () -> DataDir.prepare(config("-name", "n", "-data-dir", dir.toString())));

        assertTrue(e.getMessage().startsWith("cannot create data dir " + dir + ": "), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    @Test
    void dataDirThatIsAFileIsAClearError() throws IOException {
        Path file = tmp.resolve("file");
        Files.writeString(file, "x");

        ConfigException e = assertThrows(ConfigException.class,
                () -> DataDir.prepare(config("-name", "n", "-data-dir", file.toString())));

        assertEquals("data dir " + file + " is not a directory", e.getMessage());
    }

    @Test
    void damagedInfoFileIsAClearError() throws IOException {
        Path dir = tmp.resolve("node0");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("info"), "{\"name\": ");

        ConfigException e = assertThrows(ConfigException.class,
                () -> DataDir.prepare(config("-name", "n", "-data-dir", dir.toString())));

        assertTrue(e.getMessage().startsWith(dir.resolve("info") + " is damaged: "), e.getMessage());
        assertTrue(e.getMessage().endsWith("use -force to discard it"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    @Test
    void infoWrittenByTheReferenceReadsBack() throws Exception {
        // given an info file in the reference's format, with TLS on the peer side
        Path dir = tmp.resolve("node0");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("info"), """
                {"name":"machine0","raftURL":"https://127.0.0.1:7001","etcdURL":"http://127.0.0.1:4001",\
                "raftListenHost":"127.0.0.1:7001","etcdListenHost":":4001",\
                "raftTLS":{"CertFile":"s.crt","KeyFile":"s.key","CAFile":""},\
                "etcdTLS":{"CertFile":"","KeyFile":"","CAFile":""}}
                """);

        // when
        DataDir.Prepared prepared = DataDir.prepare(config("-data-dir", dir.toString()));

        // then
        Config c = prepared.config();
        assertEquals("machine0", c.name());
        assertEquals("https://127.0.0.1:7001", c.peerUrl());
        assertEquals(new HostPort("127.0.0.1", 7001), c.peer().bind());
        assertEquals(new TlsFiles("", "s.crt", "s.key"), c.peer().tls());
        assertEquals("http://127.0.0.1:4001", c.clientUrl());
        assertEquals(new HostPort("", 4001), c.client().bind());
    }

    @Test
    void aPowerCutWhileTheIdentityIsRewrittenLeavesTheOldOneOrTheNewOneWhole() throws Exception {
        NodeInfo old = NodeInfo.of(config("-name", "node0", "-data-dir", tmp.toString()));
        NodeInfo fresh = NodeInfo.of(config("-name", "node1", "-data-dir", tmp.toString(), "-addr", "10.0.0.2:4001"));
        Path dir = Path.of("/data");
        int sawOld = 0;
        int sawNew = 0;
        for (int at = 0; at < 12; at++) {
            for (long seed = 0; seed < 20; seed++) {
                io.etcdj.fs.PowerCutFileSystem fs = new io.etcdj.fs.PowerCutFileSystem(
                        new java.util.Random(seed * 0x9E3779B97F4A7C15L + at));
                fs.createDirectories(dir);
                DataDir.writeInfo(fs, dir, old);
                fs.powerCut();
                fs.armCut(at);
                try {
                    DataDir.writeInfo(fs, dir, fresh);
                    fs.powerCut();
                } catch (io.etcdj.fs.PowerCutFileSystem.PowerCut cut) {
                    // the power went during the rewrite
                }
                NodeInfo after = DataDir.readInfo(fs, dir).orElseThrow();
                assertTrue(after.equals(old) || after.equals(fresh), "cut at operation " + at + ": " + after);
                sawOld += after.equals(old) ? 1 : 0;
                sawNew += after.equals(fresh) ? 1 : 0;
                // and a rewrite after the cut works over whatever temporary file it left
                DataDir.writeInfo(fs, dir, fresh);
                assertEquals(fresh, DataDir.readInfo(fs, dir).orElseThrow());
            }
        }
        assertTrue(sawOld > 0 && sawNew > 0, "old " + sawOld + ", new " + sawNew);
    }
}
