package io.etcdj.ctl;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * A node of a keys answer as etcdctl sees it.
 *
 * @param nodes      the children of a directory that was listed; null when the answer had none
 * @param expiration the server's expiration time, passed through as it came; null if none
 * @param ttl        seconds left to live; 0 for a node without a TTL
 */
record Node(String key, boolean dir, String value, List<Node> nodes, long createdIndex, long modifiedIndex,
            String expiration, long ttl) {

    Node {
        nodes = nodes == null ? null : List.copyOf(nodes);
    }

    /** Reads a {@code node} (or {@code prevNode}) object; null when the field is absent or null. */
    static Node fromJson(JsonNode json) {
        if (json == null || json.isNull() || json.isMissingNode()) {
            return null;
        }
        List<Node> children = null;
        JsonNode list = json.get("nodes");
        if (list != null && list.isArray()) {
            children = new ArrayList<>();
            for (JsonNode child : list) {
                children.add(fromJson(child));
            }
        }
        JsonNode expiration = json.get("expiration");
        return new Node(json.path("key").asText(""), json.path("dir").asBoolean(false),
                json.path("value").asText(""), children, json.path("createdIndex").asLong(0),
                json.path("modifiedIndex").asLong(0),
                expiration == null || expiration.isNull() ? null : expiration.asText(), json.path("ttl").asLong(0));
    }
}
