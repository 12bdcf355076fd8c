package io.etcdj.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Replays every recorded scenario of the reference server (expected-public.json) against a fresh
 * etcdj node per scenario and compares each answer under the conformance rules.
 *
 * <p>System properties: {@code etcdj.conformance} (the directory of the recordings; default
 * {@code ../shared/conformance} beside the project, else {@code fixtures/conformance}),
 * {@code etcdj.conformance.only} (comma-separated scenario names), {@code etcdj.conformance.settle}
 * (seconds after an async step, default 0.5), {@code etcdj.conformance.extraFields} (default
 * {@code prevNode,startTime}: the fields the extensions of later v2 versions add, {@code prevNode}
 * of writes and {@code leaderInfo.startTime} of {@code /v2/stats/self}),
 * {@code etcdj.conformance.extraHeaders} (none by default).
 */
class ConformanceIT {

    @TestFactory
    Stream<DynamicTest> referenceScenarios() throws IOException {
        Path recordings = conformanceDir().resolve("expected-public.json");
        assumeTrue(Files.isRegularFile(recordings),
                "no conformance recordings at " + recordings + " (set -Detcdj.conformance=DIR)");
        JsonNode document = Observation.JSON.readTree(recordings.toFile());
        Set<String> only = commaSeparated(System.getProperty("etcdj.conformance.only", ""));
        AnswerComparator.Options options = new AnswerComparator.Options(
                commaSeparated(System.getProperty("etcdj.conformance.extraFields", "prevNode,startTime")),
                commaSeparated(System.getProperty("etcdj.conformance.extraHeaders", "")), false, false);
        Duration settle = Duration.ofMillis(Math.round(
                Double.parseDouble(System.getProperty("etcdj.conformance.settle", "0.5")) * 1000));
        List<JsonNode> scenarios = StreamSupport.stream(document.get("scenarios").spliterator(), false)
                .filter(s -> only.isEmpty() || only.contains(s.get("name").asText()))
                .toList();
        return scenarios.stream().map(s -> DynamicTest.dynamicTest(s.get("name").asText(), () -> replay(s, options, settle)));
    }

    private static void replay(JsonNode scenario, AnswerComparator.Options options, Duration settle) throws Exception {
        String name = scenario.get("name").asText();
        try (EtcdProcess node = EtcdProcess.start()) {
            ScenarioRun run = new ScenarioRun(new ScenarioRun.Target(EtcdProcess.HOST, node.clientPort(), node.peerPort()),
                    settle, options);
            List<ScenarioRun.StepFailure> failures = run.run(scenario);
            if (!failures.isEmpty()) {
                fail("FAIL " + name + "  (" + scenario.path("about").asText() + ")\n"
                        + failures.stream().map(ScenarioRun.StepFailure::render).collect(Collectors.joining())
                        + "----- server log (tail) -----\n" + node.logTail(3000));
            }
        }
    }

    /** System property etcdj.conformance, else ../shared/conformance beside the project root. */
    /**
     * The recordings: the property's directory, else the shared set beside the project when there
     * is one (it may hold newer scenarios), else the copy kept in {@code fixtures/conformance}.
     */
    static Path conformanceDir() {
        String property = System.getProperty("etcdj.conformance", "");
        if (!property.isBlank()) {
            return Path.of(property).toAbsolutePath();
        }
        Path shared = EtcdProcess.projectDir().resolve("../shared/conformance").normalize();
        return java.nio.file.Files.isRegularFile(shared.resolve("expected-public.json")) ? shared
                : EtcdProcess.projectDir().resolve("fixtures/conformance");
    }

    private static Set<String> commaSeparated(String text) {
        return Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toSet());
    }
}
