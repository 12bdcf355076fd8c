package io.etcdj.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Sends a request to the cluster the way etcd's v2 client does: to the endpoint that answered
 * last, else to the next one in turn when an endpoint cannot be reached, times out or says it has
 * no leader (5xx); a {@code 307} is followed to the leader with the same method and body.
 * {@link #sync} replaces the endpoints by the client URLs the cluster publishes.
 */
final class ClusterClient {
    private static final int MAX_REDIRECTS = 10;
    static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final Duration requestTimeout;
    /** Where {@code --debug} writes the curl line of every request; null when not debugging. */
    private final PrintStream debug;
    private List<URI> endpoints;
    private int pinned;

    ClusterClient(List<URI> endpoints, Duration requestTimeout, Duration connectTimeout, SSLContext tls,
                  PrintStream debug) {
        HttpClient.Builder builder = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(connectTimeout);
        if (tls != null) {
            builder.sslContext(tls);
        }
        this.http = builder.build();
        this.endpoints = List.copyOf(endpoints);
        this.requestTimeout = requestTimeout;
        this.debug = debug;
    }

    List<URI> endpoints() {
        return endpoints;
    }

    /**
     * Sends the request to one endpoint after another until one answers with anything but a 5xx.
     *
     * @param deadline {@link System#nanoTime} by which the command must be done, or
     *                 {@link Long#MAX_VALUE} for none
     */
    Reply send(Request request, long deadline) throws ClusterUnavailable {
        List<String> errors = new ArrayList<>();
        boolean connectionOnly = true;
        for (int i = 0; i < endpoints.size(); i++) {
            int k = (pinned + i) % endpoints.size();
            URI endpoint = endpoints.get(k);
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                errors.add("context deadline exceeded");
                break;
            }
            try {
                Reply reply = exchange(endpoint, request, left);
                if (reply.status() / 100 == 5) {
                    connectionOnly = false;
                    errors.add(reply.status() == 500 || reply.status() == 503
                            ? "client: etcd member " + endpoint + " has no leader"
                            : "client: etcd member " + endpoint + " returns server error [" + reply.status() + "]");
                    continue;
                }
                pinned = k;
                return reply;
            } catch (IOException e) {
                errors.add(describe(endpoint, e));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                errors.add("interrupted");
                break;
            }
        }
        throw new ClusterUnavailable(errors, connectionOnly);
    }

    /** One endpoint, following redirects. */
    private Reply exchange(URI endpoint, Request request, long nanosLeft) throws IOException, InterruptedException {
        URI target = URI.create(trimSlash(endpoint.toString()) + request.target());
        String body = request.formBody();
        for (int hop = 0; ; hop++) {
            if (debug != null) {
                debug.println("cURL Command: curl -X " + request.method() + " " + target
                        + (body.isEmpty() ? "" : " -d " + body));
                debug.flush();
            }
            HttpRequest.Builder builder = HttpRequest.newBuilder(target)
                    .method(request.method(), body.isEmpty() ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body));
            if (!body.isEmpty() || request.method().equals("DELETE")) {
                builder.header("Content-Type", "application/x-www-form-urlencoded");
            }
            if (!request.longPoll()) {
                builder.timeout(shorter(requestTimeout, Duration.ofNanos(nanosLeft)));
            }
            HttpResponse<String> response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
            String location = response.headers().firstValue("Location").orElse(null);
            if (response.statusCode() == 307 && location != null && hop < MAX_REDIRECTS) {
                target = target.resolve(location);
                continue;
            }
            long index = response.headers().firstValue("X-Etcd-Index").map(ClusterClient::parseLong).orElse(0L);
            return new Reply(endpoint, response.statusCode(), index, response.body());
        }
    }

    /**
     * Replaces the endpoints by the client URLs of the cluster's members: {@code /v2/members}
     * where the server has it, else {@code /v2/machines} (etcd v0.2). Keeps the endpoints when
     * neither answers with a list.
     */
    void sync(long deadline) throws ClusterUnavailable {
        Reply members = send(Request.get("/v2/members"), deadline);
        List<URI> found = new ArrayList<>();
        if (members.status() == 200) {
            for (Member m : Member.parseList(members.body())) {
                m.clientUrls().forEach(u -> found.add(URI.create(u)));
            }
        } else if (members.status() == 404) {
            Reply machines = send(Request.get("/v2/machines"), deadline);
            if (machines.status() == 200) {
                for (String url : machines.body().split(",")) {
                    if (!url.isBlank()) {
                        found.add(URI.create(url.trim()));
                    }
                }
            }
        }
        if (!found.isEmpty()) {
            endpoints = List.copyOf(found);
            pinned = 0;
        }
    }

    /** Sends a request to one given URL, without trying other endpoints (cluster-health). */
    Reply sendTo(URI endpoint, Request request, long deadline) throws IOException, InterruptedException {
        return exchange(endpoint, request, Math.max(1, deadline - System.nanoTime()));
    }

    static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    static String describe(URI endpoint, IOException e) {
        String hostPort = endpoint.getHost() + ":" + (endpoint.getPort() < 0
                ? ("https".equals(endpoint.getScheme()) ? 443 : 80) : endpoint.getPort());
        if (e instanceof ConnectException && !(e instanceof HttpConnectTimeoutException)) {
            return "dial tcp " + hostPort + ": connect: connection refused";
        }
        if (e instanceof HttpConnectTimeoutException) {
            return "dial tcp " + hostPort + ": i/o timeout";
        }
        if (e instanceof HttpTimeoutException) {
            return endpoint + ": no answer in time (timeout)";
        }
        String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return endpoint + ": " + why;
    }

    private static Duration shorter(Duration a, Duration b) {
        Duration d = a.compareTo(b) <= 0 ? a : b;
        return d.isZero() || d.isNegative() ? Duration.ofMillis(1) : d;
    }

    private static String trimSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
