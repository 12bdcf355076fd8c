package io.etcdj.http;

import io.etcdj.http.EmbeddedClient.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the router answers before any endpoint runs, and the endpoints that need no store. */
class RoutingTest {
    private final FakeEtcdServer server = new FakeEtcdServer(Clock.systemUTC());
    private EmbeddedClient client = new EmbeddedClient(server, HttpOptions.defaults());

    @AfterEach
    void close() {
        client.close();
    }

    private static void assertPlainNotFound(Response r) {
        assertEquals(404, r.status());
        assertEquals("404 page not found\n", r.body());
        assertEquals("text/plain; charset=utf-8", r.header("Content-Type"));
        assertEquals("nosniff", r.header("X-Content-Type-Options"));
        assertEquals(List.of("content-type", "x-content-type-options"), r.headerNames());
    }

    @Test
    void unknownPathsAreThePlainTextNotFound() {
        for (String path : List.of("/", "/v2/keys", "/v1/keys", "/v3/keys/foo", "/v2/key/foo", "/v2/stats/nope",
                "/v2/stats", "/mod/v2/nothing", "/version/", "/v2/version")) {
            assertPlainNotFound(client.get(path));
        }
    }

    @Test
    void methodsWithoutARouteAreNotFound() {
        assertPlainNotFound(client.form("PATCH", "/v2/keys/k", "value", "x"));
        assertPlainNotFound(client.send("POST", "/version", null, null));
        assertPlainNotFound(client.send("POST", "/v2/machines", null, null));
        assertPlainNotFound(client.send("DELETE", "/v2/leader", null, null));
        assertPlainNotFound(client.send("PUT", "/v2/stats/store", null, null));
        assertPlainNotFound(client.send("get", "/version", null, null));
    }

    @Test
    void headIsNotFoundWithTheHeadersButNoBody() {
        Response r = client.send("HEAD", "/version", null, null);

        assertEquals(404, r.status());
        assertEquals("", r.body());
        assertEquals(List.of("content-type", "x-content-type-options"), r.headerNames());
        // the connection is still in step: the next answer parses cleanly
        assertEquals("etcd v0.2.0", client.get("/version").body());
    }

    @Test
    void optionsIsAnsweredOkWithNothingElseOnAnyPath() {
        for (String path : List.of("/v2/keys/k", "/nowhere", "/v2/keys//x")) {
            Response r = client.send("OPTIONS", path, null, null);

            assertEquals(200, r.status());
            assertEquals("", r.body());
            assertEquals(List.of(), r.headerNames());
        }
    }

    @Test
    void uncleanPathsAreRedirectedToTheirCleanFormKeepingTheQuery() {
        Response r = client.form("PUT", "/v2/keys//y", "value", "2");
        assertEquals(301, r.status());
        assertEquals("/v2/keys/y", r.header("Location"));
        assertEquals(List.of("location"), r.headerNames());
        assertEquals("", r.body());

        // the reference drops the query here; kept, so that a redirected write keeps its value
        assertEquals("/v2/keys/x?recursive=true", client.get("/v2/keys/a/../x?recursive=true").header("Location"));
        assertEquals("/v2/keys/x", client.get("/v2/keys/./x").header("Location"));
        assertEquals("/version", client.get("//version").header("Location"));
        assertEquals("/v2/keys/x", client.get("/v2/keys/a%2F..%2Fx").header("Location"));
        assertEquals("/v2/keys/%E2%98%83", client.get("/v2/keys//%E2%98%83").header("Location"));
    }

    @Test
    void versionIsPlainTextAndTakesNoNotice0fTheQuery() {
        for (String target : List.of("/version", "/version?pretty=true")) {
            Response r = client.get(target);

            assertEquals(200, r.status());
            assertEquals("etcd v0.2.0", r.body());
            assertEquals(List.of("content-type"), r.headerNames());
            assertEquals("text/plain; charset=utf-8", r.header("Content-Type"));
        }
    }

    @Test
    void machinesAndPeersListClientUrlsAndLeaderIsThePeerUrl() {
        server.clientUrls = List.of("http://127.0.0.1:4001", "http://127.0.0.1:4002");

        for (String v : List.of("/v1", "/v2")) {
            assertEquals("http://127.0.0.1:4001, http://127.0.0.1:4002", client.get(v + "/machines").body());
            assertEquals("http://127.0.0.1:4001, http://127.0.0.1:4002", client.get(v + "/peers").body());
            Response leader = client.get(v + "/leader");
            assertEquals("http://127.0.0.1:7001", leader.body());
            assertEquals("text/plain; charset=utf-8", leader.header("Content-Type"));
        }
    }

    @Test
    void statsAreTheServersJsonAsText() {
        for (String v : List.of("/v1", "/v2")) {
            Response self = client.get(v + "/stats/self");
            assertEquals(server.selfStats, self.body());
            assertEquals("text/plain; charset=utf-8", self.header("Content-Type"));
            assertEquals(server.leaderStats, client.get(v + "/stats/leader").body());
        }
    }

    @Test
    void aFollowerSendsLeaderStatsReadersToTheLeader() {
        server.leader = false;
        server.leaderClientUrl = "http://10.0.0.1:4001";

        Response r = client.get("/v2/stats/leader?x=1");

        assertEquals(307, r.status());
        assertEquals("http://10.0.0.1:4001/v2/stats/leader?x=1", r.header("Location"));
        assertEquals("text/html; charset=utf-8", r.header("Content-Type"));
        assertEquals("<a href=\"http://10.0.0.1:4001/v2/stats/leader?x=1\">Temporary Redirect</a>.\n\n", r.body());
    }

