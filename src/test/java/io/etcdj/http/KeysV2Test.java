package io.etcdj.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.etcdj.http.EmbeddedClient.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The v2 keys API over the wire, against a real store. */
class KeysV2Test {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-11-24T01:43:31.5Z");
    private final MutableClock clock = new MutableClock(NOW);
    private final FakeEtcdServer server = new FakeEtcdServer(clock);
    private final EmbeddedClient client = new EmbeddedClient(server, HttpOptions.defaults().withClock(clock));

    @AfterEach
    void close() {
        client.close();
    }

    private static void assertError(Response r, int status, String json, long index) {
        assertEquals(status, r.status(), r.body());
        assertEquals(json + "\n", r.body());
        assertEquals("text/plain; charset=utf-8", r.header("Content-Type"));
        assertEquals("nosniff", r.header("X-Content-Type-Options"));
        assertEquals(Long.toString(index), r.header("X-Etcd-Index"));
        assertEquals(List.of("x-etcd-index", "content-type", "x-content-type-options"), r.headerNames());
    }

    @Test
    void aPutCreatesWith201AndAReplaceAnswers200WithTheNewIndexes() {
        Response created = client.form("PUT", "/v2/keys/foo", "value", "bar");
        Response replaced = client.form("PUT", "/v2/keys/foo", "value", "baz");

        assertEquals(201, created.status());
        assertEquals("{\"action\":\"set\",\"node\":{\"key\":\"/foo\",\"value\":\"bar\",\"modifiedIndex\":1,"
                + "\"createdIndex\":1}}", created.body());
        assertEquals("application/json", created.header("Content-Type"));
        assertEquals("1", created.header("X-Etcd-Index"));
        assertEquals(List.of("content-type", "x-etcd-index", "x-raft-index", "x-raft-term"), created.headerNames());
        assertEquals(200, replaced.status());
        assertEquals("{\"action\":\"set\",\"node\":{\"key\":\"/foo\",\"value\":\"baz\",\"modifiedIndex\":2,"
                + "\"createdIndex\":2},\"prevNode\":{\"key\":\"/foo\",\"value\":\"bar\",\"modifiedIndex\":1,"
                + "\"createdIndex\":1}}", replaced.body());
    }

    @Test
    void replacingAnEmptyValueCountsAsACreation() {
        client.send("PUT", "/v2/keys/e", null, null);

        Response r = client.form("PUT", "/v2/keys/e", "value", "x");

        assertEquals(201, r.status());
    }

    @Test
    void aReadCarriesTheStoresIndexNotTheNodes() {
        client.form("PUT", "/v2/keys/a", "value", "1");
        client.form("PUT", "/v2/keys/b", "value", "2");

        Response r = client.get("/v2/keys/a");

        assertEquals(200, r.status());
        assertEquals("2", r.header("X-Etcd-Index"));
        assertEquals("{\"action\":\"get\",\"node\":{\"key\":\"/a\",\"value\":\"1\",\"modifiedIndex\":1,"
                + "\"createdIndex\":1}}", r.body());
    }

    @Test
    void aMissingKeyIsTheJsonErrorInPlainText() {
        assertError(client.get("/v2/keys/a/b/c"), 404,
                "{\"errorCode\":100,\"message\":\"Key not found\",\"cause\":\"/a\",\"index\":0}", 0);
    }

    @Test
    void theValueComesFromTheQueryUnlessTheBodyHasOneAndTheFirstRepeatWins() {
        assertEquals("fromquery", value(client.send("PUT", "/v2/keys/q?value=fromquery", null, null)));
        assertEquals("frombody", value(client.form("PUT", "/v2/keys/q?value=fromquery", "value", "frombody")));
        assertEquals("first", value(client.send("PUT", "/v2/keys/q", "application/x-www-form-urlencoded",
                "value=first&value=second")));
        // without the form content type the body is not a form
        assertEquals("fromquery", value(client.send("PUT", "/v2/keys/q?value=fromquery", "text/plain",
                "value=frombody")));
    }

    private static String value(Response r) {
        String body = r.body();
        int start = body.indexOf("\"value\":\"") + 9;
        return body.substring(start, body.indexOf('"', start));
    }

    @Test
    void prevExistFalseCreatesOnceThenFails() {
        Response created = client.form("PUT", "/v2/keys/c?prevExist=false", "value", "1");
        Response again = client.form("PUT", "/v2/keys/c?prevExist=false", "value", "2");

        assertEquals(201, created.status());
        assertEquals("create", action(created));
        assertError(again, 412, "{\"errorCode\":105,\"message\":\"Key already exists\",\"cause\":\"/c\",\"index\":1}", 1);
    }

