package io.etcdj.ctl;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * etcdctl in process against small fake servers: it skips a dead endpoint, follows a 307 to the
 * leader with the same method and body, and prints errors and exit codes as etcdctl v2 does.
 */
class EtcdctlTest {
    private final List<HttpServer> servers = new CopyOnWriteArrayList<>();
    private final List<String> seen = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        servers.forEach(s -> s.stop(0));
    }

    @Test
    void skipsADeadEndpointAndFollowsTheRedirectToTheLeader() throws Exception {
        HttpServer leader = server("leader", 201, "{\"action\":\"set\",\"node\":{\"key\":\"/k\",\"value\":\"v\","
                + "\"modifiedIndex\":9,\"createdIndex\":9}}", null);
        HttpServer follower = server("follower", 307, "", url(leader) + "/v2/keys/k");
        String[] out = run("--no-sync", "--peers", dead() + "," + url(follower), "set", "/k", "v");
        assertEquals("0", out[0], out[2]);
        assertEquals("v\n", out[1]);
        assertEquals(List.of("follower PUT /v2/keys/k value=v", "leader PUT /v2/keys/k value=v"), seen);
    }

    @Test
    void anErrorAnswerIsPrintedWithItsCodeAndExitCode4() throws Exception {
        HttpServer node = server("node", 404, "{\"errorCode\":100,\"message\":\"Key not found\",\"cause\":\"/foo\","
                + "\"index\":12}", null);
        String[] out = run("--no-sync", "--peers", url(node), "get", "/foo");
        assertEquals("4", out[0]);
        assertEquals("Error:  100: Key not found (/foo) [12]\n", out[2]);
    }

    @Test
    void syncReplacesTheEndpointsByTheMachinesOfAV02Cluster() throws Exception {
        HttpServer real = server("real", 200, "{\"action\":\"get\",\"node\":{\"key\":\"/k\",\"value\":\"v\","
                + "\"modifiedIndex\":3,\"createdIndex\":3}}", null);
        HttpServer seed = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        seed.createContext("/", exchange -> {
            seen.add("seed " + exchange.getRequestURI().getPath());
            boolean machines = exchange.getRequestURI().getPath().equals("/v2/machines");
            byte[] body = (machines ? url(real) + ", " + dead() : "404 page not found\n").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(machines ? 200 : 404, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        seed.start();
        servers.add(seed);
        String[] out = run("--peers", url(seed), "get", "/k");
        assertEquals("0", out[0], out[2]);
        assertEquals("v\n", out[1]);
        assertEquals(List.of("seed /v2/members", "seed /v2/machines", "real GET /v2/keys/k "), seen);
    }

    @Test
    void aMissingKeyArgumentIsABadArgument() {
        String[] out = run("--no-sync", "--peers", dead(), "rm");
        assertEquals("1", out[0]);
        assertEquals("Error:  key required\n", out[2]);
        String[] unknown = run("get", "--nosuch", "/k");
        assertEquals("1", unknown[0]);
        assertTrue(unknown[2].contains("'--nosuch'"), unknown[2]);
    }

    private HttpServer server(String name, int status, String body, String location) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String form = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            seen.add(name + " " + exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath() + " " + form);
            if (location != null) {
                exchange.getResponseHeaders().add("Location", location);
            }
            exchange.getResponseHeaders().add("X-Etcd-Index", "9");
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        servers.add(server);
        return server;
    }

    private static String url(HttpServer server) {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private static String dead() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return "http://127.0.0.1:" + socket.getLocalPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Exit code, stdout, stderr. */
    private static String[] run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Etcdctl.run(args, new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                Map.of());
        return new String[] {Integer.toString(exit), out.toString(StandardCharsets.UTF_8),
                err.toString(StandardCharsets.UTF_8)};
    }
}
