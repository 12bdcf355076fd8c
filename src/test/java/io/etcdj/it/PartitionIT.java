package io.etcdj.it;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.Arrays;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Jepsen-style runs against machines in network namespaces of their own ({@link PartitionRun}):
 * partitions, a bridge, one-way cuts, kills and pauses, while clients read, write and swap. Every
 * key's history must be linearizable and every acknowledged write must survive on every member.
 *
 * <p>{@code scripts/jepsen} runs the same with chosen machines, seeds and duration (system properties
 * {@code jepsen.machines}, {@code jepsen.seeds}, {@code jepsen.seconds}); see docs/testing.md.
 */
class PartitionIT {

    /** The CI's runs, unless {@code jepsen.seeds} asks for others. */
    static Stream<Arguments> runs() {
        String seeds = System.getProperty("jepsen.seeds", "");
        if (seeds.isBlank()) {
            return Stream.of(Arguments.of(3, 1L, 30), Arguments.of(3, 2L, 30), Arguments.of(5, 3L, 35));
        }
        int machines = Integer.getInteger("jepsen.machines", 5);
        int seconds = Integer.getInteger("jepsen.seconds", 60);
        return Arrays.stream(seeds.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .map(s -> Arguments.of(machines, Long.parseLong(s), seconds));
    }

    @ParameterizedTest(name = "{0} machines, seed {1}, {2} s")
    @MethodSource("runs")
    void underPartitionsKillsAndPausesEveryKeyStaysLinearizable(int machines, long seed, int seconds) throws Exception {
        PartitionRun.Report report = PartitionRun.run(new PartitionRun.Settings(
                machines, seed, Duration.ofSeconds(seconds), machines + 2, 3));
        assertEquals(java.util.List.of(), report.anomalies(), report.summary());
        assertTrue(report.operations() > 100, "too few operations to say much: " + report.summary());
    }
}
