package io.etcdj.ctl;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.LinkedHashMap;
import java.util.Map;

/** The v2 keys API over a {@link ClusterClient}: one method per kind of request etcdctl makes. */
final class KeysApi {
    /** How a write treats an existing key: any, must exist, must not exist. */
    enum Exist { ANY, MUST, MUST_NOT }

    private final ClusterClient client;

    KeysApi(ClusterClient client) {
        this.client = client;
    }

    KeysResponse get(String key, boolean recursive, boolean sorted, boolean quorum, long deadline)
            throws ApiError, ClusterUnavailable, CommandFailure {
        Map<String, String> query = new LinkedHashMap<>();
        flag(query, "recursive", recursive);
        flag(query, "sorted", sorted);
        // v0.2's name for a read through the leader; later servers take it too.
        flag(query, "consistent", quorum);
        return call(new Request("GET", keyPath(key), query, Map.of(), false), deadline);
    }

    /**
     * A write of a key or (with {@code dir}) a directory.
     *
     * @param ttl seconds, 0 for none; prevValue empty and prevIndex 0 for no condition
     */
    KeysResponse set(String key, String value, boolean dir, long ttl, Exist exist, String prevValue, long prevIndex,
                     long deadline) throws ApiError, ClusterUnavailable, CommandFailure {
        Map<String, String> query = new LinkedHashMap<>();
        Map<String, String> form = new LinkedHashMap<>();
        if (dir) {
            query.put("dir", "true");
        } else {
            if (!prevValue.isEmpty()) {
                query.put("prevValue", prevValue);
            }
            form.put("value", value);
        }
        if (prevIndex != 0) {
            query.put("prevIndex", Long.toString(prevIndex));
        }
        if (exist != Exist.ANY) {
            query.put("prevExist", Boolean.toString(exist == Exist.MUST));
        }
        if (ttl > 0) {
            form.put("ttl", Long.toString(ttl));
        }
        return call(new Request("PUT", keyPath(key), query, form, false), deadline);
    }

    /** A POST under a directory: a new key named after its index. */
    KeysResponse createInOrder(String dirKey, String value, long ttl, long deadline)
            throws ApiError, ClusterUnavailable, CommandFailure {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("value", value);
        if (ttl > 0) {
            form.put("ttl", Long.toString(ttl));
        }
        return call(new Request("POST", keyPath(dirKey), Map.of(), form, false), deadline);
    }

    /** A delete, conditional when prevValue is not empty or prevIndex not 0 (compare-and-delete). */
    KeysResponse delete(String key, boolean dir, boolean recursive, String prevValue, long prevIndex, long deadline)
            throws ApiError, ClusterUnavailable, CommandFailure {
        Map<String, String> query = new LinkedHashMap<>();
        if (!prevValue.isEmpty()) {
            query.put("prevValue", prevValue);
        }
        if (prevIndex != 0) {
            query.put("prevIndex", Long.toString(prevIndex));
        }
        flag(query, "dir", dir);
        flag(query, "recursive", recursive);
        return call(new Request("DELETE", keyPath(key), query, Map.of(), false), deadline);
    }

    /** Waits for the next change at or after {@code waitIndex} (0: the next change from now). */
    KeysResponse watch(String key, long waitIndex, boolean recursive)
            throws ApiError, ClusterUnavailable, CommandFailure {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("wait", "true");
        if (waitIndex > 0) {
            query.put("waitIndex", Long.toString(waitIndex));
        }
        flag(query, "recursive", recursive);
        return call(new Request("GET", keyPath(key), query, Map.of(), true), Long.MAX_VALUE);
    }

    private KeysResponse call(Request request, long deadline) throws ApiError, ClusterUnavailable, CommandFailure {
        Reply reply = client.send(request, deadline);
        JsonNode json = ClusterClient.parse(reply.body());
        if (reply.status() == 200 || reply.status() == 201) {
            if (json == null || !json.has("node")) {
                throw new CommandFailure(CommandFailure.SERVER_ERROR,
                        "client: response is invalid json. The endpoint is probably not valid etcd cluster endpoint");
            }
            return KeysResponse.fromJson(json, reply.etcdIndex());
        }
        ApiError error = ApiError.fromJson(json);
        if (error != null) {
            throw error;
        }
        throw new CommandFailure(CommandFailure.SERVER_ERROR, "unexpected status code " + reply.status());
    }

    static String keyPath(String key) {
        return "/v2/keys" + (key.startsWith("/") ? key : "/" + key);
    }

    private static void flag(Map<String, String> query, String name, boolean on) {
        if (on) {
            query.put(name, "true");
        }
    }
}
