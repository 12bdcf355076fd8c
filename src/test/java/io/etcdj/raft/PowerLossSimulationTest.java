package io.etcdj.raft;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seeded simulations of whole clusters whose members persist through the real log and snapshot
 * files over a power-cut file system, and whose crashes are power cuts (see {@link Simulation}
 * and {@link FileDisk}). Every check of {@link SimulationTest} holds, and besides: no
 * acknowledged write is lost, and no member restarts into a state it never persisted.
 * Properties: {@code -Draft.power.seeds=N} runs N seeds per cluster size,
 * {@code -Draft.power.seed=S} only seed S, {@code -Draft.sim.steps=K} sets the ticks per run,
 * {@code -Draft.sim.trace=true} prints the last events of a failing run.
 */
class PowerLossSimulationTest {
    private static final int SEEDS = Integer.getInteger("raft.power.seeds", 400);
    private static final int STEPS = Integer.getInteger("raft.sim.steps", 300);
    private static final Long ONLY_SEED = Long.getLong("raft.power.seed");
    private static final boolean TRACE = Boolean.getBoolean("raft.sim.trace");

    @Test
    void threeMembersSurvivePowerCuts() {
        runSeeds(3, 0);
    }

    @Test
    void fiveMembersSurvivePowerCuts() {
        runSeeds(5, 1_000_000);
    }

    private void runSeeds(int size, long firstSeed) {
        Map<String, Long> totals = new TreeMap<>();
        long start = System.nanoTime();
        int runs = 0;
        long first = ONLY_SEED != null ? ONLY_SEED : firstSeed;
        long last = ONLY_SEED != null ? ONLY_SEED + 1 : firstSeed + SEEDS;
        for (long s = first; s < last; s++) {
            runOne(size, s, totals);
            runs++;
        }
        System.out.printf("power loss simulation: %d members, %d seeds x %d ticks in %d ms, %d power cuts: %s%n",
                size, runs, STEPS, (System.nanoTime() - start) / 1_000_000, totals.getOrDefault("power cuts", 0L),
                totals);
        assertTrue(totals.getOrDefault("commands committed", 0L) > 0, "the simulation committed nothing");
        assertTrue(totals.getOrDefault("power cuts", 0L) > runs, "too few power cuts to test anything");
    }

    private void runOne(int size, long seed, Map<String, Long> totals) {
        Simulation sim = new Simulation(seed, size, TRACE, null, true);
        try {
            sim.run(STEPS);
            sim.stats.forEach((k, v) -> totals.merge(k, v, Long::sum));
            totals.merge("commands committed", sim.committedCommands(), Long::sum);
        } catch (AssertionError | RuntimeException e) {
            String msg = "power loss simulation of " + size + " members failed with seed " + seed
                    + " (reproduce with -Draft.power.seed=" + seed + "): " + e;
            if (TRACE) {
                System.err.println(sim.trace());
            }
            throw new AssertionError(msg, e);
        }
    }
}
