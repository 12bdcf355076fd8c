package io.etcdj.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ObservationTest {

    @Test
    void serverPortsBecomePlaceholdersInPlainAndPercentEncodedForm() {
        // given a server on client port 4001 and peer port 7001
        String text = "etcd=http%3A%2F%2F127.0.0.1%3A4001&raft=http%3A%2F%2F127.0.0.1%3a7001 http://127.0.0.1:7001,"
                + " 127.0.0.1:40011 127.0.0.1:8080";
        // when the ports are replaced, then only exact matches of the two ports change
        assertEquals("etcd=http%3A%2F%2F127.0.0.1%3A{cport}&raft=http%3A%2F%2F127.0.0.1%3a{pport} http://127.0.0.1:{pport},"
                + " 127.0.0.1:40011 127.0.0.1:8080", Observation.withPlaceholders(text, 4001, 7001));
    }

    @Test
    void answerBecomesStatusCanonicalHeadersAndJsonBody() {
        // given an answer with framing, raft and repeated headers and a JSON body naming the peer port
        HttpAnswer answer = new HttpAnswer(200, "OK", List.of(
                Map.entry("content-type", "application/json"),
                Map.entry("x-etcd-index", "7"),
                Map.entry("X-Raft-Index", "9"),
                Map.entry("Date", "Mon, 24 Nov 2025 08:00:00 GMT"),
                Map.entry("Transfer-Encoding", "chunked"),
                Map.entry("Vary", "Origin"),
                Map.entry("vary", "Accept")),
                "{\"leader\": \"http://127.0.0.1:7001\"}".getBytes(StandardCharsets.UTF_8));
        // when it is observed
        JsonNode observed = Observation.of(answer, 4001, 7001);
        // then
        assertEquals(200, observed.get("status").asInt());
        assertEquals("{\"Content-Type\":\"application/json\",\"X-Etcd-Index\":\"7\",\"Vary\":\"Origin, Accept\"}",
                observed.get("headers").toString());
        assertEquals("http://127.0.0.1:{pport}", observed.get("body").get("leader").asText());
    }

    @Test
    void scalarsAndMalformedJsonStayText() {
        for (String text : new String[] {"2", "\"quoted\"", "", "etcd v0.2.0", "{\"a\": 1} trailing", "404 page not found\n"}) {
            JsonNode body = Observation.of(new HttpAnswer(200, "OK", List.of(), text.getBytes(StandardCharsets.UTF_8)), 1, 2)
                    .get("body");
            assertTrue(body.isTextual(), text);
            assertEquals(text, body.asText());
        }
        JsonNode list = Observation.of(new HttpAnswer(200, "OK", List.of(), " [1, 2] ".getBytes(StandardCharsets.UTF_8)), 1, 2)
                .get("body");
        assertTrue(list.isArray());
    }

    @Test
    void headerNamesAreCanonicalized() {
        assertEquals("X-Etcd-Index", Observation.canonicalHeader("x-ETCD-index"));
        assertEquals("Content-Type", Observation.canonicalHeader("content-type"));
        assertEquals("Www-Authenticate", Observation.canonicalHeader("WWW-Authenticate"));
    }
}
