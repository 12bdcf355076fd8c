package io.etcdj.wal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

class SnapshotDirectoryTest {
    @TempDir
    Path dir;

    private static SnapshotRecord snapshot(long index, long term, String data) {
        return new SnapshotRecord(index, term, List.of("node0", "node1"), "ctx".getBytes(StandardCharsets.UTF_8),
                data.getBytes(StandardCharsets.UTF_8));
    }

    private static String data(SnapshotDirectory.Loaded loaded) {
        return new String(loaded.snapshot().data(), StandardCharsets.UTF_8);
    }

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aLargeSnapshotComesBackWholeUnderItsIndexAndTerm() throws IOException {
        // given a snapshot with tens of MB of state
        byte[] data = new byte[24 << 20];
        new Random(7).nextBytes(data);
        SnapshotRecord saved = new SnapshotRecord(123_456, 7, List.of("a", "b", "ç"), new byte[] {1, 2, 3}, data);
        SnapshotDirectory snaps = SnapshotDirectory.open(dir);

        // when it is saved and loaded
        Path file = snaps.save(saved);
        SnapshotDirectory.Loaded loaded = snaps.loadNewest();

        // then every field survives, under a name that sorts by index, and no temporary file is left
        assertEquals(String.format("%016x-%016x.snap", 123_456, 7), file.getFileName().toString());
        assertEquals(List.of(file.getFileName().toString()), names());
        assertTrue(loaded.found());
        assertEquals(file, loaded.file());
        assertEquals(123_456, loaded.index());
        assertEquals(7, loaded.term());
        assertEquals(List.of("a", "b", "ç"), loaded.snapshot().members());
        assertArrayEquals(new byte[] {1, 2, 3}, loaded.snapshot().context());
        assertArrayEquals(data, loaded.snapshot().data());
        assertEquals(List.of(), loaded.skipped());
    }

    @Test
    void anEmptyDirectoryHasNoSnapshot() throws IOException {
        SnapshotDirectory.Loaded loaded = SnapshotDirectory.open(dir.resolve("snapshot")).loadNewest();

        assertFalse(loaded.found());
        assertEquals(0, loaded.index());
        assertEquals(0, loaded.term());
        assertTrue(Files.isDirectory(dir.resolve("snapshot")));
    }

    @Test
    void onlyTheNewestSnapshotsAreKept() throws IOException {
        SnapshotDirectory snaps = SnapshotDirectory.open(dir, 3);

        for (int i = 1; i <= 5; i++) {
            snaps.save(snapshot(i * 100L, 2, "state-" + i));
        }

        assertEquals(List.of(SnapshotDirectory.fileName(300, 2), SnapshotDirectory.fileName(400, 2),
                SnapshotDirectory.fileName(500, 2)), names());
        assertEquals("state-5", data(snaps.loadNewest()));
    }

    @Test
    void aDamagedNewestSnapshotIsSkippedForTheOlderOneWithTheReason() throws IOException {
        // given two snapshots
        SnapshotDirectory snaps = SnapshotDirectory.open(dir);
        snaps.save(snapshot(10, 1, "older"));
        Path newest = snaps.save(snapshot(20, 1, "newer"));
        byte[] good = Files.readAllBytes(newest);

        // when any byte past the version of the newest is flipped
        for (int pos = 8; pos < good.length; pos++) {
            byte[] bad = good.clone();
            bad[pos] ^= 0x01;
            Files.write(newest, bad);

            // then the older one is used, and the newest is named with a checksum mismatch
            SnapshotDirectory.Loaded loaded = snaps.loadNewest();
            assertEquals("older", data(loaded), "flip at " + pos);
            assertEquals(1, loaded.skipped().size());
            assertEquals(newest, loaded.skipped().get(0).file());
            assertTrue(loaded.skipped().get(0).reason().contains("checksum mismatch"), loaded.skipped().toString());
            assertArrayEquals(bad, Files.readAllBytes(newest), "a skipped snapshot is left in place");
        }
    }

