package io.etcdj.wal;

import io.etcdj.fs.PowerCutFileSystem;
import io.etcdj.raft.Entry;
import io.etcdj.raft.EntryType;
import io.etcdj.raft.HardState;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The log and the snapshot files under power cuts ({@link PowerCutFileSystem}): random saves,
 * overwrites, snapshots, releases and resets, with the power cut between operations or inside
 * one, then a reopen from what survived. After every cut: the reopen succeeds; every entry and
 * hard state whose save returned with an fsync is there (unless the operation cut short replaced
 * it); nothing appears that was never written; no snapshot is lost once its save returned.
 * {@code -Dwal.power.seeds=N} runs more seeds, {@code -Dwal.power.seed=S} one.
 */
class PowerLossWalTest {
    private static final int SEEDS = Integer.getInteger("wal.power.seeds", 400);
    private static final Long ONLY_SEED = Long.getLong("wal.power.seed");
    private static final Path LOG = Path.of("/node/log");
    private static final Path SNAP = Path.of("/node/snap");
    private static final long SEGMENT = 1024;

    @Test
    void aResetCutAnywhereLeavesALogThatOpens() throws IOException {
        // The old segment ends in records never fsynced; a cut before the reset's deletions are
        // durable leaves it beside the new segment, where a torn tail would count as damage.
        long cuts = 0;
        for (int at = 0; at < 8; at++) {
            for (int seed = 0; seed < 40; seed++) {
                PowerCutFileSystem fs = new PowerCutFileSystem(new java.util.Random(seed * 31L + at));
                HardState hs = new HardState(1, "", 0);
                try (WriteAheadLog wal = WriteAheadLog.open(fs, LOG, 0, 0, WriteAheadLog.SEGMENT_BYTES)) {
                    wal.save(hs, entriesBetween(1, 20), true);
                    wal.save(hs, entriesBetween(21, 25), false);
                    fs.armCut(at);
                    try {
                        wal.resetTo(30, 1);
                        fs.powerCut();
                    } catch (PowerCutFileSystem.PowerCut cut) {
                        // the power went inside the reset
                    }
                    cuts++;
                }
                fs.disarm();
                try (WriteAheadLog wal = WriteAheadLog.open(fs, LOG, 30, 1, WriteAheadLog.SEGMENT_BYTES)) {
                    assertEquals(30, wal.lastIndex(), "cut at operation " + at + ", seed " + seed);
                }
            }
        }
        assertTrue(cuts > 0);
    }

