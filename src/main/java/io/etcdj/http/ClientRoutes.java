package io.etcdj.http;

import io.etcdj.server.EtcdServer;

import io.netty.handler.codec.http.HttpResponseStatus;

import java.time.Clock;
import java.util.concurrent.CompletableFuture;

/** The route table of the client API, in the reference's order. */
final class ClientRoutes {
    private ClientRoutes() {
    }

    static Router standard(EtcdServer server, Clock clock) {
        CommandDispatch dispatch = new CommandDispatch(server);
        ClusterEndpoints cluster = new ClusterEndpoints(server, dispatch);
        Router router = new Router();
        router.exact("/version", cluster::version, "GET");

        router.key("/v1/keys/", new V1GetHandler(server), "GET")
                .key("/v1/keys/", new V1SetHandler(server, dispatch, clock), "POST", "PUT")
                .key("/v1/keys/", new V1DeleteHandler(dispatch), "DELETE")
                .key("/v1/watch/", new V1WatchHandler(server), "GET", "POST");
        installInfo(router, "/v1", cluster);

        router.key("/v2/keys/", new V2GetHandler(server, dispatch), "GET")
                .key("/v2/keys/", new V2PostHandler(server, dispatch, clock), "POST")
                .key("/v2/keys/", new V2PutHandler(server, dispatch, clock), "PUT")
                .key("/v2/keys/", new V2DeleteHandler(dispatch), "DELETE");
        installInfo(router, "/v2", cluster);
        router.exact("/v2/speedTest", new SpeedTestHandler(server), "GET");
        // the modules (/mod/...) will take a prefix route here, after everything else
        router.exact("/mod/dashboard", request -> CompletableFuture.completedFuture(
                Reply.redirect(HttpResponseStatus.FOUND, DashboardFiles.PREFIX, request.method())), "GET", "HEAD");
        router.prefix(DashboardFiles.PREFIX, new DashboardFiles());
        return router;
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