    @Test
    void aTruncatedNewestSnapshotIsSkipped() throws IOException {
        SnapshotDirectory snaps = SnapshotDirectory.open(dir);
        snaps.save(snapshot(10, 1, "older"));
        Path newest = snaps.save(snapshot(20, 1, "newer"));
        byte[] good = Files.readAllBytes(newest);

        for (int cut = 0; cut < good.length; cut++) {
            Files.write(newest, Arrays.copyOf(good, cut));

            SnapshotDirectory.Loaded loaded = snaps.loadNewest();

            assertEquals("older", data(loaded), "cut at " + cut);
            assertEquals(newest, loaded.skipped().get(0).file(), "cut at " + cut);
        }
    }

    @Test
    void anUnknownVersionIsSkippedAndNamed() throws IOException {
        // given a newest snapshot written by a future format
        SnapshotDirectory snaps = SnapshotDirectory.open(dir);
        snaps.save(snapshot(10, 1, "older"));
        Path newest = snaps.save(snapshot(20, 1, "newer"));
        byte[] bytes = Files.readAllBytes(newest);
        bytes[7] = 9;
        Files.write(newest, bytes);

        // when loading, then it is passed over with its version
        SnapshotDirectory.Loaded loaded = snaps.loadNewest();
        assertEquals("older", data(loaded));
        assertEquals(List.of(new SnapshotDirectory.Skipped(newest, "unknown snapshot format version 9")),
                loaded.skipped());

        // and read on its own it is refused with the file
        CorruptSnapshotException e = assertThrows(CorruptSnapshotException.class, () -> SnapshotDirectory.read(newest));
        assertTrue(e.getMessage().contains(newest.getFileName().toString()), e.getMessage());
    }

    @Test
    void whenEverySnapshotIsDamagedNoneIsFoundAndAllAreReported() throws IOException {
        SnapshotDirectory snaps = SnapshotDirectory.open(dir);
        Path a = snaps.save(snapshot(10, 1, "a"));
        Path b = snaps.save(snapshot(20, 1, "b"));
        Files.write(a, new byte[] {1, 2, 3});
        Files.write(b, new byte[0]);

        SnapshotDirectory.Loaded loaded = snaps.loadNewest();

        assertFalse(loaded.found());
        assertEquals(List.of(b, a), loaded.skipped().stream().map(SnapshotDirectory.Skipped::file).toList());
    }

    @Test
    void aSnapshotUnderAnotherSnapshotsNameIsSkipped() throws IOException {
        SnapshotDirectory snaps = SnapshotDirectory.open(dir);
        Path real = snaps.save(snapshot(10, 1, "real"));
        Path impostor = dir.resolve(SnapshotDirectory.fileName(30, 2));
        Files.copy(real, impostor);

        SnapshotDirectory.Loaded loaded = snaps.loadNewest();

        assertEquals(real, loaded.file());
        assertEquals(impostor, loaded.skipped().get(0).file());
        assertTrue(loaded.skipped().get(0).reason().contains("index 10 term 1"), loaded.skipped().toString());
    }

    @Test
    void aTemporaryFileLeftByACrashIsIgnoredAndCleanedWhenTheDirectoryIsOpenedAgain() throws IOException {
        // given a crash half way through writing a newer snapshot (in this version's naming and the last's)
        SnapshotDirectory snaps = SnapshotDirectory.open(dir);
        snaps.save(snapshot(10, 1, "older"));
        Path whole = snaps.save(snapshot(20, 1, "would-be-newest"));
        byte[] bytes = Files.readAllBytes(whole);
        Files.delete(whole);
        Path tmp = dir.resolve(SnapshotDirectory.fileName(20, 1) + ".8812345.tmp");
        Files.write(tmp, Arrays.copyOf(bytes, bytes.length / 2));
        Path oldTmp = dir.resolve(SnapshotDirectory.fileName(20, 1) + ".tmp");
        Files.write(oldTmp, Arrays.copyOf(bytes, bytes.length / 3));

        // when loading, then the temporary files are not snapshots
        SnapshotDirectory.Loaded loaded = snaps.loadNewest();
        assertEquals("older", data(loaded));
        assertEquals(List.of(), loaded.skipped());

        // and opening the directory again (the next start) removes them
        SnapshotDirectory.open(dir);
        assertEquals(List.of(SnapshotDirectory.fileName(10, 1)), names());
    }

