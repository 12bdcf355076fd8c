package io.etcdj.ctl;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** What etcdctl reads: Go durations, error bodies, member lists, and the paths it writes. */
class ParsingTest {

    @Test
    void goDurations() {
        assertEquals(Duration.ofSeconds(2), GoDuration.parse("2s"));
        assertEquals(Duration.ofMillis(1500), GoDuration.parse("1.5s"));
        assertEquals(Duration.ofSeconds(90), GoDuration.parse("1m30s"));
        assertEquals(Duration.ofMillis(500), GoDuration.parse("500ms"));
        assertEquals(Duration.ZERO, GoDuration.parse("0"));
        assertThrows(IllegalArgumentException.class, () -> GoDuration.parse("5"));
        assertThrows(IllegalArgumentException.class, () -> GoDuration.parse("soon"));
    }

    @Test
    void anErrorBodyBecomesEtcdctlsErrorText() {
        ApiError error = ApiError.fromJson(ClusterClient.parse(
                "{\"errorCode\":100,\"message\":\"Key not found\",\"cause\":\"/foo\",\"index\":12}"));
        assertEquals("100: Key not found (/foo) [12]", error.getMessage());
        assertNull(ApiError.fromJson(ClusterClient.parse("{\"action\":\"get\"}")));
    }

    @Test
    void membersFromV2MembersAndFromTheV02Registry() {
        List<Member> members = Member.parseList("{\"members\":[{\"id\":\"a1\",\"name\":\"m0\",\"peerURLs\":"
                + "[\"http://127.0.0.1:7001\"],\"clientURLs\":[\"http://127.0.0.1:4001\"]}]}");
        assertEquals(List.of(new Member("a1", "m0", List.of("http://127.0.0.1:7001"), List.of("http://127.0.0.1:4001"))),
                members);
        List<Member> registry = Member.parseRegistry("{\"action\":\"get\",\"node\":{\"key\":\"/_etcd/machines\",\"dir\":true,"
                + "\"nodes\":[{\"key\":\"/_etcd/machines/m1\",\"value\":\"etcd=http%3A%2F%2F127.0.0.1%3A4002"
                + "&raft=http%3A%2F%2F127.0.0.1%3A7002\"}]}}");
        assertEquals(List.of(new Member("m1", "m1", List.of("http://127.0.0.1:7002"), List.of("http://127.0.0.1:4002"))),
                registry);
    }

    @Test
    void keysAreEscapedInThePathAndOptionsGoInTheQuery() {
        assertEquals("/v2/keys/a%20b/%C3%A9", Request.escapePath(KeysApi.keyPath("a b/é")));
        Request request = new Request("DELETE", "/v2/keys/k", java.util.Map.of("prevValue", "x y", "dir", "true"),
                java.util.Map.of(), false);
        assertEquals("/v2/keys/k?dir=true&prevValue=x+y", request.target());
    }

    @Test
    void outputFormats() {
        assertEquals(OutputFormat.JSON, OutputFormat.parse("json"));
        assertThrows(IllegalArgumentException.class, () -> OutputFormat.parse("yaml"));
    }
}