    @Test
    void prevExistTrueUpdatesAndNeedsAValueOrATtl() {
        assertEquals(404, client.form("PUT", "/v2/keys/u?prevExist=true", "value", "1").status());
        client.form("PUT", "/v2/keys/u", "value", "1");

        Response updated = client.form("PUT", "/v2/keys/u?prevExist=true", "value", "2");
        Response empty = client.form("PUT", "/v2/keys/u?prevExist=true", "value", "");

        assertEquals(200, updated.status());
        assertEquals("{\"action\":\"update\",\"node\":{\"key\":\"/u\",\"value\":\"2\",\"modifiedIndex\":2,"
                + "\"createdIndex\":1},\"prevNode\":{\"key\":\"/u\",\"value\":\"1\",\"modifiedIndex\":1,"
                + "\"createdIndex\":1}}", updated.body());
        assertError(empty, 400, "{\"errorCode\":204,\"message\":\"Value or TTL is required in POST form\","
                + "\"cause\":\"Update\",\"index\":2}", 2);
    }

    @Test
    void compareAndSwapOnValueAndOnIndex() {
        client.form("PUT", "/v2/keys/k", "value", "one");

        Response swapped = client.form("PUT", "/v2/keys/k", "value", "two", "prevValue", "one");
        Response staleValue = client.form("PUT", "/v2/keys/k", "value", "three", "prevValue", "one");
        Response staleIndex = client.form("PUT", "/v2/keys/k", "value", "three", "prevIndex", "1");
        Response byIndex = client.form("PUT", "/v2/keys/k", "value", "three", "prevIndex", "2");

        assertEquals(200, swapped.status());
        assertEquals("compareAndSwap", action(swapped));
        assertError(staleValue, 412, "{\"errorCode\":101,\"message\":\"Compare failed\","
                + "\"cause\":\"[one != two] [0 != 2]\",\"index\":2}", 2);
        assertError(staleIndex, 412, "{\"errorCode\":101,\"message\":\"Compare failed\","
                + "\"cause\":\"[ != two] [1 != 2]\",\"index\":2}", 2);
        assertEquals(200, byIndex.status());
    }

    @Test
    void anEmptyPrevValueOrABadPrevIndexIsRefusedBeforeTheLog() {
        client.form("PUT", "/v2/keys/k", "value", "one");
        long before = server.proposals.get();

        assertError(client.form("PUT", "/v2/keys/k", "value", "x", "prevValue", ""), 400,
                "{\"errorCode\":201,\"message\":\"PrevValue is Required in POST form\","
                        + "\"cause\":\"CompareAndSwap\",\"index\":1}", 1);
        for (String bad : List.of("abc", "-1", "", "1.0", "99999999999999999999")) {
            assertError(client.form("PUT", "/v2/keys/k", "value", "x", "prevIndex", bad), 400,
                    "{\"errorCode\":203,\"message\":\"The given index in POST form is not a number\","
                            + "\"cause\":\"CompareAndSwap\",\"index\":1}", 1);
        }
        assertEquals(before, server.proposals.get());
    }

    @Test
    void aBadTtlNamesTheHandlerTheReferenceNames() {
        String update = "{\"errorCode\":202,\"message\":\"The given TTL in POST form is not a number\","
                + "\"cause\":\"Update\",\"index\":0}";
        assertError(client.form("PUT", "/v2/keys/t", "value", "v", "ttl", "abc"), 400, update, 0);
        assertError(client.form("PUT", "/v2/keys/t?prevExist=false", "value", "v", "ttl", "1.5"), 400, update, 0);
        assertError(client.form("POST", "/v2/keys/t", "value", "v", "ttl", "x"), 400,
                update.replace("Update", "Create"), 0);
        assertEquals(0, server.proposals.get());
    }

    @Test
    void aTtlBecomesAnExpirationThatManySecondsFromNow() throws Exception {
        JsonNode node = JSON.readTree(client.form("PUT", "/v2/keys/t", "value", "v", "ttl", "100").body()).get("node");

        assertEquals("2026-11-24T01:45:11.5Z", node.get("expiration").asText());
        // the remaining whole seconds, rounded up by the store as the reference does
        assertEquals(101, node.get("ttl").asLong(), 1);
        assertEquals(201, client.form("PUT", "/v2/keys/p", "value", "v", "ttl", "").status());
        assertNull(server.store().get("/p", false, false).node().expiration());
    }

