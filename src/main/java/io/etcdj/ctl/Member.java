package io.etcdj.ctl;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A member of the cluster as {@code /v2/members} describes it. */
record Member(String id, String name, List<String> peerUrls, List<String> clientUrls) {

    Member {
        peerUrls = List.copyOf(peerUrls);
        clientUrls = List.copyOf(clientUrls);
    }

    /** Reads {@code {"members":[{"id":..,"name":..,"peerURLs":[..],"clientURLs":[..]}]}}. */
    static List<Member> parseList(String body) {
        JsonNode json = ClusterClient.parse(body);
        List<Member> members = new ArrayList<>();
        if (json == null) {
            return members;
        }
        for (JsonNode m : json.path("members")) {
            members.add(new Member(m.path("id").asText(""), m.path("name").asText(""),
                    strings(m.path("peerURLs")), strings(m.path("clientURLs"))));
        }
        return members;
    }

    /**
     * Reads the machine registry that etcd v0.2 keeps under {@code /_etcd/machines}, each value
     * {@code etcd=<client url>&raft=<peer url>}; a v0.2 machine has no id, so its name stands in.
     */
    static List<Member> parseRegistry(String body) {
        JsonNode json = ClusterClient.parse(body);
        List<Member> members = new ArrayList<>();
        if (json == null) {
            return members;
        }
        for (JsonNode node : json.path("node").path("nodes")) {
            String key = node.path("key").asText("");
            String name = key.substring(key.lastIndexOf('/') + 1);
            List<String> client = new ArrayList<>();
            List<String> peer = new ArrayList<>();
            for (String field : node.path("value").asText("").split("&")) {
                int eq = field.indexOf('=');
                if (eq < 0) {
                    continue;
                }
                String value = URLDecoder.decode(field.substring(eq + 1), StandardCharsets.UTF_8);
                switch (field.substring(0, eq)) {
                    case "etcd" -> client.add(value);
                    case "raft" -> peer.add(value);
                    default -> { }
                }
            }
            members.add(new Member(name, name, peer, client));
        }
        return members;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(s -> out.add(s.asText()));
        return out;
    }
}
