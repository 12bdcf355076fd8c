package io.etcdj.wal;

import io.etcdj.raft.HardState;

import io.etcdj.raft.Entry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class WriteAheadLogTest {
    @TempDir
    Path dir;

    private static Entry entry(long index, long term, String data) {
        return new Entry(index, term, io.etcdj.raft.EntryType.NORMAL, data.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> payloads(WriteAheadLog wal) {
        List<String> out = new ArrayList<>();
        for (Entry e : wal.entries()) {
            out.add(e.index() + "@" + e.term() + ":" + new String(e.data(), StandardCharsets.UTF_8));
        }
        return out;
    }

    private Path onlySegment() throws IOException {
        try (var s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".wal")).findFirst().orElseThrow();
        }
    }

    @Test
    void savedEntriesAndHardStateComeBackAfterReopen() throws IOException {
        try (WriteAheadLog wal = WriteAheadLog.open(dir)) {
            wal.save(new HardState(1, "node0", 0), List.of(entry(1, 1, "a"), entry(2, 1, "b")));
            wal.save(new HardState(1, "node0", 2), List.of(entry(3, 1, "c")));
        }
        try (WriteAheadLog wal = WriteAheadLog.open(dir)) {
            assertEquals(List.of("1@1:a", "2@1:b", "3@1:c"), payloads(wal));
            assertEquals(new HardState(1, "node0", 2), wal.hardState());
            assertEquals(3, wal.lastIndex());
        }
    }

    @Test
    void anEntryAtAnExistingIndexReplacesTheSuffix() throws IOException {
        try (WriteAheadLog wal = WriteAheadLog.open(dir)) {
            wal.save(null, List.of(entry(1, 1, "a"), entry(2, 1, "b"), entry(3, 1, "c")));
            wal.save(new HardState(2, "", 1), List.of(entry(2, 2, "x")));
        }
        try (WriteAheadLog wal = WriteAheadLog.open(dir)) {
            assertEquals(List.of("1@1:a", "2@2:x"), payloads(wal));
        }
    }

    @Test
    void aLogCutAtAnyByteOfItsLastRecordsRecoversEveryCompleteRecord() throws IOException {
        List<Long> ends = new ArrayList<>();
        try (WriteAheadLog wal = WriteAheadLog.open(dir)) {
            for (int i = 1; i <= 5; i++) {
                wal.save(null, List.of(entry(i, 1, "value-" + i)));
                ends.add(Files.size(onlySegment()));
            }
        }
        Path segment = onlySegment();
        byte[] full = Files.readAllBytes(segment);
        long from = ends.get(1); // cut anywhere inside the last three records
        for (long cut = from; cut <= full.length; cut++) {
            Files.write(segment, java.util.Arrays.copyOf(full, (int) cut));
            int complete = 0;
            for (long end : ends) {
                if (end <= cut) {
                    complete++;
                }
            }
            try (WriteAheadLog wal = WriteAheadLog.open(dir)) {
                assertEquals(complete, wal.entries().size(), "cut at " + cut);
                // the torn part is gone and the log accepts new records after it
                wal.save(null, List.of(entry(complete + 1, 1, "next")));
            }
            try (WriteAheadLog wal = WriteAheadLog.open(dir)) {
                assertEquals(complete + 1, wal.entries().size(), "reopen after cut at " + cut);
            }
        }
    }

    @Test
    void aZeroFilledTailIsCutOff() throws IOException {
        try (WriteAheadLog wal = WriteAheadLog.open(dir)) {
            wal.save(null, List.of(entry(1, 1, "a")));
        }
        Path segment = onlySegment();
        byte[] full = Files.readAllBytes(segment);
        Files.write(segment, java.util.Arrays.copyOf(full, full.length + 4096));
        try (WriteAheadLog wal = WriteAheadLog.open(dir)) {
            assertEquals(List.of("1@1:a"), payloads(wal));
        }
        assertEquals(full.length, Files.size(segment));
    }

    @Test
    void aFlippedByteInAnEarlierRecordIsRefusedWithFileAndOffset() throws IOException {
        try (WriteAheadLog wal = WriteAheadLog.open(dir)) {
            for (int i = 1; i <= 3; i++) {
                wal.save(null, List.of(entry(i, 1, "value-" + i)));
            }
        }
        Path segment = onlySegment();
        byte[] good = Files.readAllBytes(segment);
        int firstRecordEnd = WriteAheadLog.HEADER + RecordCodec.entrySize(entry(1, 1, "value-1"));
        for (int pos = WriteAheadLog.HEADER; pos < firstRecordEnd * 2 - WriteAheadLog.HEADER; pos++) {
            byte[] bad = good.clone();
            bad[pos] ^= 0x40;
            Files.write(segment, bad);
            CorruptLogException e = assertThrows(CorruptLogException.class, () -> WriteAheadLog.open(dir),
                    "flip at " + pos);
            assertTrue(e.getMessage().contains(segment.getFileName().toString()), e.getMessage());
            assertTrue(e.getMessage().contains("offset"), e.getMessage());
            assertArrayEquals(bad, Files.readAllBytes(segment), "a refused log is left untouched");
        }
    }

    @Test
    void anUnknownVersionIsRefused() throws IOException {
        try (WriteAheadLog wal = WriteAheadLog.open(dir)) {
            wal.save(null, List.of(entry(1, 1, "a")));
        }
        Path segment = onlySegment();
        byte[] bytes = Files.readAllBytes(segment);
        bytes[7] = 9;
        Files.write(segment, bytes);
        CorruptLogException e = assertThrows(CorruptLogException.class, () -> WriteAheadLog.open(dir));
        assertTrue(e.getMessage().contains("version 9"), e.getMessage());
    }

    /** Saves records of 100 bytes of data until the segment passes {@code bytes}; returns their ends. */
    private List<Integer> fill(int bytes) throws IOException {
        List<Integer> ends = new ArrayList<>();
        try (WriteAheadLog wal = WriteAheadLog.open(dir)) {
            for (int i = 1; ends.isEmpty() || ends.get(ends.size() - 1) < bytes; i++) {
                wal.save(null, List.of(entry(i, 1, String.format("%0100d", i))));
                ends.add((int) Files.size(onlySegment()));
            }
        }
        return ends;
    }

    @Test
    void aZeroedSectorFollowedByWrittenRecordsIsAPowerCutLeftoverAndIsCutOff() throws IOException {
        List<Integer> ends = fill(4 * LogReplay.SECTOR);
        Path segment = onlySegment();
        byte[] bytes = Files.readAllBytes(segment);
        // The page cache wrote the sectors after the second one, not the second: zeros, then data.
        java.util.Arrays.fill(bytes, LogReplay.SECTOR, 2 * LogReplay.SECTOR, (byte) 0);
        Files.write(segment, bytes);
        int firstTouched = 0;
        while (ends.get(firstTouched) <= LogReplay.SECTOR) {
            firstTouched++;
        }
        try (WriteAheadLog wal = WriteAheadLog.open(dir)) {
            assertEquals(firstTouched, wal.entries().size());
        }
        assertEquals(ends.get(firstTouched - 1), (int) Files.size(segment));
    }

    @Test
    void theZerosOfAPartlyWrittenSectorAfterTheDurableEndAreCutOff() throws IOException {
        List<Integer> ends = fill(3 * LogReplay.SECTOR);
        Path segment = onlySegment();
        byte[] bytes = Files.readAllBytes(segment);
        int durableEnd = ends.get(1);
        java.util.Arrays.fill(bytes, durableEnd, 2 * LogReplay.SECTOR, (byte) 0);
        Files.write(segment, bytes);
        try (WriteAheadLog wal = WriteAheadLog.open(dir)) {
            assertEquals(2, wal.entries().size());
        }
    }

    @Test
    void damageThatIsNotAZeroedSectorIsRefusedEvenWhenItsRecordHoldsZeros() throws IOException {
        List<Integer> ends = fill(3 * LogReplay.SECTOR);
        Path segment = onlySegment();
        byte[] good = Files.readAllBytes(segment);
        // The second record's data holds many zeros (its number is zero-padded), but they stop
        // short of a sector's end: a flipped byte in it is damage, not a power cut.
        byte[] bad = good.clone();
        bad[ends.get(1) - 5] ^= 0x01;
        Files.write(segment, bad);
        assertThrows(CorruptLogException.class, () -> WriteAheadLog.open(dir));
        // Zeros that end inside a sector, with written bytes after them in it, are damage too.
        bad = good.clone();
        java.util.Arrays.fill(bad, ends.get(0) + 20, ends.get(0) + 60, (byte) 0);
        Files.write(segment, bad);
        assertThrows(CorruptLogException.class, () -> WriteAheadLog.open(dir));
        assertArrayEquals(bad, Files.readAllBytes(segment), "a refused log is left untouched");
    }

    @Test
    void aNewestSegmentThatIsAllZerosStartsAgainEmpty() throws IOException {
        try (WriteAheadLog wal = WriteAheadLog.open(dir)) {
            wal.save(new HardState(1, "a", 0), List.of(entry(1, 1, "a")));
        }
        Path segment = onlySegment();
        Files.write(segment, new byte[700]);
        try (WriteAheadLog wal = WriteAheadLog.open(dir)) {
            assertEquals(List.of(), wal.entries());
            wal.save(null, List.of(entry(1, 1, "b")));
        }
        try (WriteAheadLog wal = WriteAheadLog.open(dir)) {
            assertEquals(List.of("1@1:b"), payloads(wal));
        }
    }
}
