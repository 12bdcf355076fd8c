package io.etcdj.raft;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The simulation of {@link SimulationTest} with a {@link Liar} on the network, after
 * etcd-io/raft's fuzzing of {@code Step}. No lie may make {@code step} throw, and every lie the
 * recipient can recognise must be dropped without changing its state. With an outsider the
 * whole of Raft's safety and the final liveness check still hold; with an insider, who forges
 * members' names plausibly (beyond what Raft defends against), each member must still keep its
 * own invariants: term, commit and applied index never go back, commit stays within the log.
 * Properties as in {@link SimulationTest}: {@code -Draft.liar.seeds=N}, {@code -Draft.sim.seed=S},
 * {@code -Draft.sim.trace=true}.
 */
class LiarSimulationTest {
    private static final int SEEDS = Integer.getInteger("raft.liar.seeds", 80);
    private static final int STEPS = Integer.getInteger("raft.sim.steps", 300);
    private static final Long ONLY_SEED = Long.getLong("raft.sim.seed");
    private static final boolean TRACE = Boolean.getBoolean("raft.sim.trace");

    @Test
    void threeMembersStaySafeAmongOutsiders() {
        runSeeds(3, Liar.Kind.OUTSIDER, 2_000_000);
    }

    @Test
    void fiveMembersStaySafeAmongOutsiders() {
        runSeeds(5, Liar.Kind.OUTSIDER, 3_000_000);
    }

    @Test
    void threeMembersKeepTheirInvariantsAmongInsiders() {
        runSeeds(3, Liar.Kind.INSIDER, 4_000_000);
    }

    @Test
    void fiveMembersKeepTheirInvariantsAmongInsiders() {
        runSeeds(5, Liar.Kind.INSIDER, 5_000_000);
    }

    private void runSeeds(int size, Liar.Kind liar, long firstSeed) {
        Map<String, Long> totals = new TreeMap<>();
        long start = System.nanoTime();
        int runs = 0;
        for (long s = firstSeed; s < firstSeed + SEEDS; s++) {
            if (ONLY_SEED == null || ONLY_SEED == s) {
                runOne(size, liar, s, totals);
                runs++;
            }
        }
        System.out.printf("liar simulation: %d members, %s, %d seeds x %d ticks in %d ms: %s%n", size, liar, runs,
                STEPS, (System.nanoTime() - start) / 1_000_000, totals);
        if (runs > 0) {
            assertTrue(totals.getOrDefault("lies dropped", 0L) > 0, "no lie was told: nothing tested");
            assertTrue(totals.getOrDefault("leaders elected", 0L) >= runs, "no leader elected: nothing tested");
        }
        if (runs > 0 && liar == Liar.Kind.INSIDER) {
            assertTrue(totals.getOrDefault("lies taken", 0L) > 0, "no plausible lie was taken: nothing tested");
        }
    }

    private void runOne(int size, Liar.Kind liar, long seed, Map<String, Long> totals) {
        Simulation sim = new Simulation(seed, size, TRACE, liar);
        try {
            sim.run(STEPS);
            sim.stats.forEach((k, v) -> totals.merge(k, v, Long::sum));
        } catch (AssertionError | RuntimeException e) {
            if (TRACE) {
                System.err.println(sim.trace());
            }
            throw new AssertionError("simulation of " + size + " members with an " + liar + " failed with seed " + seed
                    + " (reproduce with -Dtest=LiarSimulationTest -Draft.sim.seed=" + seed + "): " + e, e);
        }
    }
}
