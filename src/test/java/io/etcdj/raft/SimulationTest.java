package io.etcdj.raft;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seeded simulations of whole clusters (see {@link Simulation}). Properties:
 * {@code -Draft.sim.seeds=N} runs N seeds per cluster size, {@code -Draft.sim.seed=S} runs only
 * seed S (what a failure prints), {@code -Draft.sim.steps=K} sets the ticks per run,
 * {@code -Draft.sim.trace=true} prints the last events of a failing run.
 */
class SimulationTest {
    private static final int SEEDS = Integer.getInteger("raft.sim.seeds", 1000);
    private static final int STEPS = Integer.getInteger("raft.sim.steps", 300);
    private static final Long ONLY_SEED = Long.getLong("raft.sim.seed");
    private static final boolean TRACE = Boolean.getBoolean("raft.sim.trace");

    @Test
    void threeMembersStaySafeAndRecover() {
        runSeeds(3, 0);
    }

    @Test
    void fiveMembersStaySafeAndRecover() {
        runSeeds(5, 1_000_000);
    }

    private void runSeeds(int size, long firstSeed) {
        Map<String, Long> totals = new TreeMap<>();
        long start = System.nanoTime();
        int runs = 0;
        if (ONLY_SEED != null) {
            runOne(size, ONLY_SEED, totals);
            runs++;
        } else {
            for (long s = firstSeed; s < firstSeed + SEEDS; s++) {
                runOne(size, s, totals);
                runs++;
            }
        }
        System.out.printf("simulation: %d members, %d seeds x %d ticks in %d ms: %s%n", size, runs, STEPS,
                (System.nanoTime() - start) / 1_000_000, totals);
        assertTrue(totals.getOrDefault("commands committed", 0L) > 0, "the simulation committed nothing");
        assertTrue(totals.getOrDefault("leaders elected", 0L) > runs, "no leader changes: nothing tested");
    }

    private void runOne(int size, long seed, Map<String, Long> totals) {
        Simulation sim = new Simulation(seed, size, TRACE);
        try {
            sim.run(STEPS);
            sim.stats.forEach((k, v) -> totals.merge(k, v, Long::sum));
            totals.merge("commands committed", sim.committedCommands(), Long::sum);
            totals.merge("messages delivered", sim.messagesDelivered(), Long::sum);
        } catch (AssertionError | RuntimeException e) {
            String msg = "simulation of " + size + " members failed with seed " + seed
                    + " (reproduce with -Draft.sim.seed=" + seed + "): " + e;
            if (TRACE) {
                System.err.println(sim.trace());
            }
            throw new AssertionError(msg, e);
        }
    }
}
