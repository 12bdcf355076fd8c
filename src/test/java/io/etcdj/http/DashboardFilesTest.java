package io.etcdj.http;

import io.etcdj.http.EmbeddedClient.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The dashboard's files as the client listener serves them. */
class DashboardFilesTest {
    private final FakeEtcdServer server = new FakeEtcdServer(Clock.systemUTC());
    private final EmbeddedClient client = new EmbeddedClient(server, HttpOptions.defaults());

    @AfterEach
    void close() {
        client.close();
    }

    @Test
    void theBarePathRedirectsToTheDirectory() {
        Response r = client.get("/mod/dashboard");

        assertEquals(302, r.status());
        assertEquals("/mod/dashboard/", r.header("Location"));
        assertEquals("<a href=\"/mod/dashboard/\">Found</a>.\n\n", r.body());
    }

    @Test
    void theDirectoryServesItsIndexAsHtmlThatMayNotBeFramed() {
        Response r = client.get("/mod/dashboard/");

        assertEquals(200, r.status());
        assertEquals("text/html; charset=utf-8", r.header("Content-Type"));
        assertTrue(r.body().startsWith("<!doctype html>"), r.body());
        assertEquals("DENY", r.header("X-Frame-Options"));
        assertTrue(r.header("Content-Security-Policy").contains("frame-ancestors 'none'"));
        assertEquals("no-cache", r.header("Cache-Control"));
    }

    @Test
    void everyFileTheIndexLoadsIsServedWithItsType() {
        String index = client.get("/mod/dashboard/").body();
        for (String file : List.of("style.css", "chart.js", "api.js", "cluster.js", "keys.js", "app.js", "favicon.svg")) {
            assertTrue(index.contains("\"" + file + "\""), file + " is loaded by the index");
            Response r = client.get("/mod/dashboard/" + file);
            assertEquals(200, r.status(), file);
            String type = file.endsWith(".css") ? "text/css; charset=utf-8"
                    : file.endsWith(".js") ? "text/javascript; charset=utf-8" : "image/svg+xml";
            assertEquals(type, r.header("Content-Type"), file);
            assertEquals("nosniff", r.header("X-Content-Type-Options"));
        }
    }

    @Test
    void anUnchangedFileIsNotSentAgain() {
        Response first = client.get("/mod/dashboard/app.js");
        String etag = first.header("ETag");
        assertNotNull(etag);

        client.writeRaw("GET /mod/dashboard/app.js HTTP/1.1\r\nHost: x\r\nIf-None-Match: " + etag + "\r\n\r\n");
        Response again = client.awaitResponse(false);

        assertEquals(304, again.status());
        assertEquals("", again.body());
        assertEquals(etag, again.header("ETag"));
    }

    @Test
    void nothingOutsideTheDashboardIsReachable() {
        for (String target : List.of("/mod/dashboard/..%2f..%2fio/etcdj/Main.class", "/mod/dashboard/%2e%2e/Main.class",
                "/mod/dashboard/.hidden.js", "/mod/dashboard/x/../../logback.xml", "/mod/dashboard/nope.js",
                "/mod/dashboard/app", "/mod/dashboard/sub/")) {
            Response r = client.get(target);
            assertTrue(r.status() == 404 || r.status() == 301 || r.status() == 400, target + " answered " + r.status());
            assertTrue(!r.body().contains("package") && !r.body().contains("<configuration"), target);
        }
        assertEquals("/mod/dashboard/nope.js: File not found\n", client.get("/mod/dashboard/nope.js").body());
    }

    @Test
    void onlyReadingMethodsAreAllowed() {
        Response r = client.form("POST", "/mod/dashboard/index.html", "a", "b");

        assertEquals(405, r.status());
        assertEquals("GET, HEAD", r.header("Allow"));
    }

    @Test
    void theReferencesPagesLeadToTheirViews() {
        assertEquals("/mod/dashboard/#cluster", client.get("/mod/dashboard/stats").header("Location"));
        assertEquals("/mod/dashboard/#keys", client.get("/mod/dashboard/browser.html").header("Location"));
    }
}
