package io.etcdj.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The lock and leader modules on a 3-machine cluster: used through a follower (which redirects
 * the writes to the leader and answers lookups from its own store), and a lock whose holder's
 * member is killed, which passes to a client of another member once the holder's TTL lapses.
 */
class ModClusterIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Duration QUICK = Duration.ofSeconds(15);

    @Test
    void lockAndLeaderThroughAFollower() throws Exception {
        ExecutorService waiting = Executors.newSingleThreadExecutor();
        try (EtcdCluster cluster = EtcdCluster.start(3)) {
            cluster.showLogsOnFailure(() -> {
                int leader = cluster.leader();
                int follower = cluster.follower();

                HttpAnswer redirect = cluster.request(follower, "POST", "/mod/v2/lock/res?ttl=30&value=a", null);
                assertEquals(307, redirect.status(), redirect.toString());
                assertEquals(cluster.machine(leader).clientUrl() + "/mod/v2/lock/res?ttl=30&value=a",
                        redirect.header("Location").orElseThrow());

                HttpAnswer acquired = cluster.send(follower, "POST", "/mod/v2/lock/res?ttl=30&value=a", null);
                assertEquals(200, acquired.status(), acquired.toString());
                String first = acquired.text();
                // a lookup is answered by the follower itself, from its own store
                EtcdCluster.poll(QUICK, "the follower to see the holder", () ->
                        "a".equals(cluster.request(follower, "GET", "/mod/v2/lock/res", null).text()) ? true : null);
                assertEquals(first, cluster.request(follower, "GET", "/mod/v2/lock/res?field=index", null).text());

                // a second client waits through the follower, and gets the lock when the first releases it
                CompletableFuture<HttpAnswer> second = CompletableFuture.supplyAsync(() ->
                        cluster.send(follower, "POST", "/mod/v2/lock/res?ttl=30&value=b", null, WAIT), waiting);
                EtcdCluster.poll(QUICK, "the second client queued", () ->
                        lockNodes(cluster, leader, "res").size() == 2 ? true : null);
                assertFalse(second.isDone(), "the second client answered while the first held the lock");
                assertEquals(200, cluster.send(follower, "PUT", "/mod/v2/lock/res?ttl=40&value=a", null).status());
                assertEquals(200, cluster.send(follower, "DELETE", "/mod/v2/lock/res?index=" + first, null).status());
                HttpAnswer secondAnswer = second.get(QUICK.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
                assertEquals(200, secondAnswer.status(), secondAnswer.toString());
                assertTrue(Long.parseLong(secondAnswer.text()) > Long.parseLong(first));
                assertEquals(200, cluster.send(follower, "DELETE", "/mod/v2/lock/res?value=b", null).status());

                // the leader module through the follower
                HttpAnswer set = cluster.send(follower, "PUT", "/mod/v2/leader/svc", "name=n1&ttl=30");
                assertEquals(200, set.status(), set.toString());
                EtcdCluster.poll(QUICK, "the follower to see leader n1", () ->
                        "n1".equals(cluster.request(follower, "GET", "/mod/v2/leader/svc", null).text()) ? true : null);
                assertEquals(200, cluster.send(follower, "DELETE", "/mod/v2/leader/svc?name=n1", null).status());
                EtcdCluster.poll(QUICK, "the follower to see no leader", () ->
                        "".equals(cluster.request(follower, "GET", "/mod/v2/leader/svc", null).text()) ? true : null);
            });
        } finally {
            waiting.shutdownNow();
        }
    }

    @Test
    void aLockPassesOnWhenItsHoldersMemberIsKilled() throws Exception {
        ExecutorService waiting = Executors.newSingleThreadExecutor();
        try (EtcdCluster cluster = EtcdCluster.start(3)) {
            cluster.showLogsOnFailure(() -> {
                int leader = cluster.leader();
                // the holder and a waiter are both served by the leader (writes go there); the waiter
                // keeps its node alive only while its member lives
                String holder = cluster.send(leader, "POST", "/mod/v2/lock/job?ttl=3&value=holder", null).text();
                PendingRequest deadWaiter = PendingRequest.send(cluster.machine(leader), "POST",
                        "/mod/v2/lock/job?ttl=3&value=dead-waiter", null, WAIT);
                EtcdCluster.poll(QUICK, "the waiter queued", () ->
                        lockNodes(cluster, leader, "job").size() == 2 ? true : null);

                cluster.kill(leader);
                long killedAt = System.nanoTime();
                List<Integer> survivors = cluster.live();
                int via = survivors.get(0);
                // a client of a surviving member queues behind both, and gets the lock once their TTLs lapse
                CompletableFuture<HttpAnswer> next = CompletableFuture.supplyAsync(() -> EtcdCluster.poll(WAIT,
                        "an acquire through a survivor", () -> {
                            HttpAnswer a = cluster.send(via, "POST", "/mod/v2/lock/job?ttl=30&value=next", null, WAIT);
                            return a.status() == 200 ? a : null;
                        }), waiting);
                HttpAnswer answer = next.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
                long seconds = Duration.ofNanos(System.nanoTime() - killedAt).toSeconds();
                System.out.println("the lock passed on " + seconds + " s after the holder's member was killed");
                assertNotEquals(holder, answer.text());
                assertTrue(Long.parseLong(answer.text()) > Long.parseLong(holder));
                int newLeader = cluster.leader();
                List<JsonNode> nodes = lockNodes(cluster, newLeader, "job");
                assertEquals(1, nodes.size(), nodes.toString());
                assertEquals("next", nodes.get(0).path("value").asText());
                deadWaiter.close();
            });
        } finally {
            waiting.shutdownNow();
        }
    }

    private static List<JsonNode> lockNodes(EtcdCluster cluster, int machine, String lock) {
        HttpAnswer answer = cluster.get(machine, "_etcd/mod/lock/" + lock + "?recursive=true");
        List<JsonNode> nodes = new ArrayList<>();
        if (answer.status() == 200) {
            EtcdCluster.json(answer).path("node").path("nodes").forEach(nodes::add);
        }
        return nodes;
    }
}
