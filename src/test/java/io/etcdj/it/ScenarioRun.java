package io.etcdj.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replays the steps of one conformance scenario against a running server and compares every
 * answer with the step's {@code expect}. Request steps use a fresh connection each; {@code async}
 * steps run on a thread of their own until their {@code await}; {@code sleep} steps and the settle
 * time after an {@code async} step are pauses the scenario itself prescribes.
 */
final class ScenarioRun {
    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);
    private static final Pattern ABSOLUTE = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*://([^/?#]*)([^#]*)");

    /** Where the scenario runs: the host and the server's client and peer ports. */
    record Target(String host, int clientPort, int peerPort) {
    }

    /** A step whose answer did not match, with everything needed to see why. */
    record StepFailure(int number, String title, List<String> diffs, JsonNode expected, JsonNode actual) {
        String render() {
            StringBuilder out = new StringBuilder("  step ").append(number).append(": ").append(title).append('\n');
            diffs.forEach(d -> out.append("      ").append(d).append('\n'));
            out.append("      expected: ").append(expected == null ? "-" : expected).append('\n');
            out.append("      actual:   ").append(actual == null ? "-" : actual).append('\n');
            return out.toString();
        }
    }

    private final Target target;
    private final Duration defaultSettle;
    private final AnswerComparator.Options options;

    ScenarioRun(Target target, Duration defaultSettle, AnswerComparator.Options options) {
        this.target = target;
        this.defaultSettle = defaultSettle;
        this.options = options;
    }

    /** Runs all steps; returns the failing ones (empty when the scenario passes). */
    List<StepFailure> run(JsonNode scenario) throws InterruptedException {
        List<StepFailure> failures = new ArrayList<>();
        Map<String, Background> background = new HashMap<>();
        int number = 0;
        try {
            for (JsonNode step : scenario.get("steps")) {
                number++;
                if (step.has("sleep")) {
                    pause(Duration.ofMillis(Math.round(step.get("sleep").asDouble() * 1000)));
                } else if (step.has("await")) {
                    String id = step.get("await").asText();
                    Background bg = background.remove(id);
                    if (bg == null) {
                        failures.add(new StepFailure(number, "await " + id, List.of("nothing was started as " + id),
                                step.get("expect"), null));
                        return failures;
                    }
                    double seconds = step.path("timeout").asDouble(10.0);
                    check(failures, number, "await " + id, step, bg.await(Duration.ofMillis(Math.round(seconds * 1000))));
                } else if (step.has("async")) {
                    background.put(step.get("async").asText(), new Background(ScenarioRequest.of(step)));
                    double settle = step.has("settle") ? step.get("settle").asDouble() : defaultSettle.toMillis() / 1000.0;
                    pause(Duration.ofMillis(Math.round(settle * 1000)));
                } else {
                    ScenarioRequest request = ScenarioRequest.of(step);
                    try {
                        check(failures, number, request.describe(), step, sendRepeatedly(request, step.path("repeat").asInt(1)));
                    } catch (IOException e) {
                        failures.add(new StepFailure(number, request.describe(), List.of("request failed: " + e),
                                step.get("expect"), null));
                        return failures;
                    }
                }
            }
            return failures;
        } finally {
            background.values().forEach(Background::abort);
        }
    }

    private void check(List<StepFailure> failures, int number, String title, JsonNode step, JsonNode observed) {
        JsonNode expected = step.get("expect");
        List<String> diffs = AnswerComparator.compare(expected, observed, options.forStep(step));
        if (!diffs.isEmpty()) {
            failures.add(new StepFailure(number, title, diffs, expected, observed));
        }
    }

    private JsonNode sendRepeatedly(ScenarioRequest request, int times) throws IOException {
        Set<String> statuses = new TreeSet<>();
        ObjectNode observed = null;
        for (int i = 0; i < Math.max(1, times); i++) {
            try {
                observed = Observation.of(send(request, connection -> { }), target.clientPort(), target.peerPort());
            } catch (SocketTimeoutException e) {
                observed = Observation.timeout();
            }
            statuses.add(observed.path("status").asText("none"));
        }
        if (statuses.size() > 1) {
            ArrayNode list = JsonNodeFactory.instance.arrayNode();
            statuses.forEach(list::add);
            observed.set("repeat_statuses", list);
        }
        return observed;
    }

    /** Sends the request on a new connection, following redirects when the step asks for it. */
    private HttpAnswer send(ScenarioRequest request, Consumer<HttpConnection> onConnect) throws IOException {
        String host = target.host();
        int port = target.clientPort();
        String method = request.method();
        String path = request.target();
        byte[] body = request.body();
        List<Map.Entry<String, String>> headers = request.headers();
        HttpAnswer answer = exchange(host, port, method, path, headers, body, request.timeout(), onConnect);
        for (int hops = 0; request.followRedirects() && REDIRECTS.contains(answer.status()) && hops < 10; hops++) {
            String location = answer.header("Location").orElse("");
            Matcher absolute = ABSOLUTE.matcher(location);
            if (absolute.find()) {
                String authority = absolute.group(1);
                int colon = authority.lastIndexOf(':');
                host = colon >= 0 ? authority.substring(0, colon) : authority;
                port = colon >= 0 ? Integer.parseInt(authority.substring(colon + 1)) : 80;
                path = absolute.group(2).isEmpty() || absolute.group(2).startsWith("?") ? "/" + absolute.group(2) : absolute.group(2);
            } else {
                String withoutFragment = location.contains("#") ? location.substring(0, location.indexOf('#')) : location;
                path = withoutFragment.startsWith("/") ? withoutFragment
                        : path.substring(0, path.lastIndexOf('/') + 1) + withoutFragment;
            }
            int status = answer.status();
            if (status == 303 || ((status == 301 || status == 302) && !method.equals("HEAD"))) {
                method = "GET";
                body = null;
                headers = headers.stream().filter(h -> !h.getKey().equalsIgnoreCase("Content-Type")).toList();
            }
            answer = exchange(host, port, method, path, headers, body, request.timeout(), connection -> { });
        }
        return answer;
    }

    private static HttpAnswer exchange(String host, int port, String method, String path,
                                       List<Map.Entry<String, String>> headers, byte[] body, Duration timeout,
                                       Consumer<HttpConnection> onConnect) throws IOException {
        try (HttpConnection connection = HttpConnection.open(host, port, timeout)) {
            onConnect.accept(connection);
            return connection.exchange(method, path, headers, body);
        }
    }

    private static void pause(Duration duration) throws InterruptedException {
        // A timed step of the scenario (TTL expiry, settle time), not a wait for a condition.
        Thread.sleep(duration.toMillis());
    }

    /** A request sent in the background; {@link #await} collects its observation or gives up on it. */
    private final class Background {
        private final CompletableFuture<JsonNode> result = new CompletableFuture<>();
        private HttpConnection connection;
        private boolean aborted;

        Background(ScenarioRequest request) {
            Thread thread = new Thread(() -> run(request), "scenario-async");
            thread.setDaemon(true);
            thread.start();
        }

        private void run(ScenarioRequest request) {
            try {
                result.complete(Observation.of(send(request, this::connected), target.clientPort(), target.peerPort()));
            } catch (SocketTimeoutException e) {
                result.complete(Observation.timeout());
            } catch (IOException e) {
                result.complete(Observation.error(e));
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        }

        private synchronized void connected(HttpConnection c) {
            connection = c;
            if (aborted) {
                closeQuietly(c);
            }
        }

        JsonNode await(Duration timeout) throws InterruptedException {
            try {
                return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                abort();
                return Observation.timeout();
            } catch (ExecutionException e) {
                throw new IllegalStateException("background request failed", e.getCause());
            }
        }

        /** Closes the connection, so the server sees its client go away. */
        synchronized void abort() {
            aborted = true;
            if (connection != null) {
                closeQuietly(connection);
            }
        }

        private static void closeQuietly(HttpConnection c) {
            try {
                c.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }
}
