package io.etcdj.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The expected strings are what the recording tool (Python's urllib) produced for the same input. */
class ScenarioRequestTest {

    @Test
    void pathIsSentAsWrittenExceptSpacesAndNonAscii() {
        assertEquals("/v2/keys/a%20b/../c//d", ScenarioRequest.quotePath("/v2/keys/a%20b/../c//d"));
        assertEquals("/v2/keys/h%C3%A9llo%20%E2%98%83%20%E4%BD%A0%E5%A5%BD",
                ScenarioRequest.quotePath("/v2/keys/héllo ☃ 你好"));
        assertEquals("/v2/keys/x%22%3C%3E%5C%5E%60%7B%7C%7D", ScenarioRequest.quotePath("/v2/keys/x\"<>\\^`{|}"));
    }

    @Test
    void formObjectsKeepOrderEncodeReservedCharactersAndRepeatListKeys() throws IOException {
        assertEquals("value=a%26b%3Dc%2Bd%2520e&ttl=1", ScenarioRequest.formEncode(json("{\"value\": \"a&b=c+d%20e\", \"ttl\": \"1\"}")));
        assertEquals("value=line1%0Aline2%09tab", ScenarioRequest.formEncode(json("{\"value\": \"line1\\nline2\\ttab\"}")));
        assertEquals("value=h%C3%A9llo+%E2%98%83+%E4%BD%A0%E5%A5%BD&k=1&k=2",
                ScenarioRequest.formEncode(json("{\"value\": \"héllo ☃ 你好\", \"k\": [\"1\", \"2\"]}")));
        assertEquals("a%2A~+b%21%27%28%29", ScenarioRequest.quotePlus("a*~ b!'()"));
    }

    @Test
    void formStepBecomesAFormBodyAndQueryJoinsTheTarget() throws IOException {
        // given a PUT step with a query and a form
        JsonNode step = json("{\"method\": \"PUT\", \"path\": \"/v2/keys/k\", \"query\": {\"prevExist\": \"false\"},"
                + " \"form\": {\"value\": \"v w\"}, \"timeout\": 1.5}");
        // when it is encoded
        ScenarioRequest request = ScenarioRequest.of(step);
        // then
        assertEquals("PUT", request.method());
        assertEquals("/v2/keys/k?prevExist=false", request.target());
        assertEquals("value=v+w", new String(request.body(), StandardCharsets.UTF_8));
        assertEquals(List.of(Map.entry("Content-Type", "application/x-www-form-urlencoded")), request.headers());
        assertEquals(Duration.ofMillis(1500), request.timeout());
        assertFalse(request.followRedirects());
    }

    @Test
    void rawQueryAndRawFormAreUsedVerbatim() throws IOException {
        ScenarioRequest request = ScenarioRequest.of(json(
                "{\"method\": \"PUT\", \"path\": \"/v2/keys/q\", \"query\": \"a=1&a=2\", \"form\": \"value=first&value=second\"}"));
        assertEquals("/v2/keys/q?a=1&a=2", request.target());
        assertEquals("value=first&value=second", new String(request.body(), StandardCharsets.UTF_8));
    }

    @Test
    void plainGetHasNoBodyAndFollowsRedirectsOnlyWhenAsked() throws IOException {
        ScenarioRequest get = ScenarioRequest.of(json("{\"path\": \"/v2/keys//x\", \"follow_redirects\": true}"));
        assertEquals("GET", get.method());
        assertEquals("/v2/keys//x", get.target());
        assertNull(get.body());
        assertTrue(get.followRedirects());
        assertEquals(Duration.ofSeconds(10), get.timeout());
    }

    @Test
    void rawBodyGetsNoContentTypeOfItsOwn() throws IOException {
        ScenarioRequest request = ScenarioRequest.of(json(
                "{\"method\": \"POST\", \"path\": \"/x\", \"body\": \"raw\", \"headers\": {\"X-A\": \"1\"}}"));
        assertEquals(List.of(Map.entry("X-A", "1")), request.headers());
        assertEquals("raw", new String(request.body(), StandardCharsets.UTF_8));
    }

    private static JsonNode json(String text) throws IOException {
        return Observation.JSON.readTree(text);
    }
}
