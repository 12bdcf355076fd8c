package io.etcdj.wal;

import io.etcdj.raft.Entry;
import io.etcdj.raft.EntryType;
import io.etcdj.raft.HardState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A write or fsync that fails part-way (a full disk, an I/O error) leaves the log exactly as it
 * was, so the same save can be retried once the disk recovers and replay finds no garbage.
 */
class WriteAheadLogFailureTest {
    @TempDir
    Path dir;
    private final FailingFileSystem disk = new FailingFileSystem();

    private WriteAheadLog open(long segmentBytes) throws IOException {
        return WriteAheadLog.open(disk, dir, 0, 0, segmentBytes);
    }

    private static Entry entry(long index, String data) {
        return new Entry(index, 1, EntryType.NORMAL, data.getBytes(StandardCharsets.UTF_8));
    }

    private static List<Entry> entries(long from, long to) {
        List<Entry> out = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            out.add(entry(i, "value-" + i + "-" + "x".repeat(40)));
        }
        return out;
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    private long bytesOnDisk() throws IOException {
        long total = 0;
        for (Path p : segments()) {
            total += Files.size(p);
        }
        return total;
    }

    private void assertReplays(long lastIndex, HardState hs) throws IOException {
        try (WriteAheadLog wal = WriteAheadLog.open(dir)) {
            assertEquals(lastIndex, wal.entries().size());
            for (int i = 0; i < lastIndex; i++) {
                assertEquals(entries(1, lastIndex).get(i).index(), wal.entries().get(i).index());
            }
            assertEquals(hs, wal.hardState());
        }
    }

    @Test
    void aWriteCutShortByAFullDiskIsUndoneAndTheRetryWritesCleanly() throws IOException {
        HardState hs1 = new HardState(1, "a", 2);
        HardState hs2 = new HardState(1, "a", 4);
        try (WriteAheadLog wal = open(WriteAheadLog.SEGMENT_BYTES)) {
            wal.save(hs1, entries(1, 2));
            long before = bytesOnDisk();
            disk.space = 30; // part of the next batch fits

            IOException full = assertThrows(IOException.class, () -> wal.save(hs2, entries(3, 4)));

            assertEquals("No space left on device", full.getMessage());
            assertEquals(before, bytesOnDisk());
            assertEquals(2, wal.lastIndex());
            assertEquals(hs1, wal.hardState());
            disk.free();
            wal.save(hs2, entries(3, 4));
            wal.save(null, entries(5, 5));
        }
        assertReplays(5, hs2);
    }

    @Test
    void aFailedFsyncIsUndoneAndTheRetryWritesCleanly() throws IOException {
        HardState hs = new HardState(2, "b", 3);
        try (WriteAheadLog wal = open(WriteAheadLog.SEGMENT_BYTES)) {
            wal.save(new HardState(1, "a", 0), entries(1, 1));
            long before = bytesOnDisk();
            disk.fsyncFails = true;

            assertThrows(IOException.class, () -> wal.save(hs, entries(2, 3)));
            assertThrows(IOException.class, () -> wal.save(hs, entries(2, 3)));

            assertEquals(before, bytesOnDisk());
            disk.free();
            wal.save(hs, entries(2, 3));
        }
        assertReplays(3, hs);
    }

    @Test
    void aRolloverThatFailsLeavesNoHalfMadeSegmentAndWritingGoesOn() throws IOException {
        HardState hs = new HardState(1, "a", 6);
        try (WriteAheadLog wal = open(200)) {
            wal.save(new HardState(1, "a", 0), entries(1, 4)); // past 200 bytes: the next save rolls over
            List<Path> before = segments();
            long size = bytesOnDisk();
            disk.space = 5; // not even a segment header fits

            assertThrows(IOException.class, () -> wal.save(hs, entries(5, 6)));

            assertEquals(before, segments());
            assertEquals(size, bytesOnDisk());
            disk.fill();
            assertThrows(IOException.class, () -> wal.save(hs, entries(5, 6)));
            assertEquals(before, segments());
            disk.free();
            wal.save(hs, entries(5, 6));
            assertTrue(segments().size() > before.size());
        }
        assertReplays(6, hs);
    }
}
