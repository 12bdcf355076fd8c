package io.etcdj.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class AnswerComparatorTest {
    private static final AnswerComparator.Options STRICT = AnswerComparator.Options.strict();

    private static final String SET_ANSWER = """
            {"status": 201,
             "headers": {"Content-Type": "application/json", "X-Etcd-Index": "2"},
             "body": {"action": "set", "node": {"key": "/foo", "value": "bar", "expiration": "2026-11-24T01:43:32.874158314Z",
                      "ttl": 5, "modifiedIndex": 2, "createdIndex": 2}}}""";

    private static final String LISTING = """
            {"status": 200, "headers": {"Content-Type": "application/json", "X-Etcd-Index": "4"},
             "body": {"action": "get", "node": {"key": "/d", "dir": true, "nodes": [
                 {"key": "/d/a", "value": "1", "modifiedIndex": 2, "createdIndex": 2},
                 {"key": "/d/b", "value": "2", "modifiedIndex": 3, "createdIndex": 3},
                 {"key": "/d/c", "value": "3", "modifiedIndex": 4, "createdIndex": 4}]}}}""";

    @Test
    void everyRecordedExpectationMatchesItselfAndFailsWhenItsStatusChanges() throws IOException {
        // given the reference recordings
        Path recordings = ConformanceIT.conformanceDir().resolve("expected-public.json");
        assumeTrue(Files.isRegularFile(recordings), "no conformance recordings at " + recordings);
        JsonNode document = Observation.JSON.readTree(recordings.toFile());
        AnswerComparator.Options options = new AnswerComparator.Options(Set.of("prevNode"), Set.of(), false, false);
        int compared = 0;
        for (JsonNode scenario : document.get("scenarios")) {
            for (JsonNode step : scenario.get("steps")) {
                if (!step.has("expect")) {
                    continue;
                }
                JsonNode expected = step.get("expect");
                // when an answer equal to the expectation is compared, then nothing differs
                assertEquals(List.of(), AnswerComparator.compare(expected, expected.deepCopy(), options.forStep(step)),
                        scenario.get("name") + ": " + step);
                // and when its status (or its timeout) changes, then it no longer matches
                ObjectNode changed = expected.deepCopy();
                if (expected.has("timeout")) {
                    changed = parse("{\"status\": 200, \"headers\": {}, \"body\": \"\"}");
                } else {
                    changed.put("status", expected.get("status").asInt() + 1);
                }
                assertFalse(AnswerComparator.compare(expected, changed, options.forStep(step)).isEmpty(),
                        scenario.get("name") + ": " + step);
                compared++;
            }
        }
        assertTrue(compared > 300, "only " + compared + " expectations found");
    }

    @Test
    void equalAnswerMatches() {
        assertMatches(SET_ANSWER, SET_ANSWER, STRICT);
    }

    @Test
    void changedStatusFails() {
        ObjectNode actual = parse(SET_ANSWER);
        actual.put("status", 200);
        assertDiffers(SET_ANSWER, actual, STRICT, "status: expected 201, got 200");
    }

    @Test
    void changedMissingOrExtraFieldFails() {
        ObjectNode changedValue = parse(SET_ANSWER);
        node(changedValue).put("value", "baz");
        assertDiffers(SET_ANSWER, changedValue, STRICT, "body.node.value");

        ObjectNode missing = parse(SET_ANSWER);
        node(missing).remove("createdIndex");
        assertDiffers(SET_ANSWER, missing, STRICT, "body.node.createdIndex: missing");

        ObjectNode extra = parse(SET_ANSWER);
        node(extra).put("dir", false);
        assertDiffers(SET_ANSWER, extra, STRICT, "body.node.dir: unexpected field");
    }

    @Test
    void extraFieldPassesOnlyWhenAllowed() {
        // given an answer that carries a prevNode the reference never sent
        ObjectNode actual = parse(SET_ANSWER);
        ((ObjectNode) actual.get("body")).set("prevNode", parse("{\"key\": \"/foo\", \"value\": \"old\"}"));
        // then it fails by default and passes when prevNode is allowed
        assertDiffers(SET_ANSWER, actual, STRICT, "body.prevNode: unexpected field");
        assertMatches(SET_ANSWER, actual, new AnswerComparator.Options(Set.of("prevNode"), Set.of(), false, false));
    }

    @Test
    void headersCompareExactlyWithoutExtrasButIgnoreFramingAndRaftHeaders() {
        ObjectNode changed = parse(SET_ANSWER);
        headers(changed).put("X-Etcd-Index", "3");
        assertDiffers(SET_ANSWER, changed, STRICT, "header X-Etcd-Index: expected '2', got '3'");

        ObjectNode missing = parse(SET_ANSWER);
        headers(missing).remove("X-Etcd-Index");
        assertDiffers(SET_ANSWER, missing, STRICT, "header X-Etcd-Index: missing");

        ObjectNode extra = parse(SET_ANSWER);
        headers(extra).put("X-Content-Type-Options", "nosniff");
        assertDiffers(SET_ANSWER, extra, STRICT, "header X-Content-Type-Options: unexpected");
        assertMatches(SET_ANSWER, extra,
                new AnswerComparator.Options(Set.of(), Set.of("x-content-type-options"), false, false));

        ObjectNode ignored = parse(SET_ANSWER);
        headers(ignored).put("Date", "Mon, 24 Nov 2025 08:00:00 GMT").put("X-Raft-Index", "9")
                .put("X-Raft-Term", "1").put("Content-Length", "99").put("Connection", "keep-alive");
        assertMatches(SET_ANSWER, ignored, STRICT);

        ObjectNode otherCase = parse(SET_ANSWER);
        headers(otherCase).remove("X-Etcd-Index");
        headers(otherCase).put("x-etcd-index", "2");
        assertMatches(SET_ANSWER, otherCase, STRICT);
    }

    @Test
    void ttlMayDifferByOneButNotByTwo() {
        for (int ttl : new int[] {4, 6}) {
            ObjectNode actual = parse(SET_ANSWER);
            node(actual).put("ttl", ttl);
            assertMatches(SET_ANSWER, actual, STRICT);
        }
        for (int ttl : new int[] {3, 7}) {
            ObjectNode actual = parse(SET_ANSWER);
            node(actual).put("ttl", ttl);
            assertDiffers(SET_ANSWER, actual, STRICT, "body.node.ttl: expected 5 (+-1), got " + ttl);
        }
        // the tolerance belongs to ttl only
        ObjectNode index = parse(SET_ANSWER);
        node(index).put("modifiedIndex", 3);
        assertDiffers(SET_ANSWER, index, STRICT, "body.node.modifiedIndex: expected 2, got 3");
    }

    @Test
    void timestampMatchesAnyTimestampButNothingElse() {
        for (String stamp : new String[] {"2031-01-02T03:04:05Z", "2031-01-02T03:04:05.123+02:00"}) {
            ObjectNode actual = parse(SET_ANSWER);
            node(actual).put("expiration", stamp);
            assertMatches(SET_ANSWER, actual, STRICT);
        }
        ObjectNode text = parse(SET_ANSWER);
        node(text).put("expiration", "tomorrow");
        assertDiffers(SET_ANSWER, text, STRICT, "body.node.expiration: expected an RFC 3339 timestamp");
        ObjectNode number = parse(SET_ANSWER);
        node(number).put("expiration", 1700000000);
        assertDiffers(SET_ANSWER, number, STRICT, "body.node.expiration: expected an RFC 3339 timestamp");
    }

    @Test
    void listsAreMultisetsUnlessOrdered() {
        // given the same children in another order
        ObjectNode reordered = parse(LISTING);
        var nodes = (com.fasterxml.jackson.databind.node.ArrayNode) node(reordered).get("nodes");
        JsonNode first = nodes.remove(0);
        nodes.add(first);
        // then they match as a multiset but not in order
        assertMatches(LISTING, reordered, STRICT);
        assertDiffers(LISTING, reordered, new AnswerComparator.Options(Set.of(), Set.of(), true, false),
                "body.node.nodes[0].key: expected \"/d/a\", got \"/d/b\"");
    }

    @Test
    void multisetNeedsADistinctMatchForEveryElement() {
        String twice = "{\"status\": 200, \"headers\": {}, \"body\": [\"a\", \"a\", \"b\"]}";
        assertDiffers(twice, parse("{\"status\": 200, \"headers\": {}, \"body\": [\"a\", \"b\", \"b\"]}"), STRICT,
                "body: expected element not found: \"a\"");
        assertDiffers(twice, parse("{\"status\": 200, \"headers\": {}, \"body\": [\"b\", \"a\"]}"), STRICT,
                "body: expected element not found");
        assertDiffers(twice, parse("{\"status\": 200, \"headers\": {}, \"body\": [\"a\", \"b\", \"a\", \"c\"]}"), STRICT,
                "body: unexpected element: \"c\"");
        assertMatches(twice, parse("{\"status\": 200, \"headers\": {}, \"body\": [\"b\", \"a\", \"a\"]}"), STRICT);
    }

    @Test
    void fieldsOnlyComparesNamesNotValues() {
        AnswerComparator.Options fieldsOnly = new AnswerComparator.Options(Set.of(), Set.of(), false, true);
        ObjectNode otherValues = parse(LISTING);
        node(otherValues).put("key", "/elsewhere");
        ((ObjectNode) node(otherValues).get("nodes").get(0)).put("value", "changed");
        assertMatches(LISTING, otherValues, fieldsOnly);

        ObjectNode missing = parse(LISTING);
        node(missing).remove("dir");
        assertDiffers(LISTING, missing, fieldsOnly, "body.node.dir: missing");
        ObjectNode extra = parse(LISTING);
        node(extra).put("ttl", 3);
        assertDiffers(LISTING, extra, fieldsOnly, "body.node.ttl: unexpected field");
    }

    @Test
    void textBodiesCompareExactly() {
        String notFound = "{\"status\": 404, \"headers\": {\"Content-Type\": \"text/plain; charset=utf-8\"}, "
                + "\"body\": \"404 page not found\\n\"}";
        assertMatches(notFound, parse(notFound), STRICT);
        ObjectNode noNewline = parse(notFound);
        noNewline.put("body", "404 page not found");
        assertDiffers(notFound, noNewline, STRICT, "body: expected text");
        ObjectNode json = parse(notFound);
        json.set("body", parse("{\"message\": \"404 page not found\"}"));
        assertDiffers(notFound, json, STRICT, "body: expected text");
        // and a JSON expectation is not met by text
        ObjectNode text = parse(SET_ANSWER);
        text.put("body", "{\"action\": \"set\"");
        assertDiffers(SET_ANSWER, text, STRICT, "body: expected JSON");
    }

    @Test
    void valuesKeepTheirJsonTypes() {
        String one = "{\"status\": 200, \"headers\": {}, \"body\": {\"n\": 1, \"b\": true, \"z\": null}}";
        assertMatches(one, parse("{\"status\": 200, \"headers\": {}, \"body\": {\"n\": 1.0, \"b\": true, \"z\": null}}"), STRICT);
        assertDiffers(one, parse("{\"status\": 200, \"headers\": {}, \"body\": {\"n\": \"1\", \"b\": true, \"z\": null}}"),
                STRICT, "body.n");
        assertDiffers(one, parse("{\"status\": 200, \"headers\": {}, \"body\": {\"n\": 1, \"b\": 1, \"z\": null}}"),
                STRICT, "body.b");
        assertDiffers(one, parse("{\"status\": 200, \"headers\": {}, \"body\": {\"n\": 1, \"b\": true, \"z\": \"\"}}"),
                STRICT, "body.z");
    }

    @Test
    void timeoutExpectationsMatchOnlyTimeouts() {
        String timeout = "{\"timeout\": true}";
        assertMatches(timeout, parse(timeout), STRICT);
        assertDiffers(timeout, parse(SET_ANSWER), STRICT, "timeout: expected true, got null");
        assertDiffers(SET_ANSWER, parse(timeout), STRICT, "timeout: expected null, got true");
        assertDiffers(SET_ANSWER, Observation.error(new java.net.ConnectException()), STRICT, "error: expected null");
    }

    @Test
    void repeatedRequestsWithDifferentStatusesFail() {
        ObjectNode actual = parse(SET_ANSWER);
        actual.set("repeat_statuses", parse("[\"200\", \"201\"]"));
        assertDiffers(SET_ANSWER, actual, STRICT, "repeat: responses had different statuses");
    }

    private static void assertMatches(String expected, JsonNode actual, AnswerComparator.Options options) {
        assertEquals(List.of(), AnswerComparator.compare(parse(expected), actual, options));
    }

    private static void assertMatches(String expected, String actual, AnswerComparator.Options options) {
        assertMatches(expected, parse(actual), options);
    }

    private static void assertDiffers(String expected, JsonNode actual, AnswerComparator.Options options, String diffPrefix) {
        List<String> diffs = AnswerComparator.compare(parse(expected), actual, options);
        assertFalse(diffs.isEmpty(), "expected a difference for " + actual);
        List<String> matching = new ArrayList<>(diffs);
        matching.removeIf(d -> !d.startsWith(diffPrefix));
        assertFalse(matching.isEmpty(), "no difference starting with '" + diffPrefix + "' in " + diffs);
    }

    private static ObjectNode node(ObjectNode answer) {
        return (ObjectNode) answer.get("body").get("node");
    }

    private static ObjectNode headers(ObjectNode answer) {
        return (ObjectNode) answer.get("headers");
    }

    @SuppressWarnings("unchecked")
    private static <T extends JsonNode> T parse(String json) {
        try {
            return (T) Observation.JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException(json, e);
        }
    }
}
