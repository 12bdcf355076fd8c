package io.etcdj.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

@Command(name = "cluster-health", description = {"Ask every member whether it is healthy, then say whether the "
        + "cluster is healthy, degraded or unavailable.", "Exit code 0 when every member is healthy, 5 otherwise."})
final class ClusterHealthCommand extends CtlCommand {
    private static final Duration PERIOD = Duration.ofSeconds(10);

    @Option(names = {"--forever", "-f"}, description = "Check again every 10 seconds until interrupted.")
    boolean forever;

    @Override
    boolean syncFirst() {
        return false;
    }

    @Override
    int run(Session s) throws Exception {
        if (forever) {
            Interrupts.exitQuietly();
        }
        List<Member> members;
        try {
            members = MemberCommand.members(s);
        } catch (ApiError | ClusterUnavailable | CommandFailure e) {
            s.out().println("cluster may be unhealthy: failed to list members");
            throw e;
        }
        while (true) {
            int healthy = 0;
            for (Member m : members) {
                healthy += check(m, s) ? 1 : 0;
            }
            if (healthy == members.size()) {
                s.out().println("cluster is healthy");
            } else if (healthy == 0) {
                s.out().println("cluster is unavailable");
            } else {
                s.out().println("cluster is degraded");
            }
            if (!forever) {
                s.out().flush();
                return healthy == members.size() ? 0 : CommandFailure.CLUSTER_NOT_HEALTHY;
            }
            s.out().printf("%nnext check after 10 second...%n%n");
            s.out().flush();
            LockSupport.parkNanos(PERIOD.toNanos());
        }
    }

    /** Asks the member's client URLs in turn until one answers; true when it says it is healthy. */
    private static boolean check(Member m, Session s) {
        if (m.clientUrls().isEmpty()) {
            s.out().println("member " + m.id() + " is unreachable: no available published client urls");
            return false;
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        for (String url : m.clientUrls()) {
            URI endpoint = URI.create(url);
            Boolean health;
            try {
                health = health(endpoint, s, deadline);
            } catch (IOException e) {
                s.out().println("failed to check the health of member " + m.id() + " on " + url + ": "
                        + ClusterClient.describe(endpoint, e));
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            if (health == null) {
                s.out().println("failed to check the health of member " + m.id() + " on " + url
                        + ": the answer is not a health report");
                continue;
            }
            s.out().println(health
                    ? "member " + m.id() + " is healthy: got healthy result from " + url
                    : "member " + m.id() + " is unhealthy: got unhealthy result from " + url);
            return health;
        }
        s.out().println("member " + m.id() + " is unreachable: " + m.clientUrls() + " are all unreachable");
        return false;
    }

    /**
     * {@code /health} where the server has it; on etcd v0.2, which has not, a member that names
     * its leader in {@code /v2/stats/self} counts as healthy. Null when neither answer makes sense.
     */
    private static Boolean health(URI endpoint, Session s, long deadline) throws IOException, InterruptedException {
        Reply reply = s.client().sendTo(endpoint, Request.get("/health"), deadline);
        JsonNode json = ClusterClient.parse(reply.body());
        if (reply.status() != 404 && json != null && json.has("health")) {
            JsonNode h = json.get("health");
            return h.isBoolean() ? h.asBoolean() : "true".equals(h.asText());
        }
        if (reply.status() != 404) {
            return null;
        }
        Reply self = s.client().sendTo(endpoint, Request.get("/v2/stats/self"), deadline);
        JsonNode stats = ClusterClient.parse(self.body());
        if (self.status() != 200 || stats == null) {
            return null;
        }
        return !stats.path("leaderInfo").path("leader").asText("").isEmpty();
    }
}
