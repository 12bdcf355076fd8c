package io.etcdj.ctl;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A successful answer of the keys API.
 *
 * @param prevNode the node as it was before a write or delete; null when the server sent none
 *                 (etcd v0.2 never does; later servers do)
 * @param index    the store's index from the {@code X-Etcd-Index} header, 0 if absent
 */
record KeysResponse(String action, Node node, Node prevNode, long index) {

    static KeysResponse fromJson(JsonNode json, long index) {
        return new KeysResponse(json.path("action").asText(""), Node.fromJson(json.get("node")),
                Node.fromJson(json.get("prevNode")), index);
    }
}
