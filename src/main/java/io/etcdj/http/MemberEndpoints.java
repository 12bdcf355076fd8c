package io.etcdj.http;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.etcdj.server.EtcdServer;
import io.etcdj.server.Registry;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.nio.charset.StandardCharsets;
import java.util.Comparator;
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
    /** Tree nodes only: no ObjectMapper, whose set-up would load data binding at every start. */
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final byte[] HEALTHY = "{\"health\": \"true\"}".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] UNHEALTHY = "{\"health\": \"false\"}".getBytes(StandardCharsets.US_ASCII);

    private final EtcdServer server;

    MemberEndpoints(EtcdServer server) {
        this.server = server;
    }

    /** {@code {"members":[{"id","name","peerURLs","clientURLs"}]}}, by name. */
    CompletableFuture<Reply> members(ClientRequest request) {
        ObjectNode root = JSON.objectNode();
        ArrayNode list = root.putArray("members");
        server.machines().stream().sorted(Comparator.comparing(Registry.Machine::name))
                .forEach(m -> describe(m, list.addObject()));
        return CompletableFuture.completedFuture(json(HttpResponseStatus.OK,
                root.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * {@code GET /v2/members/leader}: the leader as one member object (etcdctl's {@code member list}
     * reads it to mark the leader); 503 while no leader is known, as etcd 2 answers.
     */
    CompletableFuture<Reply> leader(ClientRequest request) {
        String leaderName = server.leaderName();
        Registry.Machine leader = server.machines().stream().filter(m -> m.name().equals(leaderName))
                .findFirst().orElse(null);
        if (leader == null) {
            return CompletableFuture.completedFuture(json(HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "{\"message\":\"During Leader Election\"}".getBytes(StandardCharsets.US_ASCII)));
        }
        ObjectNode member = JSON.objectNode();
        describe(leader, member);
        return CompletableFuture.completedFuture(json(HttpResponseStatus.OK,
                member.toString().getBytes(StandardCharsets.UTF_8)));
    }

    private static void describe(Registry.Machine m, ObjectNode member) {
        member.put("id", memberId(m.name()));
        member.put("name", m.name());
        member.putArray("peerURLs").add(m.peerUrl());
        member.putArray("clientURLs").add(m.clientUrl());
    }

    /** 200 {@code {"health": "true"}}, or 503 {@code {"health": "false"}} as etcd 2 answers. */
    CompletableFuture<Reply> health(ClientRequest request) {
        return server.healthy().thenApplyAsync(healthy -> healthy
                ? json(HttpResponseStatus.OK, HEALTHY)
                : json(HttpResponseStatus.SERVICE_UNAVAILABLE, UNHEALTHY), request.executor());
    }

    /**
     * A member's id is its name. v0.2 machines have no numeric id, and the name is stable, the
     * same on every member and across restarts; and {@code leaderInfo.leader} of
     * {@code /v2/stats/self}, which v0.2.0 fills with the leader's name, then names the leader's
     * member as etcd 2's does (python-etcd looks the leader up among the members by it).
     */
    static String memberId(String name) {
        return name;
    }

    private static Reply json(HttpResponseStatus status, byte[] body) {
        return new Reply(status, List.of(Map.entry("Content-Type", Reply.APPLICATION_JSON)), body);
    }
}
