package io.etcdj.http;

import io.etcdj.server.Command;
import io.etcdj.server.EtcdServer;
import io.etcdj.store.EtcdException;
import io.etcdj.store.Event;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Hands a write to the log on the leader and turns the applied event into the v1 or v2 answer; on a
 * follower it redirects the client to the leader instead (307), or fails when no leader is known.
 * Writes over the {@link RequestLimits} are refused before they are proposed. The proposal completes
 * on the node's loop; the answer is built on the connection's, so that loop only hands it over.
 */
public final class CommandDispatch {
    private final EtcdServer server;

    public CommandDispatch(EtcdServer server) {
        this.server = server;
    }

    CompletableFuture<Reply> v2(Command command, ClientRequest request) {
        return dispatch(command, request, false);
    }

    CompletableFuture<Reply> v1(Command command, ClientRequest request) {
        return dispatch(command, request, true);
    }

    private CompletableFuture<Reply> dispatch(Command command, ClientRequest request, boolean v1) {
        EtcdException refused = server.writesRefused();
        if (refused != null) {
            throw refused;
        }
        if (!server.isLeader()) {
            return CompletableFuture.completedFuture(toLeader(request));
        }
        RequestLimits.check(command, server.store().index());
        return server.propose(command).thenApplyAsync(result -> answer(result, v1), request.executor());
    }

    /** The redirect of a request that only the leader may serve. */
    public Reply toLeader(ClientRequest request) {
        String leader = server.leaderClientUrl();
        if (leader == null || leader.isEmpty()) {
            throw new EtcdException(EtcdException.RAFT_INTERNAL, "", server.store().index());
        }
        server.leaderLookedUp();
        String location = Locations.onOtherHost(leader, request.path(), request.rawQuery());
        return Reply.redirect(HttpResponseStatus.TEMPORARY_REDIRECT, location, request.method());
    }

    private Reply answer(Object result, boolean v1) {
        if (!(result instanceof Event event)) {
            throw new EtcdException(EtcdException.RAFT_INTERNAL, "Empty result from raft", server.store().index());
        }
        if (v1) {
            return Reply.sniffedText(HttpResponseStatus.OK, EventJson.v1(event, 0));
        }
        HttpResponseStatus status = isCreated(event) ? HttpResponseStatus.CREATED : HttpResponseStatus.OK;
        return new Reply(status, List.of(
                Map.entry("Content-Type", Reply.APPLICATION_JSON),
                Map.entry("X-Etcd-Index", Long.toString(event.index())),
                Map.entry("X-Raft-Index", Long.toString(server.raftIndex())),
                Map.entry("X-Raft-Term", Long.toString(server.raftTerm()))),
                EventJson.v2(event));
    }

    /** A create, or a set that found no previous value, answers 201. */
    static boolean isCreated(Event event) {
        if (event.action().equals(Event.CREATE)) {
            return true;
        }
        String prev = event.node().prevValue();
        return event.action().equals(Event.SET) && (prev == null || prev.isEmpty());
    }

    /** The answer to a read: the event with the store's current index and the raft position. */
    static Reply v2Read(EtcdServer server, Event event) {
        return new Reply(HttpResponseStatus.OK, List.of(
                Map.entry("Content-Type", Reply.APPLICATION_JSON),
                Map.entry("X-Etcd-Index", Long.toString(server.store().index())),
                Map.entry("X-Raft-Index", Long.toString(server.raftIndex())),
                Map.entry("X-Raft-Term", Long.toString(server.raftTerm()))),
                EventJson.v2(event));
    }
}
