package io.etcdj.peer;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

class JoinRequestTest {
    private static JoinRequest read(String json) throws IOException {
        return JoinRequest.fromJson(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void writesTheReferencesFieldsInItsOrderWithTheJoinIdLast() {
        JoinRequest r = new JoinRequest(2, 2, "m1", "http://127.0.0.1:7002", "http://127.0.0.1:4002", "id-1");
        assertEquals("{\"minVersion\":2,\"maxVersion\":2,\"name\":\"m1\",\"raftURL\":\"http://127.0.0.1:7002\","
                + "\"etcdURL\":\"http://127.0.0.1:4002\",\"joinID\":\"id-1\"}", r.toJson());
    }

    @Test
    void readsWhatItWritesEvenWithCharactersToEscape() throws IOException {
        JoinRequest r = new JoinRequest(2, 3, "m\"1\\é", "http://h:7001/?a=\"b\"", "http://h:4001", "x\ty");
        assertEquals(r, read(r.toJson()));
    }

    @Test
    void readsTheReferencesRequestWithoutAJoinId() throws IOException {
        JoinRequest r = read("{\"minVersion\":2,\"maxVersion\":2,\"name\":\"m1\","
                + "\"raftURL\":\"http://h:7001\",\"etcdURL\":\"http://h:4001\"}\n");
        assertEquals(new JoinRequest(2, 2, "m1", "http://h:7001", "http://h:4001", ""), r);
    }

    @Test
    void fieldNamesMatchInAnyCaseAndUnknownFieldsAreSkipped() throws IOException {
        JoinRequest r = read("{\"MINVERSION\":2,\"extra\":{\"nested\":[1,{\"name\":\"no\"}]},\"maxversion\":2,"
                + "\"Name\":\"m1\",\"RaftUrl\":\"http://h:7001\",\"list\":[\"name\"],\"etcdurl\":\"http://h:4001\","
                + "\"JOINID\":\"j\"}");
        assertEquals(new JoinRequest(2, 2, "m1", "http://h:7001", "http://h:4001", "j"), r);
    }

    @Test
    void missingOrNullFieldsAreZeroOrEmpty() throws IOException {
        assertEquals(new JoinRequest(0, 0, "", "", "", ""), read("{}"));
        assertEquals(new JoinRequest(0, 0, "", "", "", ""),
                read("{\"minVersion\":null,\"name\":null,\"raftURL\":null,\"joinID\":null}"));
    }

    @Test
    void scalarsAreTakenAsDataBindingTookThem() throws IOException {
        JoinRequest r = read("{\"minVersion\":\"2\",\"maxVersion\":2.0,\"name\":7,\"raftURL\":true}");
        assertEquals(new JoinRequest(2, 2, "7", "true", "", ""), r);
        assertEquals("m2", read("{\"name\":\"m1\",\"name\":\"m2\"}").name(), "the last of two fields wins");
    }

    @Test
    void refusesWhatIsNotAJoinRequest() {
        String[] bad = {
                "", "null", "[]", "\"m1\"", "{", "{\"name\":\"m1\"", "{\"name\":{\"a\":1}}", "{\"name\":[\"m1\"]}",
                "{\"minVersion\":\"two\"}", "{\"minVersion\":true}", "{\"minVersion\":1e400}",
                "{\"minVersion\":" + "9".repeat(1000) + "}", "{\"minVersion\":99999999999}",
                "{\"name\":" + "{\"a\":".repeat(100) + "1" + "}".repeat(101),
        };
        for (String json : bad) {
            assertThrows(IOException.class, () -> read(json), json);
        }
    }
}
