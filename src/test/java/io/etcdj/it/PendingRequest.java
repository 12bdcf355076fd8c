package io.etcdj.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A request on a connection of its own whose answer is awaited in the background, for requests
 * that wait on the server (a lock acquire behind a holder). Closing it before the answer comes is
 * a client that goes away.
 */
final class PendingRequest implements AutoCloseable {
    private final HttpConnection connection;
    private final CompletableFuture<HttpAnswer> answer;

    private PendingRequest(HttpConnection connection, String method) {
        this.connection = connection;
        this.answer = CompletableFuture.supplyAsync(() -> {
            try {
                return connection.readAnswer(method);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, runnable -> {
            Thread reader = new Thread(runnable, "pending-request");
            reader.setDaemon(true);
            reader.start();
        });
    }

    /** Sends {@code method target} with an optional url-encoded form; waits up to {@code within} for the answer. */
    static PendingRequest send(EtcdProcess machine, String method, String target, String form, Duration within)
            throws IOException {
        HttpConnection connection = machine.connect(within);
        List<Map.Entry<String, String>> headers = form == null ? List.of()
                : List.of(Map.entry("Content-Type", "application/x-www-form-urlencoded"));
        byte[] body = form == null ? null : form.getBytes(StandardCharsets.UTF_8);
        connection.send(HttpConnection.request(method, target, connection.authority(), headers, body));
        return new PendingRequest(connection, method);
    }

    CompletableFuture<HttpAnswer> answer() {
        return answer;
    }

    boolean isAnswered() {
        return answer.isDone();
    }

    /** The answer, failing the test if none comes within {@code within}. */
    HttpAnswer await(Duration within) {
        return EtcdCluster.poll(within, "the answer of a pending request", () -> answer.getNow(null));
    }

    @Override
    public void close() throws IOException {
        connection.close();
    }
}
