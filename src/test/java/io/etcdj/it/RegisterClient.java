package io.etcdj.it;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;

/**
 * One client of a {@link NetCluster}: plain HTTP from the root namespace to one chosen machine,
 * following 307 redirects to the leader the way a client library does. Each call is one operation
 * on one key and comes back as a {@link RegisterOp} for the history, or null when it surely did
 * nothing (a read that failed, a write refused before it was proposed, a connection never made).
 *
 * <p>Reads are {@code consistent=true}. A write or cas that ended with a timeout, a lost connection
 * or a deadline error (300 with a cause) has an unknown outcome; error 300 with no cause is the
 * answer of a machine that knows no leader and proposed nothing.
 */
final class RegisterClient {
    /** Longer than the server's 3 s request deadline, so the server's answer normally comes first. */
    static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);

    private final NetCluster cluster;
    private final int process;

    RegisterClient(NetCluster cluster, int process) {
        this.cluster = cluster;
        this.process = process;
    }

    /** What became of one request. */
    sealed interface Outcome {
        record Answered(HttpAnswer answer) implements Outcome {}

        /** No connection was made: the request never left. */
        record NotSent(String why) implements Outcome {}

        /** Sent, but no answer: it may or may not have been carried out. */
        record Lost(String why) implements Outcome {}
    }

    RegisterOp read(int via, String key) {
        long start = System.nanoTime();
        Outcome outcome = send(via, "GET", "/v2/keys/" + key + "?consistent=true", null);
        long end = System.nanoTime();
        if (outcome instanceof Outcome.Answered a) {
            if (a.answer().status() == 200) {
                return RegisterOp.read(process, EtcdCluster.json(a.answer()).path("node").path("value").asText(), start, end);
            }
            if (a.answer().status() == 404 && errorCode(a.answer()) == 100) {
                return RegisterOp.read(process, null, start, end);
            }
        }
        return null;
    }

    RegisterOp write(int via, String key, String value) {
        long start = System.nanoTime();
        Outcome outcome = send(via, "PUT", "/v2/keys/" + key, "value=" + EtcdCluster.encode(value));
        return classify(outcome, RegisterOp.Kind.WRITE, null, value, start);
    }

    RegisterOp cas(int via, String key, String expected, String value) {
        long start = System.nanoTime();
        Outcome outcome = send(via, "PUT", "/v2/keys/" + key + "?prevValue=" + EtcdCluster.encode(expected),
                "value=" + EtcdCluster.encode(value));
        return classify(outcome, RegisterOp.Kind.CAS, expected, value, start);
    }

    private RegisterOp classify(Outcome outcome, RegisterOp.Kind kind, String expected, String value, long start) {
        long end = System.nanoTime();
        if (outcome instanceof Outcome.NotSent) {
            return null;
        }
        if (!(outcome instanceof Outcome.Answered a)) {
            return RegisterOp.unknown(process, kind, expected, value, start);
        }
        HttpAnswer answer = a.answer();
        int code = errorCode(answer);
        if (answer.isSuccess()) {
            return kind == RegisterOp.Kind.WRITE ? RegisterOp.write(process, value, start, end)
                    : RegisterOp.cas(process, expected, value, true, start, end);
        }
        if (kind == RegisterOp.Kind.CAS && (code == 101 || code == 100)) {
            return RegisterOp.cas(process, expected, value, false, start, end);
        }
        if (code == 300 && cause(answer).isEmpty()) {
            return null;
        }
        return RegisterOp.unknown(process, kind, expected, value, start);
    }

    /** PUT of a key of its own; true only when acknowledged. */
    boolean add(int via, String key) {
        return send(via, "PUT", "/v2/keys/" + key, "value=1") instanceof Outcome.Answered a && a.answer().isSuccess();
    }

    /** One request through machine {@code via}, following up to three redirects. */
    Outcome send(int via, String method, String target, String form) {
        String host = cluster.address(via);
        int port = NetCluster.CLIENT_PORT;
        String path = target;
        for (int hop = 0; ; hop++) {
            HttpConnection c;
            try {
                c = HttpConnection.open(host, port, CONNECT_TIMEOUT);
            } catch (IOException e) {
                return new Outcome.NotSent(e.toString());
            }
            HttpAnswer answer;
            try (c) {
                c.send(HttpConnection.request(method, path, host + ":" + port,
                        form == null ? java.util.List.of()
                                : java.util.List.of(java.util.Map.entry("Content-Type", "application/x-www-form-urlencoded")),
                        form == null ? null : form.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                // the read timeout of the connection is the connect timeout; a request may wait longer
                answer = readWithin(c, method);
            } catch (ConnectException e) {
                return new Outcome.NotSent(e.toString());
            } catch (IOException e) {
                return new Outcome.Lost(e.toString());
            }
            if (answer.status() != 307 || hop == 3) {
                return new Outcome.Answered(answer);
            }
            URI next = URI.create("http://" + host + ":" + port).resolve(answer.header("Location").orElse(""));
            host = next.getHost();
            port = next.getPort();
            path = next.getRawPath() + (next.getRawQuery() == null ? "" : "?" + next.getRawQuery());
        }
    }

    private static HttpAnswer readWithin(HttpConnection c, String method) throws IOException {
        c.setReadTimeout(TIMEOUT);
        return c.readAnswer(method);
    }

    private static String cause(HttpAnswer answer) {
        try {
            return Observation.JSON.readTree(answer.text()).path("cause").asText();
        } catch (IOException e) {
            return "(not JSON)";
        }
    }

    static int errorCode(HttpAnswer answer) {
        try {
            JsonNode json = Observation.JSON.readTree(answer.text());
            return json.path("errorCode").asInt(-1);
        } catch (IOException e) {
            return -1;
        }
    }
}