    @Test
    void postCreatesInOrderKeysUnderTheDirectory() {
        Response first = client.form("POST", "/v2/keys/queue", "value", "a");
        Response second = client.send("POST", "/v2/keys/queue", null, null);

        assertEquals(201, first.status());
        assertEquals("{\"action\":\"create\",\"node\":{\"key\":\"/queue/1\",\"value\":\"a\",\"modifiedIndex\":1,"
                + "\"createdIndex\":1}}", first.body());
        assertEquals("{\"action\":\"create\",\"node\":{\"key\":\"/queue/2\",\"modifiedIndex\":2,"
                + "\"createdIndex\":2}}", second.body());
    }

    @Test
    void deleteTakesItsFlagsFromTheQueryOnly() {
        client.form("PUT", "/v2/keys/d/a", "value", "1");

        Response bodyFlag = client.send("DELETE", "/v2/keys/d", "application/x-www-form-urlencoded", "recursive=true");
        Response notQuiteTrue = client.delete("/v2/keys/d?recursive=True");
        Response recursive = client.delete("/v2/keys/d?recursive=true");

        assertEquals(403, bodyFlag.status());
        assertEquals(403, notQuiteTrue.status());
        assertEquals(200, recursive.status());
        assertEquals("{\"action\":\"delete\",\"node\":{\"key\":\"/d\",\"dir\":true,\"modifiedIndex\":2,"
                + "\"createdIndex\":1},\"prevNode\":{\"key\":\"/d\",\"dir\":true,\"modifiedIndex\":1,"
                + "\"createdIndex\":1}}", recursive.body());
    }

    @Test
    void flagsMustBeExactlyTrue() throws Exception {
        client.form("PUT", "/v2/keys/f", "value", "x", "dir", "1");
        client.form("PUT", "/v2/keys/d/a", "value", "1");

        JsonNode listed = JSON.readTree(client.get("/v2/keys/?recursive=yes&sorted=true").body()).get("node");

        assertEquals("x", value(client.get("/v2/keys/f")));
        assertEquals("/d", listed.get("nodes").get(0).get("key").asText());
        assertFalse(listed.get("nodes").get(0).has("nodes"), "not listed recursively");
    }

    @Test
    void unicodeSpacesAndPlusSignsInKeysRoundTrip() {
        Response r = client.form("PUT", "/v2/keys/h%C3%A9llo%20w+rld/%E2%98%83", "value", "v");

        assertEquals(201, r.status());
        assertEquals("/héllo w+rld/☃", server.store().get("/héllo w+rld/☃", false, false).node().key());
        assertEquals(200, client.get("/v2/keys/h%C3%A9llo%20w+rld/%E2%98%83").status());
    }

    @Test
    void aTrailingSlashAddressesTheSameKey() {
        client.form("PUT", "/v2/keys/x/", "value", "1");

        Response r = client.get("/v2/keys/x/");

        assertEquals("{\"action\":\"get\",\"node\":{\"key\":\"/x\",\"value\":\"1\",\"modifiedIndex\":1,"
                + "\"createdIndex\":1}}", r.body());
    }

    @Test
    void dotDotInAKeyIsRedirectedNeverResolvedAgainstTheStore() {
        Response r = client.form("PUT", "/v2/keys/a/%2E%2E/%2E%2E/x", "value", "1");

        assertEquals(301, r.status());
        assertEquals("/v2/x", r.header("Location"));
        assertEquals(0, server.proposals.get());
    }

    @Test
    void aKeyWithANewlineHasNoRoute() {
        assertEquals("404 page not found\n", client.get("/v2/keys/a%0Ab").body());
    }

    @Test
    void theRootCannotBeWritten() {
        Response r = client.form("PUT", "/v2/keys/", "value", "x");

        assertError(r, 400, "{\"errorCode\":107,\"message\":\"Root is read only\",\"cause\":\"/\",\"index\":0}", 0);
    }

    @Test
    void theRootListsWithoutIndexes() {
        assertEquals("{\"action\":\"get\",\"node\":{\"key\":\"/\",\"dir\":true}}", client.get("/v2/keys/").body());
    }

    private static String action(Response r) {
        String body = r.body();
        int start = body.indexOf("\"action\":\"") + 10;
        return body.substring(start, body.indexOf('"', start));
    }
}
