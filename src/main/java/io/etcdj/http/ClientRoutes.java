package io.etcdj.http;

import io.etcdj.mod.LeaderModule;
import io.etcdj.mod.LockModule;
import io.etcdj.server.EtcdServer;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.time.Clock;

import static java.util.concurrent.CompletableFuture.completedFuture;

/** The route table of the client API, in the reference's order. */
final class ClientRoutes {
    /** The methods a route answers whatever the method, as the reference's catch-all routes did. */
    private static final String[] ANY_METHOD = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "TRACE", "CONNECT"};

    private ClientRoutes() {
    }

    static Router standard(EtcdServer server, HttpOptions options) {
        Clock clock = options.clock();
        CommandDispatch dispatch = new CommandDispatch(server);
        ClusterEndpoints cluster = new ClusterEndpoints(server, dispatch);
        Router router = new Router();
        router.exact("/version", cluster::version, "GET");
        MemberEndpoints members = new MemberEndpoints(server);
        router.exact("/health", members::health, "GET")
                .exact("/v2/members", members::members, "GET")
                .exact("/v2/members/leader", members::leader, "GET");

        router.key("/v1/keys/", new V1GetHandler(server), "GET")
                .key("/v1/keys/", new V1SetHandler(server, dispatch, clock), "POST", "PUT")
                .key("/v1/keys/", new V1DeleteHandler(dispatch), "DELETE")
                .key("/v1/watch/", new V1WatchHandler(server), "GET", "POST");
        installInfo(router, "/v1", cluster);

        router.key("/v2/keys/", new V2GetHandler(server, dispatch, options.watchEarlyHeaders()), "GET")
                .key("/v2/keys/", new V2PostHandler(server, dispatch, clock), "POST")
                .key("/v2/keys/", new V2PutHandler(server, dispatch, clock), "PUT")
                .key("/v2/keys/", new V2DeleteHandler(server, dispatch), "DELETE");
        installInfo(router, "/v2", cluster);
        router.exact("/v2/speedTest", new SpeedTestHandler(server), "GET");
        installModules(router, server, dispatch, clock);
        return router;
    }

    /** The modules under {@code /mod}, after everything else, as the reference mounts them. */
    private static void installModules(Router router, EtcdServer server, CommandDispatch dispatch, Clock clock) {
        LockModule lock = new LockModule(server, dispatch, clock);
        router.exact("/mod", request -> completedFuture(Reply.movedPermanently("/")), ANY_METHOD)
                .exact("/mod/dashboard", request -> completedFuture(
                        Reply.redirect(HttpResponseStatus.FOUND, "/mod/dashboard/", request.method())), ANY_METHOD)
                .prefix("/mod/v2/lock", lock.routes())
                .prefix("/mod/v2/leader", new LeaderModule(lock).routes())
                .prefix(DashboardFiles.PREFIX, new DashboardFiles());
    }

    private static void installInfo(Router router, String version, ClusterEndpoints cluster) {
        router.exact(version + "/leader", cluster::leader, "GET")
                .exact(version + "/machines", cluster::machines, "GET")
                .exact(version + "/peers", cluster::machines, "GET")
                .exact(version + "/stats/self", cluster::selfStats, "GET")
                .exact(version + "/stats/leader", cluster::leaderStats, "GET")
                .exact(version + "/stats/store", cluster::storeStats, "GET");
    }
}
