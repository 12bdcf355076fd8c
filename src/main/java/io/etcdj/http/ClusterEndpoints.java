package io.etcdj.http;

import io.etcdj.server.EtcdServer;
import io.etcdj.store.EtcdException;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.util.concurrent.CompletableFuture;

/** The informational endpoints: version, leader, machines, and the three stats documents. */
final class ClusterEndpoints {
    static final String VERSION = "etcd v0.2.0";

    private final EtcdServer server;
    private final CommandDispatch dispatch;

    ClusterEndpoints(EtcdServer server, CommandDispatch dispatch) {
        this.server = server;
        this.dispatch = dispatch;
    }

    CompletableFuture<Reply> version(ClientRequest request) {
        return text(VERSION);
    }

    /** The leader's peer (raft) URL. */
    CompletableFuture<Reply> leader(ClientRequest request) {
        String leader = server.leaderPeerUrl();
        if (leader == null || leader.isEmpty()) {
            throw new EtcdException(EtcdException.LEADER_ELECT, "", server.store().index());
        }
        server.leaderLookedUp();
        return text(leader);
    }

    /** Client URLs of every machine, as one comma-separated line. */
    CompletableFuture<Reply> machines(ClientRequest request) {
        server.machinesListed();
        return text(String.join(", ", server.clientUrls()));
    }

    CompletableFuture<Reply> selfStats(ClientRequest request) {
        return text(server.selfStatsJson());
    }

    /** Only the leader knows its followers; others send the client there. */
    CompletableFuture<Reply> leaderStats(ClientRequest request) {
        if (!server.isLeader()) {
            return CompletableFuture.completedFuture(dispatch.toLeader(request));
        }
        return text(server.leaderStatsJson());
    }

    CompletableFuture<Reply> storeStats(ClientRequest request) {
        return text(server.store().statsJson());
    }

    private static CompletableFuture<Reply> text(String body) {
        return CompletableFuture.completedFuture(Reply.text(HttpResponseStatus.OK, body));
    }
}