    @Test
    void aSaveLeavesTheTemporaryFilesOfOthersAlone() throws IOException {
        // given another save's temporary file, being written while this one runs
        SnapshotDirectory snaps = SnapshotDirectory.open(dir);
        Path othersTmp = dir.resolve(SnapshotDirectory.fileName(30, 2) + ".42.tmp");
        Files.write(othersTmp, new byte[] {1, 2, 3});

        // when a snapshot is saved, even at the same index and term
        snaps.save(snapshot(30, 2, "mine"));

        // then the other file is untouched and no temporary file of this save remains
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(othersTmp));
        assertEquals(List.of(SnapshotDirectory.fileName(30, 2), othersTmp.getFileName().toString()), names());
    }

    @Test
    void saveWritesAFileWhoseNameIsItsOwnEvenWhenTwoRunAtOnce() throws Exception {
        // given two threads saving different snapshots at the same index and term
        SnapshotDirectory snaps = SnapshotDirectory.open(dir);
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            List<java.util.concurrent.Future<Path>> saves = new java.util.ArrayList<>();
            for (String data : List.of("a".repeat(1 << 20), "b".repeat(1 << 20))) {
                saves.add(pool.submit(() -> {
                    start.await();
                    return snaps.save(snapshot(40, 3, data));
                }));
            }
            for (java.util.concurrent.Future<Path> save : saves) {
                save.get();
            }
        } finally {
            pool.shutdownNow();
        }

        // then one whole snapshot is there, and nothing else
        assertEquals(List.of(SnapshotDirectory.fileName(40, 3)), names());
        String data = data(snaps.loadNewest());
        assertTrue(data.equals("a".repeat(1 << 20)) || data.equals("b".repeat(1 << 20)));
    }

    @Test
    void savingTheSameIndexAgainReplacesTheFile() throws IOException {
        SnapshotDirectory snaps = SnapshotDirectory.open(dir);
        snaps.save(snapshot(10, 1, "first"));
        snaps.save(snapshot(10, 1, "second"));

        assertEquals(List.of(SnapshotDirectory.fileName(10, 1)), names());
        assertEquals("second", data(snaps.loadNewest()));
    }

    @Test
    void aPowerCutAnywhereInASaveLeavesTheNewSnapshotOrTheOldOneAndNoDamagedFile() throws IOException {
        Path snaps = Path.of("/node/snap");
        SnapshotRecord first = new SnapshotRecord(10, 1, List.of("a"), new byte[0], new byte[3000]);
        SnapshotRecord second = new SnapshotRecord(20, 2, List.of("a", "b"), new byte[] {1}, new byte[5000]);
        int sawFirst = 0;
        int sawSecond = 0;
        for (int at = 0; at < 10; at++) {
            for (long seed = 0; seed < 30; seed++) {
                io.etcdj.fs.PowerCutFileSystem fs = new io.etcdj.fs.PowerCutFileSystem(
                        new java.util.Random(seed * 0x9E3779B97F4A7C15L + at));
                SnapshotDirectory.open(fs, snaps, 1).save(first);
                fs.armCut(at);
                boolean returned = false;
                try {
                    SnapshotDirectory.open(fs, snaps, 1).save(second);
                    returned = true;
                    fs.powerCut();
                } catch (io.etcdj.fs.PowerCutFileSystem.PowerCut cut) {
                    // the power went during the save (or while opening)
                }
                SnapshotDirectory reopened = SnapshotDirectory.open(fs, snaps, 1);
                SnapshotDirectory.Loaded loaded = reopened.loadNewest();
                assertTrue(loaded.skipped().isEmpty(), "cut at " + at + ": " + loaded.skipped());
                assertTrue(loaded.found(), "cut at " + at + ": no snapshot left");
                if (returned) {
                    assertEquals(20, loaded.index(), "a save that returned survives");
                }
                sawFirst += loaded.index() == 10 ? 1 : 0;
                sawSecond += loaded.index() == 20 ? 1 : 0;
                for (Path p : fs.list(snaps)) {
                    assertFalse(p.toString().endsWith(".tmp"), "a temporary file outlived open: " + p);
                }
            }
        }
        assertTrue(sawFirst > 0 && sawSecond > 0, "first " + sawFirst + ", second " + sawSecond);
    }

    @Test
    void aSnapshotFileIsReadableByItsOwnerOnly() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
        Path file = SnapshotDirectory.open(dir).save(new SnapshotRecord(5, 1, List.of("a"), new byte[0], new byte[10]));
        assertEquals(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"),
                Files.getPosixFilePermissions(file));
    }
}
