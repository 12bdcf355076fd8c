package io.etcdj.ctl;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The three output formats, line for line as etcdctl v2 prints them. */
class ResponsePrinterTest {
    private static final Node KEY = new Node("/foo", false, "bar", null, 5, 7, null, 0);
    private static final Node OLD = new Node("/foo", false, "old", null, 5, 5, null, 0);

    @Test
    void simplePrintsTheValueOrForADeleteThePreviousValue() {
        assertEquals("bar\n", print(OutputFormat.SIMPLE, new KeysResponse("set", KEY, null, 7)));
        assertEquals("PrevNode.Value: old\n", print(OutputFormat.SIMPLE,
                new KeysResponse("delete", new Node("/foo", false, "", null, 5, 8, null, 0), OLD, 8)));
        assertEquals("", print(OutputFormat.SIMPLE,
                new KeysResponse("delete", new Node("/foo", false, "", null, 5, 8, null, 0), null, 8)),
                "a v0.2 server sends no prevNode: nothing to print");
    }

    @Test
    void extendedPrintsHeaderLinesThenABlankLineAndTheValue() {
        assertEquals("Key: /foo\nCreated-Index: 5\nModified-Index: 7\nPrevNode.Value: old\nTTL: 0\nIndex: 9\n\nbar\n",
                print(OutputFormat.EXTENDED, new KeysResponse("set", KEY, OLD, 9)));
        assertEquals("Key: /foo\nCreated-Index: 5\nModified-Index: 7\nTTL: 0\nIndex: 7\n",
                print(OutputFormat.EXTENDED, new KeysResponse("delete", KEY, null, 7)));
    }

    @Test
    void jsonFollowsTheGoClientsFieldsAndEscapes() {
        Node ttl = new Node("/a<b>", false, "x&y", null, 3, 4, "2026-01-01T00:00:00.5Z", 60);
        assertEquals("{\"action\":\"set\",\"node\":{\"key\":\"/a\\u003cb\\u003e\",\"value\":\"x\\u0026y\",\"nodes\":null,"
                + "\"createdIndex\":3,\"modifiedIndex\":4,\"expiration\":\"2026-01-01T00:00:00.5Z\",\"ttl\":60},"
                + "\"prevNode\":null}\n", print(OutputFormat.JSON, new KeysResponse("set", ttl, null, 4)));
        Node dir = new Node("/d", true, "", List.of(KEY), 2, 2, null, 0);
        assertEquals("{\"action\":\"get\",\"node\":{\"key\":\"/d\",\"dir\":true,\"value\":\"\",\"nodes\":[{\"key\":\"/foo\","
                + "\"value\":\"bar\",\"nodes\":null,\"createdIndex\":5,\"modifiedIndex\":7}],\"createdIndex\":2,"
                + "\"modifiedIndex\":2},\"prevNode\":null}\n", print(OutputFormat.JSON, new KeysResponse("get", dir, null, 7)));
    }

    @Test
    void simpleListingPrintsKeysDepthFirstWithSlashesWhenAsked() {
        Node sub = new Node("/d/sub", true, "", List.of(new Node("/d/sub/b", false, "2", null, 4, 4, null, 0)), 3, 3,
                null, 0);
        Node dir = new Node("/d", true, "", List.of(new Node("/d/a", false, "1", null, 2, 2, null, 0), sub), 1, 1, null, 0);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new ResponsePrinter(OutputFormat.SIMPLE, new PrintStream(bytes, true, StandardCharsets.UTF_8))
                .printListing(new KeysResponse("get", dir, null, 4), true);
        assertEquals("/d/a\n/d/sub/\n/d/sub/b\n", bytes.toString(StandardCharsets.UTF_8));
    }

    private static String print(OutputFormat format, KeysResponse response) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new ResponsePrinter(format, new PrintStream(bytes, true, StandardCharsets.UTF_8)).print(response);
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
