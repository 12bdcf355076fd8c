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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

class WriteAheadLogCompactionTest {
    /** Small enough that a segment holds a handful of entries. */
    private static final long TINY = 256;

    @TempDir
    Path dir;

    private static Entry entry(long index, long term) {
        return new Entry(index, term, io.etcdj.raft.EntryType.NORMAL, ("value-" + index).getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> indexes(List<Entry> entries) {
        List<String> out = new ArrayList<>();
        for (Entry e : entries) {
            out.add(e.index() + "@" + e.term());
        }
        return out;
    }

    private static List<String> range(long from, long to, long term) {
        List<String> out = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            out.add(i + "@" + term);
        }
        return out;
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".wal")).sorted().toList();
        }
    }

    /** The lowest and highest entry index in one segment, read on its own. */
    private static long[] span(Path segment) throws IOException {
        LogReplay replay = new LogReplay(io.etcdj.fs.FileSystem.real(), Long.MAX_VALUE - 1);
        replay.read(segment, false);
        long first = replay.entries.isEmpty() ? 0 : replay.entries.get(0).index();
        return new long[] {first, replay.segmentLastIndexes.get(0)};
    }

    private static void append(WriteAheadLog wal, long from, long to, long term) throws IOException {
        for (long i = from; i <= to; i++) {
            wal.save(new HardState(term, "node0", i - 1), List.of(entry(i, term)));
        }
    }

    @Test
    void releaseDeletesOnlyWholeSegmentsAtOrBelowTheIndexAndTheRestReplays() throws IOException {
        // given 40 entries spread over many small segments
        try (WriteAheadLog wal = WriteAheadLog.open(dir, 0, 0, TINY)) {
            append(wal, 1, 40, 1);
            Map<Path, long[]> before = new HashMap<>();
            for (Path p : segments()) {
                before.put(p, span(p));
            }
            assertTrue(before.size() > 5, "segments: " + before.size());

            // when a snapshot at 20 lets the log go
            int released = wal.releaseBefore(20);

            // then exactly the segments holding nothing past 20 are gone
            List<Path> kept = segments();
            for (Map.Entry<Path, long[]> e : before.entrySet()) {
                boolean covered = e.getValue()[1] <= 20;
                assertEquals(!covered, kept.contains(e.getKey()), e.getKey() + " " + e.getValue()[1]);
            }
            assertEquals(before.size() - kept.size(), released);
            assertTrue(span(kept.get(0))[0] <= 21);
        }

        // and a reopen after the snapshot gives exactly the entries after it, with the hard state
        try (WriteAheadLog wal = WriteAheadLog.open(dir, 20, 1, TINY)) {
            assertEquals(range(21, 40, 1), indexes(wal.entries()));
            assertEquals(new HardState(1, "node0", 39), wal.hardState());
            assertEquals(40, wal.lastIndex());
        }
    }

    @Test
    void theCurrentSegmentIsNeverReleased() throws IOException {
        try (WriteAheadLog wal = WriteAheadLog.open(dir)) {
            append(wal, 1, 10, 1);

            assertEquals(0, wal.releaseBefore(10));

            assertEquals(1, segments().size());
        }
        try (WriteAheadLog wal = WriteAheadLog.open(dir, 10, 1)) {
            assertEquals(List.of(), wal.entries());
            assertEquals(10, wal.lastIndex());
        }
    }

    @Test
    void entriesTheSnapshotHoldsAreDroppedFromTheReplay() throws IOException {
        try (WriteAheadLog wal = WriteAheadLog.open(dir)) {
            append(wal, 1, 10, 1);
        }
        try (WriteAheadLog wal = WriteAheadLog.open(dir, 6, 1)) {
            assertEquals(range(7, 10, 1), indexes(wal.entries()));
            wal.save(null, List.of(entry(11, 1)));
        }
        try (WriteAheadLog wal = WriteAheadLog.open(dir, 6, 1)) {
            assertEquals(range(7, 11, 1), indexes(wal.entries()));
        }
    }

    @Test
    void aLogThatDoesNotReachBackToTheSnapshotIsRefused() throws IOException {
        // given a log compacted up to a snapshot at 20
        try (WriteAheadLog wal = WriteAheadLog.open(dir, 0, 0, TINY)) {
            append(wal, 1, 40, 1);
            wal.releaseBefore(20);
        }
        Path first = segments().get(0);
        long start = span(first)[0];

        // when it is opened after an older snapshot, or none, then it is refused with the file
        CorruptLogException older = assertThrows(CorruptLogException.class,
                () -> WriteAheadLog.open(dir, 10, 1, TINY));
        assertTrue(older.getMessage().contains(first.getFileName().toString()), older.getMessage());
        assertTrue(older.getMessage().contains("entries 11 to " + (start - 1) + " are missing"), older.getMessage());
        CorruptLogException none = assertThrows(CorruptLogException.class, () -> WriteAheadLog.open(dir));
        assertTrue(none.getMessage().contains("no snapshot"), none.getMessage());
    }

    @Test
    void theHardStateSurvivesTheReleaseOfTheSegmentThatFirstHeldIt() throws IOException {
        // given a vote written once, then many entries without a new hard state
        try (WriteAheadLog wal = WriteAheadLog.open(dir, 0, 0, TINY)) {
            wal.save(new HardState(3, "node2", 0), List.of());
            for (long i = 1; i <= 30; i++) {
                wal.save(null, List.of(entry(i, 3)));
            }
            assertTrue(wal.releaseBefore(30) > 0);
        }

        try (WriteAheadLog wal = WriteAheadLog.open(dir, 30, 3, TINY)) {
            assertEquals(new HardState(3, "node2", 0), wal.hardState());
        }
    }

    @Test
    void aReleaseFirstCopiesTheHardStateIntoACurrentSegmentThatLacksIt() throws IOException {
        // given a first segment with entries 1..5 and the hard state, and a current segment with
        // entries 6..10 but no hard state (as segments written by format version 1 can be)
        try (WriteAheadLog wal = WriteAheadLog.open(dir)) {
            append(wal, 1, 5, 2);
        }
        Path other = dir.resolve("other");
        try (WriteAheadLog wal = WriteAheadLog.open(other, 5, 2)) {
            for (long i = 6; i <= 10; i++) {
                wal.save(null, List.of(entry(i, 2)));
            }
        }
        Files.move(other.resolve("0000000000000001.wal"), dir.resolve("0000000000000002.wal"));

        // when the first segment is released
        try (WriteAheadLog wal = WriteAheadLog.open(dir)) {
            assertEquals(1, wal.releaseBefore(5));
        }

        // then the hard state is still there
        try (WriteAheadLog wal = WriteAheadLog.open(dir, 5, 2)) {
            assertEquals(new HardState(2, "node0", 4), wal.hardState());
            assertEquals(range(6, 10, 2), indexes(wal.entries()));
        }
    }

    @Test
    void aRewriteAcrossTheReleasedSegmentsReplaysAfterTheSnapshot() throws IOException {
        // given entries 1..10, then 11..15, then a new leader's 8..14 replacing 8..15
        try (WriteAheadLog wal = WriteAheadLog.open(dir, 0, 0, TINY)) {
            append(wal, 1, 15, 1);
            List<Entry> rewrite = new ArrayList<>();
            for (long i = 8; i <= 14; i++) {
                rewrite.add(entry(i, 2));
            }
            wal.save(new HardState(2, "node1", 12), rewrite);

            // when a snapshot at 12 releases the segments before
            assertTrue(wal.releaseBefore(12) > 0);
        }

        // then the replay starts from the snapshot and keeps the new leader's entries
        try (WriteAheadLog wal = WriteAheadLog.open(dir, 12, 2, TINY)) {
            assertEquals(range(13, 14, 2), indexes(wal.entries()));
        }
    }

    @Test
    void resetToReplacesTheLogWithOneThatContinuesTheSnapshot() throws IOException {
        // given a log far behind its leader
        try (WriteAheadLog wal = WriteAheadLog.open(dir, 0, 0, TINY)) {
            append(wal, 1, 20, 1);

            // when a snapshot at 100 is installed and entries follow it
            wal.resetTo(100, 3);
            assertEquals(100, wal.lastIndex());
            wal.save(new HardState(3, "node1", 100), List.of(entry(101, 3), entry(102, 3)));

            // then only the new segment is left
            assertEquals(1, segments().size());
        }

        // and a reopen after the snapshot gives what followed it
        try (WriteAheadLog wal = WriteAheadLog.open(dir, 100, 3, TINY)) {
            assertEquals(range(101, 102, 3), indexes(wal.entries()));
            assertEquals(new HardState(3, "node1", 100), wal.hardState());
            wal.save(null, List.of(entry(103, 3)));
        }
        try (WriteAheadLog wal = WriteAheadLog.open(dir, 100, 3, TINY)) {
            assertEquals(range(101, 103, 3), indexes(wal.entries()));
        }
        // but without its snapshot the log misses entries
        assertThrows(CorruptLogException.class, () -> WriteAheadLog.open(dir));
    }

    @Test
    void aCrashBeforeResetToDeletedTheOldSegmentsStillReplaysAfterTheSnapshot() throws IOException {
        // given old segments, kept aside as a crash would have left them
        Map<Path, byte[]> old = new HashMap<>();
        try (WriteAheadLog wal = WriteAheadLog.open(dir, 0, 0, TINY)) {
            append(wal, 1, 20, 1);
            for (Path p : segments()) {
                old.put(p, Files.readAllBytes(p));
            }
            wal.resetTo(100, 3);
            wal.save(new HardState(3, "node1", 100), List.of(entry(101, 3)));
        }
        // when the old segments are back (their deletion never reached the disk)
        for (Map.Entry<Path, byte[]> e : old.entrySet()) {
            Files.write(e.getKey(), e.getValue());
        }

        // then the snapshot mark in the newer segment supersedes them, and they are deleted
        try (WriteAheadLog wal = WriteAheadLog.open(dir, 100, 3, TINY)) {
            assertEquals(List.of("101@3"), indexes(wal.entries()));
            assertEquals(new HardState(3, "node1", 100), wal.hardState());
            assertEquals(1, segments().size());
            wal.save(null, List.of(entry(102, 3)));
        }
        try (WriteAheadLog wal = WriteAheadLog.open(dir, 100, 3, TINY)) {
            assertEquals(range(101, 102, 3), indexes(wal.entries()));
        }
    }

    @Test
    void aCrashWhileResetToWroteItsSegmentIsRepairedFromTheSnapshotOnOpen() throws IOException {
        // given a reset whose new segment was cut inside its snapshot mark, old segments intact
        Map<Path, byte[]> old = new HashMap<>();
        try (WriteAheadLog wal = WriteAheadLog.open(dir, 0, 0, TINY)) {
            append(wal, 1, 20, 1);
            for (Path p : segments()) {
                old.put(p, Files.readAllBytes(p));
            }
            wal.resetTo(100, 3);
        }
        Path fresh = segments().get(0);
        byte[] bytes = Files.readAllBytes(fresh);
        Files.write(fresh, java.util.Arrays.copyOf(bytes, WriteAheadLog.HEADER + 10));
        for (Map.Entry<Path, byte[]> e : old.entrySet()) {
            Files.write(e.getKey(), e.getValue());
        }

        // when opened after the snapshot, then the log continues it
        try (WriteAheadLog wal = WriteAheadLog.open(dir, 100, 3, TINY)) {
            assertEquals(List.of(), wal.entries());
            assertEquals(100, wal.lastIndex());
            assertEquals(new HardState(1, "node0", 19), wal.hardState());
            wal.save(null, List.of(entry(101, 3)));
        }
        try (WriteAheadLog wal = WriteAheadLog.open(dir, 100, 3, TINY)) {
            assertEquals(List.of("101@3"), indexes(wal.entries()));
        }
    }

    @Test
    void aCrashBeforeResetToRanIsRepairedFromTheSnapshotOnOpen() throws IOException {
        // given a log that ends before a snapshot saved from the leader (resetTo never ran)
        try (WriteAheadLog wal = WriteAheadLog.open(dir, 0, 0, TINY)) {
            append(wal, 1, 20, 1);
        }

        // when opened after that snapshot
        try (WriteAheadLog wal = WriteAheadLog.open(dir, 100, 3, TINY)) {
            // then it is empty and continues the snapshot, keeping the hard state
            assertEquals(List.of(), wal.entries());
            assertEquals(100, wal.lastIndex());
            assertEquals(new HardState(1, "node0", 19), wal.hardState());
            wal.save(null, List.of(entry(101, 3)));
        }
        assertEquals(1, segments().size());
        try (WriteAheadLog wal = WriteAheadLog.open(dir, 100, 3, TINY)) {
            assertEquals(List.of("101@3"), indexes(wal.entries()));
        }
    }

    @Test
    void aLogThatDisagreesWithTheSnapshotAtItsIndexIsReplaced() throws IOException {
        // given entries 1..10 of term 1 and a leader's snapshot at 8 of term 2
        try (WriteAheadLog wal = WriteAheadLog.open(dir)) {
            append(wal, 1, 10, 1);
        }

        // when opened after it, then the conflicting entries 9 and 10 are gone
        try (WriteAheadLog wal = WriteAheadLog.open(dir, 8, 2)) {
            assertEquals(List.of(), wal.entries());
            assertEquals(8, wal.lastIndex());
        }
        try (WriteAheadLog wal = WriteAheadLog.open(dir, 8, 2)) {
            assertEquals(List.of(), wal.entries());
        }
    }

    @Test
    void saveRefusesABatchThatReplayWouldRefuse() throws IOException {
        try (WriteAheadLog wal = WriteAheadLog.open(dir)) {
            append(wal, 1, 5, 1);
            wal.resetTo(10, 1);

            assertThrows(IllegalArgumentException.class, () -> wal.save(null, List.of(entry(12, 1))));
            assertThrows(IllegalArgumentException.class, () -> wal.save(null, List.of(entry(10, 1))));
            assertThrows(IllegalArgumentException.class,
                    () -> wal.save(null, List.of(entry(11, 1), entry(13, 1))));
            wal.save(null, List.of(entry(11, 1)));
        }
    }

    @Test
    void diskUseStaysBoundedUnderAppendsWithPeriodicSnapshotsAndReleases() throws IOException {
        // given tiny segments, a snapshot every 50 entries, and two snapshots kept
        Path logDir = dir.resolve("log");
        SnapshotDirectory snaps = SnapshotDirectory.open(dir.resolve("snapshot"), 2);
        byte[] state = new byte[2048];
        long bound = 2 * (state.length + 200) + 50 * 80 + 2 * 1024;
        long written = 0;
        long peak = 0;
        try (WriteAheadLog wal = WriteAheadLog.open(logDir, 0, 0, 1024)) {
            // when 2000 entries go through, five to a batch
            for (long i = 5; i <= 2000; i += 5) {
                List<Entry> batch = new ArrayList<>();
                for (long j = i - 4; j <= i; j++) {
                    batch.add(entry(j, 1));
                    written += RecordCodec.entrySize(batch.get(batch.size() - 1));
                }
                wal.save(new HardState(1, "node0", i - 5), batch);
                if (i % 50 == 0) {
                    snaps.save(new SnapshotRecord(i, 1, List.of("node0"), new byte[0], state));
                    wal.releaseBefore(i);
                }
                peak = Math.max(peak, size(dir));
            }
        }

        // then the files never grew past what two snapshots and one interval of entries need
        assertTrue(written > 5 * bound, "written " + written);
        assertTrue(peak < bound, "peak " + peak + " bound " + bound);
        // and the log still replays exactly after the newest snapshot
        SnapshotDirectory.Loaded loaded = snaps.loadNewest();
        assertEquals(2000, loaded.index());
        try (WriteAheadLog wal = WriteAheadLog.open(logDir, loaded.index(), loaded.term(), 1024)) {
            assertEquals(List.of(), wal.entries());
            assertEquals(2000, wal.lastIndex());
        }
    }

    private static long size(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            long total = 0;
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                total += Files.size(p);
            }
            return total;
        }
    }
}
