package io.etcdj.fs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PowerCutFileSystemTest {
    private static final Path DIR = Path.of("/data");
    private static final Path FILE = DIR.resolve("f");

    private static PowerCutFileSystem fs(long seed) {
        PowerCutFileSystem fs = new PowerCutFileSystem(new Random(seed * 0x9E3779B97F4A7C15L)); // spread: nearby seeds start alike
        fs.createDirectories(DIR);
        return fs;
    }

    private static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        for (int i = 0; i < n; i++) {
            b[i] |= 1; // never zero, so a zero in a cut file can only be a lost byte
        }
        return b;
    }

    private static void write(DurableFile f, byte[] b) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(b);
        while (buf.hasRemaining()) {
            f.write(buf);
        }
    }

    @Test
    void forcedBytesSurviveAndTheUnsyncedTailIsOnlyEverWrittenBytesOrZeros() throws IOException {
        boolean[] seen = new boolean[PowerCutFileSystem.Outcome.values().length];
        for (long seed = 0; seed < 300; seed++) {
            PowerCutFileSystem fs = fs(seed);
            byte[] synced = bytes(700, 1);
            byte[] unsynced = bytes(1500, 2);
            try (DurableFile f = fs.create(FILE)) {
                write(f, synced);
                f.force(false);
                fs.syncDirectory(DIR);
                write(f, unsynced);
            }
            fs.powerCut();
            byte[] after = fs.readAll(FILE);
            assertTrue(after.length >= synced.length && after.length <= synced.length + unsynced.length,
                    "seed " + seed + ": length " + after.length);
            assertArrayEquals(synced, Arrays.copyOf(after, synced.length), "seed " + seed);
            for (int i = synced.length; i < after.length; i++) {
                byte b = after[i];
                assertTrue(b == 0 || b == unsynced[i - synced.length], "seed " + seed + ": byte " + i);
                if (b == 0) {
                    // whole sectors are lost, or the part of one past the durable end
                    int sectorEnd = Math.min(after.length, (i / PowerCutFileSystem.SECTOR + 1) * PowerCutFileSystem.SECTOR);
                    for (int j = i; j < sectorEnd; j++) {
                        assertEquals(0, after[j], "seed " + seed + ": a zero run stops inside a sector at " + j);
                    }
                }
            }
            fs.outcomes().keySet().forEach(o -> seen[o.ordinal()] = true);
        }
        for (PowerCutFileSystem.Outcome o : PowerCutFileSystem.Outcome.values()) {
            assertTrue(seen[o.ordinal()], "never drawn: " + o);
        }
    }

    @Test
    void aNewFileSurvivesOnlyOnceItsDirectoryWasSynced() throws IOException {
        int survived = 0;
        for (long seed = 0; seed < 100; seed++) {
            PowerCutFileSystem fs = fs(seed);
            try (DurableFile f = fs.create(FILE)) {
                write(f, bytes(10, 3));
                f.force(true);
            }
            fs.powerCut();
            survived += fs.exists(FILE) ? 1 : 0;

            PowerCutFileSystem synced = fs(seed);
            synced.create(FILE).close();
            synced.syncDirectory(DIR);
            synced.powerCut();
            assertTrue(synced.exists(FILE), "seed " + seed);
        }
        assertTrue(survived > 0 && survived < 100, "an unsynced create may or may not survive: " + survived);
    }

    @Test
    void renamesAndDeletesAreDurableOnlyAfterTheDirectorySync() throws IOException {
        Path tmp = DIR.resolve("tmp");
        int reverted = 0;
        for (long seed = 0; seed < 100; seed++) {
            PowerCutFileSystem fs = fs(seed);
            fs.create(tmp).close();
            fs.create(DIR.resolve("old")).close();
            fs.syncDirectory(DIR);
            fs.rename(tmp, FILE);
            fs.delete(DIR.resolve("old"));
            fs.powerCut();
            boolean before = fs.exists(tmp) && !fs.exists(FILE) && fs.exists(DIR.resolve("old"));
            boolean after = !fs.exists(tmp) && fs.exists(FILE) && !fs.exists(DIR.resolve("old"));
            assertTrue(before || after, "seed " + seed + ": the directory is as it was synced, or as it was");
            reverted += before ? 1 : 0;

            fs.rename(before ? tmp : FILE, DIR.resolve("final"));
            fs.syncDirectory(DIR);
            fs.powerCut();
            assertTrue(fs.exists(DIR.resolve("final")), "seed " + seed);
        }
        assertTrue(reverted > 50, "most unsynced renames are lost: " + reverted);
    }

    @Test
    void anArmedCutFiresInsideTheOperationAndStaleFilesCannotBeUsed() throws IOException {
        PowerCutFileSystem fs = fs(7);
        DurableFile f = fs.create(FILE);
        fs.syncDirectory(DIR);
        write(f, bytes(100, 4));
        f.force(false);
        fs.armCut(1);
        write(f, bytes(100, 5)); // the one operation left
        assertThrows(PowerCutFileSystem.PowerCut.class, () -> f.force(false));
        assertEquals(1, fs.cuts());
        assertThrows(IllegalStateException.class, () -> f.write(ByteBuffer.allocate(1)));
        assertTrue(fs.readAll(FILE).length >= 100);
        assertArrayEquals(bytes(100, 4), Arrays.copyOf(fs.readAll(FILE), 100));
    }

    @Test
    void aTruncationBeforeAForceIsDurable() throws IOException {
        PowerCutFileSystem fs = fs(8);
        try (DurableFile f = fs.create(FILE)) {
            write(f, bytes(2000, 6));
            f.truncate(300);
            f.force(true);
        }
        fs.syncDirectory(DIR);
        fs.powerCut();
        assertArrayEquals(Arrays.copyOf(bytes(2000, 6), 300), fs.readAll(FILE));
        assertFalse(fs.exists(DIR.resolve("other")));
        assertThrows(NoSuchFileException.class, () -> fs.readAll(DIR.resolve("other")));
        assertEquals(List.of(FILE), fs.list(DIR));
    }
}
