package io.etcdj.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.etcdj.http.EmbeddedClient.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Absurd numbers in every numeric parameter: the reference's error, or an ordinary answer, never a 500. */
class BadNumbersTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TTL_NAN = "The given TTL in POST form is not a number";
    private static final String INDEX_NAN = "The given index in POST form is not a number";
    /** Not a decimal that fits in 64 bits, for a signed and for an unsigned parameter. */
    private static final List<String> NOT_NUMBERS = List.of("abc", "1.5", "1e9999", "1e3", "99999999999999999999",
            "-99999999999999999999", "0x10", " 1", "1 ", "+", "-", "--1", "+-1", "\u0661", "\uff19", "1_000",
            "\u221e", "NaN", "Infinity", "1\u0000", "\u00b9");
    private static final List<String> NOT_UNSIGNED = List.of("-1", "+1", "-0", "18446744073709551616");

    private final FakeEtcdServer server = new FakeEtcdServer(Clock.systemUTC());
    private EmbeddedClient client = new EmbeddedClient(server, HttpOptions.defaults());

    @AfterEach
    void close() {
        client.close();
    }

    private static void assertError(Response r, int code, String message, String cause) throws Exception {
        assertEquals(400, r.status(), r.body());
        JsonNode error = JSON.readTree(r.body());
        assertEquals(code, error.get("errorCode").asInt(), r.body());
        assertEquals(message, error.get("message").asText());
        assertEquals(cause, error.get("cause").asText());
    }

    @Test
    void aTtlThatIsNotA64BitDecimalIs202InEveryHandler() throws Exception {
        for (String ttl : NOT_NUMBERS) {
            assertError(client.form("PUT", "/v2/keys/t", "value", "v", "ttl", ttl), 202, TTL_NAN, "Update");
            assertError(client.form("PUT", "/v2/keys/t?prevExist=true", "value", "v", "ttl", ttl), 202, TTL_NAN,
                    "Update");
            assertError(client.form("POST", "/v2/keys/q", "value", "v", "ttl", ttl), 202, TTL_NAN, "Create");
            assertError(client.form("POST", "/v1/keys/t", "value", "v", "ttl", ttl), 202, TTL_NAN, "Set");
        }
        assertEquals(0, server.proposals.get());
    }

    @Test
    void theExtremeTtlsTheReferenceAcceptsAreAnsweredWithoutFailing() throws Exception {
        for (String ttl : List.of("9223372036854775807", "-9223372036854775808", "9223372036", "-9223372036",
                "+0", "-0", "0", "1")) {
            Response set = client.form("PUT", "/v2/keys/t", "value", "v", "ttl", ttl);
            assertTrue(set.status() == 200 || set.status() == 201, ttl + ": " + set.body());
            assertEquals("set", JSON.readTree(set.body()).get("action").asText(), ttl);
            Response v1 = client.form("POST", "/v1/keys/t1", "value", "v", "ttl", ttl);
            assertEquals(200, v1.status(), ttl + ": " + v1.body());
            Response read = client.get("/v2/keys/?recursive=true");
            assertEquals(200, read.status(), ttl + ": " + read.body());
        }
    }

    @Test
    void aPrevIndexThatIsNotAnUnsigned64BitDecimalIs203() throws Exception {
        client.form("PUT", "/v2/keys/k", "value", "one");
        for (String prevIndex : concat(NOT_NUMBERS, NOT_UNSIGNED)) {
            assertError(client.form("PUT", "/v2/keys/k", "value", "two", "prevIndex", prevIndex), 203, INDEX_NAN,
                    "CompareAndSwap");
        }
        Response largest = client.form("PUT", "/v2/keys/k", "value", "two", "prevIndex", "18446744073709551615");
        assertEquals(412, largest.status(), largest.body());
        assertEquals(101, JSON.readTree(largest.body()).get("errorCode").asInt());
    }

    @Test
    void aWaitIndexThatIsNotAnUnsigned64BitDecimalIs203AndTheLargestWaits() throws Exception {
        for (String waitIndex : concat(NOT_NUMBERS, NOT_UNSIGNED)) {
            String target = "/v2/keys/w?wait=true&waitIndex=" + URLEncoder.encode(waitIndex, StandardCharsets.UTF_8);
            assertError(client.get(target), 203, INDEX_NAN, "Watch From Index");
        }
        client.writeRaw("GET /v2/keys/w?wait=true&waitIndex=18446744073709551615 HTTP/1.1\r\nHost: x\r\n\r\n");

        assertNull(client.poll(false));
        assertEquals(1, JSON.readTree(server.store().statsJson()).get("watchers").asLong());
    }

    @Test
    void aV1WatchIndexThatIsNotAnUnsigned64BitDecimalIs203() throws Exception {
        for (String index : concat(NOT_NUMBERS, NOT_UNSIGNED)) {
            assertError(client.form("POST", "/v1/watch/w", "index", index), 203, INDEX_NAN, "Watch From Index");
        }
        client.writeRaw("POST /v1/watch/w HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                + "Content-Length: 26\r\n\r\nindex=18446744073709551615");

        assertNull(client.poll(false));
        assertEquals(1, JSON.readTree(server.store().statsJson()).get("watchers").asLong());
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return Stream.concat(a.stream(), b.stream()).toList();
    }
}
