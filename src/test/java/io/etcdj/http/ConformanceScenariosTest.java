package io.etcdj.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.etcdj.server.Command;
import io.etcdj.store.EtcdException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Replays the recorded reference scenarios in process: each request on a fresh embedded
 * connection to a single fake node with a real store, time moved by hand and expired keys swept
 * as the leader's periodic sync would. Replays {@code fixtures/conformance/expected-public.json},
 * or the file {@code -Detcdj.conformance} names; the fields later v2 versions add are allowed; the
 * module scenarios ({@code mod-*}) are not served by this listener.
 */
class ConformanceScenariosTest {
    private static final String PROPERTY = "etcdj.conformance";
    private static final String REGISTRATION =
            "etcd=http%3A%2F%2F127.0.0.1%3A{cport}&raft=http%3A%2F%2F127.0.0.1%3A{pport}";

    @TestFactory
    Stream<DynamicTest> recordedScenarios() throws Exception {
        String file = System.getProperty(PROPERTY, "fixtures/conformance/expected-public.json");
        Assumptions.assumeTrue(file != null && Files.exists(Path.of(file)),
                "set -D" + PROPERTY + " to the recorded scenarios to replay them");
        JsonNode doc = ScenarioComparison.readTree(Path.of(file));
        String only = System.getProperty(PROPERTY + ".only", "");
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode scenario : doc.path("scenarios")) {
            String name = scenario.path("name").asText();
            if (name.startsWith("mod-") || (!only.isEmpty() && !List.of(only.split(",")).contains(name))) {
                continue;
            }
            tests.add(DynamicTest.dynamicTest(name, () -> new Run().play(scenario)));
        }
        return tests.stream();
    }

    /** One scenario against one fresh node. */
    private static final class Run {
        private final MutableClock clock = new MutableClock(Instant.now());
        private final FakeEtcdServer server = new FakeEtcdServer(clock);
        private final HttpOptions options = HttpOptions.defaults().withClock(clock);
        private final Map<String, EmbeddedClient> background = new HashMap<>();

        Run() {
            server.clientUrls = List.of("http://127.0.0.1:{cport}");
            server.leaderPeerUrl = "http://127.0.0.1:{pport}";
            server.leaderClientUrl = "http://127.0.0.1:{cport}";
            server.selfStats = "{\"name\":\"node0\",\"state\":\"leader\",\"startTime\":\"" + clock.instant()
                    + "\",\"leaderInfo\":{\"leader\":\"node0\",\"uptime\":\"1s\"},"
                    + "\"recvAppendRequestCnt\":0,\"sendAppendRequestCnt\":0}";
            // the reference looks itself up twice, then registers (index 1)
            for (int i = 0; i < 2; i++) {
                try {
                    server.store().get("/_etcd/machines/node0", false, false);
                } catch (EtcdException expected) {
                    // not registered yet
                }
            }
            server.propose(new Command.Create("/_etcd/machines/node0", false, REGISTRATION, false, null)).join();
        }

        void play(JsonNode scenario) {
            List<String> failures = new ArrayList<>();
            int index = 0;
            for (JsonNode step : scenario.path("steps")) {
                index++;
                List<String> diffs = step(step);
                for (String d : diffs) {
                    failures.add("step " + index + " (" + describe(step) + "): " + d);
                }
            }
            background.values().forEach(EmbeddedClient::close);
            assertEquals(List.of(), failures, String.join("\n", failures));
        }

        private List<String> step(JsonNode step) {
            if (step.has("sleep")) {
                clock.advance(Duration.ofMillis((long) (step.path("sleep").asDouble() * 1000)));
                server.propose(new Command.Sync(clock.instant())).join();
                return List.of();
            }
            if (step.has("await")) {
                EmbeddedClient client = background.remove(step.path("await").asText());
                EmbeddedClient.Response response = client.poll(false);
                client.close();
                JsonNode expect = step.path("expect");
                if (expect.path("timeout").asBoolean(false)) {
                    return response == null ? List.of() : List.of("expected no answer, got " + response);
                }
                if (response == null) {
                    return List.of("no answer");
                }
                return ScenarioComparison.compare(expect, response, step.path("ordered").asBoolean(false),
                        step.path("fields_only").asBoolean(false));
            }
            String method = step.path("method").asText("GET");
            if (step.has("async")) {
                EmbeddedClient client = new EmbeddedClient(server, options);
                client.writeRaw(request(method, target(step), step));
                client.channel.runPendingTasks();
                background.put(step.path("async").asText(), client);
                return List.of();
            }
            int repeat = step.path("repeat").asInt(1);
            EmbeddedClient.Response response = null;
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < repeat; i++) {
                response = exchange(method, target(step), step);
                statuses.add(response.status());
            }
            List<String> diffs = new ArrayList<>();
            if (statuses.stream().distinct().count() > 1) {
                diffs.add("repeated answers had different statuses " + statuses);
            }
            diffs.addAll(ScenarioComparison.compare(step.path("expect"), response,
                    step.path("ordered").asBoolean(false), step.path("fields_only").asBoolean(false)));
            return diffs;
        }

        private EmbeddedClient.Response exchange(String method, String target, JsonNode step) {
            EmbeddedClient.Response response;
            try (EmbeddedClient client = new EmbeddedClient(server, options)) {
                client.writeRaw(request(method, target, step));
                response = client.awaitResponse(method.equals("HEAD"));
            }
            int hops = 0;
            while (step.path("follow_redirects").asBoolean(false) && hops++ < 10
                    && List.of(301, 302, 303, 307, 308).contains(response.status())) {
                String location = response.header("Location");
                boolean toGet = response.status() == 303 || (response.status() != 307 && !method.equals("HEAD"));
                try (EmbeddedClient client = new EmbeddedClient(server, options)) {
                    client.writeRaw(toGet ? "GET " + location + " HTTP/1.1\r\nHost: x\r\n\r\n"
                            : request(method, location, step));
                    response = client.awaitResponse(method.equals("HEAD"));
                }
            }
            return response;
        }

        private static String target(JsonNode step) {
            StringBuilder target = new StringBuilder(quotePath(step.path("path").asText()));
            JsonNode query = step.path("query");
            String q = query.isObject() ? urlencode(query) : query.asText("");
            if (!q.isEmpty()) {
                target.append('?').append(q);
            }
            return target.toString();
        }

        /** The raw request, its bytes as ISO-8859-1 chars. */
        private static String request(String method, String target, JsonNode step) {
            StringBuilder head = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
            step.path("headers").fields().forEachRemaining(
                    h -> head.append(h.getKey()).append(": ").append(h.getValue().asText()).append("\r\n"));
            String body = null;
            if (step.has("form")) {
                JsonNode form = step.path("form");
                body = form.isObject() ? urlencode(form) : form.asText();
                if (!step.path("headers").has("Content-Type")) {
                    head.append("Content-Type: application/x-www-form-urlencoded\r\n");
                }
            } else if (step.has("body")) {
                body = step.path("body").asText();
            }
            byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            if (body != null || method.equals("POST") || method.equals("PUT")) {
                head.append("Content-Length: ").append(bytes.length).append("\r\n");
            }
            head.append("\r\n");
            return head + new String(bytes, StandardCharsets.ISO_8859_1);
        }

        private static String urlencode(JsonNode object) {
            StringBuilder out = new StringBuilder();
            for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                List<String> values = new ArrayList<>();
                if (e.getValue().isArray()) {
                    e.getValue().forEach(v -> values.add(v.asText()));
                } else {
                    values.add(e.getValue().asText());
                }
                for (String v : values) {
                    if (out.length() > 0) {
                        out.append('&');
                    }
                    out.append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)).append('=')
                            .append(URLEncoder.encode(v, StandardCharsets.UTF_8));
                }
            }
            return out.toString();
        }

        /** Only non-ASCII characters and spaces are escaped, as the recording client did. */
        private static String quotePath(String path) {
            StringBuilder out = new StringBuilder();
            for (byte b : path.getBytes(StandardCharsets.UTF_8)) {
                int c = b & 0xff;
                if (c >= 0x80 || c <= 0x20) {
                    out.append('%').append(String.format("%02X", c));
                } else {
                    out.append((char) c);
                }
            }
            return out.toString();
        }

        private static String describe(JsonNode step) {
            if (step.has("sleep")) {
                return "sleep " + step.path("sleep").asText();
            }
            if (step.has("await")) {
                return "await " + step.path("await").asText();
            }
            return step.path("method").asText("GET") + " " + step.path("path").asText()
                    + (step.has("query") ? " ?" + step.path("query") : "")
                    + (step.has("form") ? " form " + step.path("form") : "");
        }
    }
}