    private static List<Entry> entriesBetween(long from, long to) {
        List<Entry> out = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            out.add(new Entry(i, 1, EntryType.NORMAL, ("entry " + i).getBytes(StandardCharsets.UTF_8)));
        }
        return out;
    }

    @Test
    void whatWasSyncedSurvivesEveryPowerCutAndNothingElseAppears() throws IOException {
        long cuts = 0;
        long reopened = 0;
        Map<PowerCutFileSystem.Outcome, Long> outcomes = new TreeMap<>();
        long first = ONLY_SEED == null ? 0 : ONLY_SEED;
        long last = ONLY_SEED == null ? SEEDS : ONLY_SEED + 1;
        for (long seed = first; seed < last; seed++) {
            Run run = new Run(seed);
            try {
                run.run(300);
            } catch (AssertionError | IOException | RuntimeException e) {
                throw new AssertionError("seed " + seed + " (reproduce with -Dwal.power.seed=" + seed + "): " + e, e);
            }
            cuts += run.fs.cuts();
            reopened += run.reopens;
            run.fs.outcomes().forEach((k, v) -> outcomes.merge(k, v, Long::sum));
        }
        System.out.printf("wal power loss: %d seeds, %d power cuts, %d reopens, unsynced files left %s%n",
                last - first, cuts, reopened, outcomes);
        assertTrue(cuts > (last - first), "too few power cuts to test anything: " + cuts);
    }

    /** One seed: a log, its snapshots, and what must be on disk. */
    private static final class Run {
        final Random random;
        final PowerCutFileSystem fs;
        WriteAheadLog wal;
        SnapshotDirectory snaps;
        long reopens;
        long term = 1;
        long commit;
        /** What an fsync made durable: the log after the snapshot, and the hard state. */
        TreeMap<Long, Entry> synced = new TreeMap<>();
        HardState syncedState = HardState.EMPTY;
        /** Hard states written since the last synced one (which may survive a cut). */
        List<HardState> writtenStates = new ArrayList<>();
        /** Every entry ever written, by index: nothing else may appear. */
        final Map<Long, Set<Entry>> written = new HashMap<>();
        /** The newest snapshot whose save returned, and every one ever written. */
        long snapshotIndex;
        final Set<Long> snapshotsWritten = new HashSet<>();
        /** The batch of a save cut short, or null; and whether a reset to a snapshot was. */
        List<Entry> pending;
        boolean resetPending;

        Run(long seed) throws IOException {
            random = new Random(seed * 0x9E3779B97F4A7C15L);
            fs = new PowerCutFileSystem(new Random(random.nextLong()));
            open();
        }

        void open() throws IOException {
            snaps = SnapshotDirectory.open(fs, SNAP, 2);
            SnapshotDirectory.Loaded loaded = snaps.loadNewest();
            assertTrue(loaded.skipped().isEmpty(), "a damaged snapshot under a final name: " + loaded.skipped());
            wal = WriteAheadLog.open(fs, LOG, loaded.index(), loaded.term(), SEGMENT);
            reopens++;
            check(loaded);
        }

        void run(int steps) throws IOException {
            for (int step = 0; step < steps; step++) {
                double r = random.nextDouble();
                if (r < 0.05) {
                    fs.powerCut();
                    reopen();
                    continue;
                }
                if (r < 0.2) {
                    fs.armCut(random.nextInt(6));
                }
                try {
                    operate();
                } catch (PowerCutFileSystem.PowerCut cut) {
                    reopen();
                }
                fs.disarm();
            }
            fs.powerCut();
            reopen();
            // Without a cut, the log is exactly what was written.
            wal.close();
            open();
            assertEquals(List.copyOf(synced.values()), wal.entries());
        }

        private void reopen() throws IOException {
            wal.close();
            open();
        }

        private void operate() throws IOException {
            double r = random.nextDouble();
            if (r < 0.7) {
                save();
            } else if (r < 0.8) {
                commitOnly();
            } else if (r < 0.93) {
                snapshot();
            } else {
                install();
            }
        }

        private long lastIndex() {
            return synced.isEmpty() ? snapshotIndex : synced.lastKey();
        }

        private void save() throws IOException {
            long lastIndex = lastIndex();
            long from = lastIndex + 1;
            if (random.nextInt(5) == 0 && lastIndex > Math.max(snapshotIndex, commit)) {
                // a follower replacing a suffix it has not seen committed
                from = Math.max(snapshotIndex, commit) + 1 + random.nextInt((int) (lastIndex - Math.max(snapshotIndex, commit)));
                term++;
            }
            List<Entry> batch = new ArrayList<>();
            for (int i = random.nextInt(4); i >= 0; i--) {
                byte[] data = new byte[random.nextInt(4) == 0 ? 600 : random.nextInt(40)];
                random.nextBytes(data);
                batch.add(new Entry(from + batch.size(), term, EntryType.NORMAL, data));
            }
            HardState hs = random.nextBoolean() ? null : nextState(from + batch.size() - 1);
            for (Entry e : batch) {
                written.computeIfAbsent(e.index(), k -> new HashSet<>()).add(e);
            }
            if (hs != null) {
                writtenStates.add(hs);
            }
            pending = batch;
            wal.save(hs, batch);
            pending = null;
            synced.tailMap(from, true).clear();
            batch.forEach(e -> synced.put(e.index(), e));
            if (hs != null) {
                syncedState = hs;
                writtenStates.clear();
            }
        }

        private HardState nextState(long lastIndex) {
            commit = Math.max(commit, Math.min(lastIndex, commit + random.nextInt(3)));
            String vote = random.nextBoolean() ? "" : "m" + random.nextInt(3);
            return new HardState(term, vote, commit);
        }

        private void commitOnly() throws IOException {
            if (commit >= lastIndex()) {
                return;
            }
            commit++;
            HardState hs = new HardState(syncedState.term() == 0 ? term : syncedState.term(), syncedState.vote(), commit);
            writtenStates.add(hs);
            wal.save(hs, List.of(), false); // never acknowledged on its own
        }

        private void snapshot() throws IOException {
            long upTo = Math.min(commit, lastIndex());
            if (upTo <= snapshotIndex) {
                return;
            }
            long index = snapshotIndex + 1 + random.nextInt((int) (upTo - snapshotIndex));
            long termAt = synced.get(index).term();
            saveSnapshot(index, termAt);
            wal.releaseBefore(index);
            synced.headMap(index, true).clear();
        }

        private void install() throws IOException {
            long index = lastIndex() + 1 + random.nextInt(5);
            term++;
            resetPending = true;
            saveSnapshot(index, term);
            wal.resetTo(index, term);
            resetPending = false;
            synced.clear();
            commit = Math.max(commit, index);
        }

        private void saveSnapshot(long index, long termAt) throws IOException {
            snapshotsWritten.add(index);
            snaps.save(new SnapshotRecord(index, termAt, List.of("m0"), new byte[0],
                    ("state at " + index).getBytes(StandardCharsets.UTF_8)));
            snapshotIndex = index;
        }

        /** What must hold after a reopen from what survived a cut; then that is the new baseline. */
        private void check(SnapshotDirectory.Loaded loaded) {
            long index = loaded.index();
            assertTrue(index >= snapshotIndex, "snapshot " + snapshotIndex + " was saved but the newest is " + index);
            assertTrue(index == 0 || snapshotsWritten.contains(index), "snapshot " + index + " was never written");
            HardState hs = wal.hardState();
            assertTrue(hs.equals(syncedState) || writtenStates.contains(hs),
                    "hard state " + hs + ": synced " + syncedState + ", written since " + writtenStates);
            List<Entry> entries = wal.entries();
            for (Entry e : entries) {
                assertTrue(written.getOrDefault(e.index(), Set.of()).contains(e), "never written: " + e);
            }
            boolean replacedBySnapshot = resetPending && entries.isEmpty();
            if (!replacedBySnapshot) {
                long lastRecovered = entries.isEmpty() ? index : entries.get(entries.size() - 1).index();
                long pendingFrom = pending == null || pending.isEmpty() ? Long.MAX_VALUE : pending.get(0).index();
                for (Entry e : synced.tailMap(index, false).values()) {
                    if (e.index() >= pendingFrom) {
                        break; // the save cut short may have replaced it, or torn it
                    }
                    assertTrue(e.index() <= lastRecovered && entries.get((int) (e.index() - index - 1)).equals(e),
                            "synced " + e + " lost; recovered " + entries.size() + " entries after " + index);
                }
            }
            // What survived is durable now: it is the new baseline.
            synced = new TreeMap<>();
            entries.forEach(e -> synced.put(e.index(), e));
            syncedState = hs;
            writtenStates = new ArrayList<>();
            snapshotIndex = index;
            term = Math.max(term, Math.max(hs.term(), entries.isEmpty() ? 0 : entries.get(entries.size() - 1).term()));
            commit = Math.min(Math.max(hs.commit(), index), lastIndex());
            commit = Math.max(commit, index);
            pending = null;
            resetPending = false;
        }
    }
}