    @Test
    void allowedOriginsAreEchoedOnEveryAnswer() {
        client.close();
        client = new EmbeddedClient(server, HttpOptions.defaults().withCorsOrigins(Set.of("http://ok.example")));

        client.writeRaw("OPTIONS /v2/keys/k HTTP/1.1\r\nHost: x\r\nOrigin: http://ok.example\r\n\r\n");
        Response allowed = client.awaitResponse(false);
        client.writeRaw("GET /nowhere HTTP/1.1\r\nHost: x\r\nOrigin: http://evil.example\r\n\r\n");
        Response refused = client.awaitResponse(false);

        assertEquals(200, allowed.status());
        assertEquals("http://ok.example", allowed.header("Access-Control-Allow-Origin"));
        assertEquals("POST, GET, OPTIONS, PUT, DELETE", allowed.header("Access-Control-Allow-Methods"));
        assertEquals(404, refused.status());
        assertNull(refused.header("Access-Control-Allow-Origin"));
    }

    @Test
    void aWildcardOriginAllowsEveryone() {
        client.close();
        client = new EmbeddedClient(server, HttpOptions.defaults().withCorsOrigins(Set.of("*")));

        Response r = client.get("/version");

        assertEquals("*", r.header("Access-Control-Allow-Origin"));
    }

    @Test
    void theClusterMachinesAreAllowedOriginsWithoutCors() {
        server.clientUrls = List.of("http://127.0.0.1:4001", "https://Node2.example:443/");

        client.writeRaw("GET /version HTTP/1.1\r\nHost: x\r\nOrigin: http://127.0.0.1:4001\r\n\r\n");
        Response member = client.awaitResponse(false);
        client.writeRaw("GET /version HTTP/1.1\r\nHost: x\r\nOrigin: https://node2.example\r\n\r\n");
        Response otherMember = client.awaitResponse(false);
        client.writeRaw("GET /version HTTP/1.1\r\nHost: x\r\nOrigin: http://127.0.0.1:4002\r\n\r\n");
        Response stranger = client.awaitResponse(false);
        Response noOrigin = client.get("/version");

        assertEquals("http://127.0.0.1:4001", member.header("Access-Control-Allow-Origin"));
        assertEquals("POST, GET, OPTIONS, PUT, DELETE", member.header("Access-Control-Allow-Methods"));
        assertEquals("https://node2.example", otherMember.header("Access-Control-Allow-Origin"));
        assertNull(stranger.header("Access-Control-Allow-Origin"));
        assertNull(noOrigin.header("Access-Control-Allow-Origin"));
    }

    @Test
    void aMalformedRequestIsA400AndTheConnectionCloses() {
        client.writeRaw("GET /v2/keys/%zz HTTP/1.1\r\nHost: x\r\n\r\n");
        Response r = client.awaitResponse(false);

        assertEquals(400, r.status());
        assertEquals("400 Bad Request", r.body());
        assertEquals("close", r.header("Connection"));
        assertFalse(client.channel.isOpen());
    }

    @Test
    void anHttp11RequestWithoutAHostIsRefused() {
        client.writeRaw("GET /version HTTP/1.1\r\n\r\n");
        Response r = client.awaitResponse(false);

        assertEquals(400, r.status());
        assertEquals("400 Bad Request: missing required Host header", r.body());
        assertFalse(client.channel.isOpen());
    }

    @Test
    void garbageOnTheWireIsA400AndTheConnectionCloses() {
        client.writeRaw("THIS IS NOT HTTP\r\n\r\n");
        Response r = client.awaitResponse(false);

        assertEquals(400, r.status());
        assertFalse(client.channel.isOpen());
    }

    @Test
    void anOverlongRequestLineIsRefused() {
        client.close();
        client = new EmbeddedClient(server, HttpOptions.defaults().withMaxHeaderBytes(1024));

        client.writeRaw("GET /v2/keys/" + "k".repeat(2000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
        Response r = client.awaitResponse(false);

        assertEquals(414, r.status());
        assertEquals("{\"errorCode\":209,\"message\":\"Invalid field\",\"cause\":\"request line longer than 1024 bytes\","
                + "\"index\":0}\n", r.body());
        assertFalse(client.channel.isOpen());
    }

    @Test
    void aBodyOverTheLimitIsRefusedWithoutReachingTheLog() {
        client.close();
        client = new EmbeddedClient(server, HttpOptions.defaults().withMaxBodyBytes(1024));

        Response r = client.form("PUT", "/v2/keys/big", "value", "x".repeat(5000));

        assertEquals(413, r.status());
        assertEquals(0, server.proposals.get());
        // a keep-alive connection with a declared length stays usable
        assertEquals("etcd v0.2.0", client.get("/version").body());
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() {
        client.writeRaw("GET /version HTTP/1.1\r\nHost: x\r\n\r\nGET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /v2/machines HTTP/1.1\r\nHost: x\r\n\r\n");

        assertEquals("etcd v0.2.0", client.awaitResponse(false).body());
        assertEquals(404, client.awaitResponse(false).status());
        assertEquals("http://127.0.0.1:4001", client.awaitResponse(false).body());
    }

    @Test
    void connectionCloseIsHonoured() {
        client.writeRaw("GET /version HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        Response r = client.awaitResponse(false);

        assertEquals("close", r.header("Connection"));
        assertFalse(client.channel.isOpen());
    }

    @Test
    void http10GetsAnHttp10AnswerAndKeepAliveOnlyWhenAsked() {
        client.writeRaw("GET /version HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        Response kept = client.awaitResponse(false);
        assertEquals("keep-alive", kept.header("Connection"));
        assertTrue(client.channel.isOpen());

        client.writeRaw("GET /version HTTP/1.0\r\n\r\n");
        client.awaitResponse(false);
        assertFalse(client.channel.isOpen());
    }
}
