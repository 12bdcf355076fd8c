package io.etcdj.http;

import io.etcdj.store.Event;
import io.etcdj.store.NodeView;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class EventJsonTest {

    private static NodeView file(String key, String value, long modified, long created) {
        return new NodeView(key, value, null, false, null, 0, null, modified, created);
    }

    private static String v2(Event e) {
        return new String(EventJson.v2(e), StandardCharsets.UTF_8);
    }

    private static String v1(Event e, long index) {
        return new String(EventJson.v1(e, index), StandardCharsets.UTF_8);
    }

    @Test
    void v2NodeFieldsComeInTheReferenceOrderWithEmptyOnesLeftOut() {
        Instant expiration = Instant.parse("2026-11-24T01:45:11.218362556Z");
        NodeView child = new NodeView("/d/x", "1", null, false, expiration, 60, null, 3, 2);
        NodeView dir = new NodeView("/d", null, null, true, null, 0, List.of(child), 2, 2);

        assertEquals("{\"action\":\"get\",\"node\":{\"key\":\"/d\",\"dir\":true,\"nodes\":[{\"key\":\"/d/x\","
                        + "\"value\":\"1\",\"expiration\":\"2026-11-24T01:45:11.218362556Z\",\"ttl\":60,"
                        + "\"modifiedIndex\":3,\"createdIndex\":2}],\"modifiedIndex\":2,\"createdIndex\":2}}",
                v2(new Event("get", dir)));
    }

    @Test
    void theRootHasNoIndexesAndAnEmptyValueIsOmitted() {
        NodeView root = new NodeView("/", null, null, true, null, 0, List.of(), 0, 0);

        assertEquals("{\"action\":\"get\",\"node\":{\"key\":\"/\",\"dir\":true}}", v2(new Event("get", root)));
        assertEquals("{\"action\":\"set\",\"node\":{\"key\":\"/e\",\"modifiedIndex\":2,\"createdIndex\":2}}",
                v2(new Event("set", file("/e", "", 2, 2))));
    }

    @Test
    void expirationDropsTrailingZerosOfTheFraction() {
        assertEquals("2026-01-02T03:04:05Z", EventJson.rfc3339Nano(Instant.parse("2026-01-02T03:04:05Z")));
        assertEquals("2026-01-02T03:04:05.5Z", EventJson.rfc3339Nano(Instant.parse("2026-01-02T03:04:05.500Z")));
        assertEquals("2026-01-02T03:04:05.00012Z",
                EventJson.rfc3339Nano(Instant.parse("2026-01-02T03:04:05.000120Z")));
    }

    @Test
    void htmlSignificantCharactersAreEscapedLikeTheReference() {
        String json = v2(new Event("get", file("/k", "<a&b>\u2028", 2, 2)));

        assertEquals("{\"action\":\"get\",\"node\":{\"key\":\"/k\",\"value\":\"\\u003ca\\u0026b\\u003e\\u2028\","
                + "\"modifiedIndex\":2,\"createdIndex\":2}}", json);
    }

    @Test
    void v1SetOfANewKeyIsMarkedNewAndAReplaceCarriesThePreviousValue() {
        NodeView created = file("/a", "1", 2, 2);
        NodeView replaced = new NodeView("/a", "2", "1", false, null, 0, null, 3, 3);

        assertEquals("{\"action\":\"set\",\"key\":\"/a\",\"value\":\"1\",\"newKey\":true,\"index\":2}",
                v1(new Event("set", created), 0));
        assertEquals("{\"action\":\"set\",\"key\":\"/a\",\"prevValue\":\"1\",\"value\":\"2\",\"index\":3}",
                v1(new Event("set", replaced), 0));
    }

    @Test
    void v1CallsCompareAndSwapAndCreateTestAndSet() {
        NodeView swapped = new NodeView("/k", "2", "1", false, null, 0, null, 3, 2);

        assertEquals("{\"action\":\"testAndSet\",\"key\":\"/k\",\"prevValue\":\"1\",\"value\":\"2\",\"index\":3}",
                v1(new Event("compareAndSwap", swapped), 0));
        assertEquals("{\"action\":\"testAndSet\",\"key\":\"/n\",\"value\":\"1\",\"index\":4}",
                v1(new Event("create", file("/n", "1", 4, 4)), 0));
    }

    @Test
    void v1GetOfADirectoryIsTheArrayOfItsChildrenAtTheCurrentIndex() {
        NodeView dir = new NodeView("/d", null, null, true, null, 0, List.of(
                file("/d/a", "1", 2, 2),
                new NodeView("/d/sub", null, null, true, null, 0, null, 4, 4)), 2, 2);
        NodeView empty = new NodeView("/e", null, null, true, null, 0, null, 6, 6);

        assertEquals("[{\"action\":\"get\",\"key\":\"/d/a\",\"value\":\"1\",\"index\":5},"
                + "{\"action\":\"get\",\"key\":\"/d/sub\",\"dir\":true,\"index\":5}]", v1(new Event("get", dir), 5));
        assertEquals("[]", v1(new Event("get", empty), 6));
    }

    @Test
    void v1GetReportsTheCurrentIndexAndTheTtl() {
        Instant expiration = Instant.parse("2026-11-24T01:43:48.397271675Z");
        NodeView node = new NodeView("/t", "v", null, false, expiration, 1, null, 2, 2);

        assertEquals("{\"action\":\"get\",\"key\":\"/t\",\"value\":\"v\","
                + "\"expiration\":\"2026-11-24T01:43:48.397271675Z\",\"ttl\":1,\"index\":9}", v1(new Event("get", node), 9));
    }

    @Test
    void aListingThousandsOfLevelsDeepIsWrittenWithoutRecursion() {
        int levels = 4 * RequestLimits.MAX_KEY_LEVELS;
        NodeView node = file("/k".repeat(levels), "bottom", 2, 2);
        for (int depth = levels - 1; depth >= 1; depth--) {
            node = new NodeView("/k".repeat(depth), null, null, true, null, 0, List.of(node), 2, 2);
        }

        String json = v2(new Event("get", node));

        assertEquals(levels, json.split("\"nodes\":\\[", -1).length);
        assertEquals(true, json.endsWith("]" + ",\"modifiedIndex\":2,\"createdIndex\":2}}"));
        assertEquals(true, json.contains("\"value\":\"bottom\""));
    }
}
