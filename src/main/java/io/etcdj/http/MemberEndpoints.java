package io.etcdj.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.etcdj.server.EtcdServer;
import io.etcdj.server.Registry;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Extensions that later v2 clients need to find and check the cluster: {@code GET /v2/members}
 * (clients that sync their endpoint list read it) and {@code GET /health}. v0.2.0 had neither path,
 * so no answer of the reference changes; neither reads the store, so the store statistics do not
 * move either.
 */
final class MemberEndpoints {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] HEALTHY = "{\"health\": \"true\"}".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] UNHEALTHY = "{\"health\": \"false\"}".getBytes(StandardCharsets.US_ASCII);

    private final EtcdServer server;

    MemberEndpoints(EtcdServer server) {
        this.server = server;
    }

    /** {@code {"members":[{"id","name","peerURLs","clientURLs"}]}}, by name. */
    CompletableFuture<Reply> members(ClientRequest request) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode list = root.putArray("members");
        server.machines().stream().sorted(Comparator.comparing(Registry.Machine::name)).forEach(m -> {
            ObjectNode member = list.addObject();
            member.put("id", memberId(m.name()));
            member.put("name", m.name());
            member.putArray("peerURLs").add(m.peerUrl());
            member.putArray("clientURLs").add(m.clientUrl());
        });
        return CompletableFuture.completedFuture(json(HttpResponseStatus.OK,
                root.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /** 200 {@code {"health": "true"}}, or 503 {@code {"health": "false"}} as etcd 2 answers. */
    CompletableFuture<Reply> health(ClientRequest request) {
        return server.healthy().thenApplyAsync(healthy -> healthy
                ? json(HttpResponseStatus.OK, HEALTHY)
                : json(HttpResponseStatus.SERVICE_UNAVAILABLE, UNHEALTHY), request.executor());
    }

    /**
     * A member's id: the first 8 bytes of the SHA-256 of its name, as 16 hex digits. The name is a
     * machine's identity in v0.2 (it has no numeric id), so the id is the same on every member and
     * across restarts.
     */
    static String memberId(String name) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }

    private static Reply json(HttpResponseStatus status, byte[] body) {
        return new Reply(status, List.of(Map.entry("Content-Type", Reply.APPLICATION_JSON)), body);
    }
}
