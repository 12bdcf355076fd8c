package io.etcdj.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A cluster of real processes in its ordinary life: forming, joining through any member, removing
 * a member, keeping data over restarts, a follower catching up, and linearizable reads.
 */
@Timeout(120)
class ClusterIT {
    private static final Duration CONVERGE = Duration.ofSeconds(20);

    @ParameterizedTest(name = "{0} machines")
    @ValueSource(ints = {3, 5})
    void machinesFormOneClusterAndEveryWriteReachesEveryMachine(int size) throws Exception {
        // given machines started one after another, each joining the first
        try (EtcdCluster cluster = EtcdCluster.start(size)) {
            cluster.showLogsOnFailure(() -> {
                // then they agree on one leader, and each lists every machine, the leader first
                int leader = cluster.leader();
                Set<String> all = new HashSet<>();
                for (int i = 0; i < size; i++) {
                    all.add(cluster.machine(i).clientUrl());
                }
                for (int i = 0; i < size; i++) {
                    int machine = i;
                    List<String> listed = EtcdCluster.poll(CONVERGE, cluster.name(i) + " to list all machines", () -> {
                        List<String> urls = cluster.machinesListedBy(machine);
                        return new HashSet<>(urls).equals(all) && urls.size() == size ? urls : null;
                    });
                    assertEquals(cluster.machine(leader).clientUrl(), listed.get(0), cluster.name(i) + " lists the leader first");
                }
                JsonNode self = EtcdCluster.json(cluster.request(leader, "GET", "/v2/stats/self", null));
                assertEquals("leader", self.path("state").asText());
                JsonNode stats = EtcdCluster.json(cluster.request(leader, "GET", "/v2/stats/leader", null));
                assertEquals(cluster.name(leader), stats.path("leader").asText());
                Set<String> followers = new HashSet<>();
                stats.path("followers").fieldNames().forEachRemaining(followers::add);
                Set<String> expectedFollowers = new HashSet<>();
                for (int i = 0; i < size; i++) {
                    if (i != leader) {
                        expectedFollowers.add(cluster.name(i));
                        JsonNode followerSelf = EtcdCluster.json(cluster.request(i, "GET", "/v2/stats/self", null));
                        assertEquals("follower", followerSelf.path("state").asText(), cluster.name(i) + " stats/self");
                        assertEquals(cluster.name(leader), followerSelf.path("leaderInfo").path("leader").asText());
                    }
                }
                assertEquals(expectedFollowers, followers, "followers in /v2/stats/leader");

                // when a write is sent to each machine in turn (a follower redirects it to the leader)
                for (int via = 0; via < size; via++) {
                    String value = "written-via-" + cluster.name(via);
                    if (via != leader) {
                        HttpAnswer redirect = cluster.request(via, "PUT", "/v2/keys/formed/via" + via, "value=" + value);
                        assertEquals(307, redirect.status(), "PUT on follower " + cluster.name(via) + ": " + redirect);
                        assertEquals(cluster.machine(leader).clientUrl() + "/v2/keys/formed/via" + via,
                                redirect.header("Location").orElse(""));
                    }
                    HttpAnswer answer = cluster.put(via, "formed/via" + via, value);
                    assertEquals(201, answer.status(), "PUT via " + cluster.name(via) + ": " + answer);
                    // then every machine shows it, with the index the leader reported
                    long index = EtcdCluster.json(answer).path("node").path("modifiedIndex").asLong();
                    for (int i = 0; i < size; i++) {
                        JsonNode node = cluster.awaitValue(i, "formed/via" + via, value, CONVERGE);
                        assertEquals(index, node.path("modifiedIndex").asLong(), cluster.name(i) + " modifiedIndex");
                    }
                }
            });
        }
    }

    @Test
    void aMachineJoinsThroughAFollower() throws Exception {
        try (EtcdCluster cluster = EtcdCluster.start(3)) {
            cluster.showLogsOnFailure(() -> {
                // given a cluster with data
                cluster.set("join/before", "old");
                int follower = cluster.follower();
                // when a fourth machine starts with -peers naming only a follower's peer port
                int joined = cluster.join(follower);
                // then it is a member: everyone lists it, it has the earlier data and sees later writes
                for (int i = 0; i < cluster.size(); i++) {
                    int machine = i;
                    EtcdCluster.poll(CONVERGE, cluster.name(i) + " to list the new machine",
                            () -> cluster.machinesListedBy(machine).size() == 4 ? Boolean.TRUE : null);
                    assertTrue(cluster.machinesListedBy(i).contains(cluster.machine(joined).clientUrl()));
                }
                cluster.awaitValue(joined, "join/before", "old", CONVERGE);
                cluster.set("join/after", "new");
                cluster.awaitValue(joined, "join/after", "new", CONVERGE);
                // and a write through the new machine is redirected and committed
                HttpAnswer answer = cluster.put(joined, "join/through-new", "x");
                assertTrue(answer.isSuccess(), answer.toString());
                cluster.awaitValue(follower, "join/through-new", "x", CONVERGE);
            });
        }
    }

    @Test
    void removedMachinesLeaveTheClusterAndStopUntilOneIsLeft() throws Exception {
        try (EtcdCluster cluster = EtcdCluster.start(3)) {
            cluster.showLogsOnFailure(() -> {
                // given a 3-machine cluster
                int leader = cluster.leader();
                List<Integer> followers = new ArrayList<>(cluster.live());
                followers.remove(Integer.valueOf(leader));
                int removed = followers.get(1);
                int via = followers.get(0);
                String removedUrl = cluster.machine(removed).clientUrl();
                // when the removal of one follower is asked on the other follower's peer port
                HttpAnswer direct = cluster.peerRequest(via, "DELETE", "/remove/" + cluster.name(removed));
                assertEquals(307, direct.status(), "a follower redirects the removal: " + direct);
                assertEquals(cluster.machine(leader).peerUrl() + "/remove/" + cluster.name(removed),
                        direct.header("Location").orElse(""));
                HttpAnswer answer = cluster.remove(removed, via);
                assertEquals(200, answer.status(), "removal on the leader: " + answer);
                // then its process exits with a non-zero status
                OptionalInt status = cluster.machine(removed).awaitExitStatus(CONVERGE);
                assertTrue(status.isPresent(), "the removed machine still runs");
                assertNotEquals(0, status.getAsInt(), "exit status of the removed machine");
                // and the others no longer list it, in /v2/machines or under /_etcd/machines
                for (int i : cluster.live()) {
                    int machine = i;
                    EtcdCluster.poll(CONVERGE, cluster.name(i) + " to forget " + cluster.name(removed), () -> {
                        List<String> listed = cluster.machinesListedBy(machine);
                        return listed.size() == 2 && !listed.contains(removedUrl) ? Boolean.TRUE : null;
                    });
                    assertEquals(404, cluster.get(i, "_etcd/machines/" + cluster.name(removed)).status());
                    assertEquals(2, cluster.leaves(i, "_etcd/machines").size(), cluster.name(i) + " /_etcd/machines");
                }
                // and the remaining two still commit writes
                cluster.set("remove/after", "still");
                for (int i : cluster.live()) {
                    cluster.awaitValue(i, "remove/after", "still", CONVERGE);
                }

                // when the leader itself is then removed
                HttpAnswer leaderRemoval = cluster.remove(leader, via);
                assertEquals(200, leaderRemoval.status(), "removal of the leader: " + leaderRemoval);
                OptionalInt leaderStatus = cluster.machine(leader).awaitExitStatus(CONVERGE);
                assertTrue(leaderStatus.isPresent(), "the removed leader still runs");
                assertNotEquals(0, leaderStatus.getAsInt(), "exit status of the removed leader");
                // then the last machine leads alone, lists only itself, and commits writes
                assertEquals(List.of(via), cluster.live());
                assertEquals(via, cluster.leader());
                EtcdCluster.poll(CONVERGE, cluster.name(via) + " to list only itself",
                        () -> cluster.machinesListedBy(via).equals(List.of(cluster.machine(via).clientUrl())) ? Boolean.TRUE : null);
                assertEquals(1, cluster.leaves(via, "_etcd/machines").size());
                JsonNode alone = EtcdCluster.poll(CONVERGE, "a write on the last machine", () -> cluster.set("remove/alone", "yes"));
                assertEquals("yes", alone.path("value").asText());
            });
        }
    }

    @Test
    void aRemovedMachineDisappearsFromTheLeaderStats() throws Exception {
        try (EtcdCluster cluster = EtcdCluster.start(3)) {
            cluster.showLogsOnFailure(() -> {
                // given a leader whose stats count two followers
                int leader = cluster.leader();
                int removed = cluster.follower();
                EtcdCluster.poll(CONVERGE, "/v2/stats/leader to list both followers", () -> EtcdCluster.json(
                        cluster.request(leader, "GET", "/v2/stats/leader", null)).path("followers").size() == 2 ? Boolean.TRUE : null);
                // when one follower is removed
                HttpAnswer answer = cluster.remove(removed, leader);
                assertEquals(200, answer.status(), answer.toString());
                assertTrue(cluster.machine(removed).awaitExitStatus(CONVERGE).isPresent(), "the removed machine still runs");
                // then the leader's stats no longer list it
                EtcdCluster.poll(Duration.ofSeconds(5), "/v2/stats/leader to drop " + cluster.name(removed), () -> {
                    JsonNode stats = EtcdCluster.json(cluster.request(leader, "GET", "/v2/stats/leader", null));
                    if (stats.path("followers").has(cluster.name(removed))) {
                        throw new AssertionError("still listed: " + stats);
                    }
                    return stats.path("followers").size() == 1 ? Boolean.TRUE : null;
                });
            });
        }
    }

    @Test
    void aSingleMachineKeepsItsDataOverARestart() throws Exception {
        try (EtcdCluster cluster = EtcdCluster.start(1)) {
            cluster.showLogsOnFailure(() -> {
                // given a one-machine cluster with some keys
                List<JsonNode> written = new ArrayList<>();
                for (int n = 0; n < 20; n++) {
                    written.add(cluster.set("single/k" + n, "v" + n));
                }
                assertEquals(200, cluster.request(0, "DELETE", "/v2/keys/single/k3", null).status());
                // when it is stopped and started again
                cluster.restart(0);
                // then the keys are there as written, the deleted one still gone
                for (int n = 0; n < 20; n++) {
                    HttpAnswer answer = cluster.get(0, "single/k" + n);
                    if (n == 3) {
                        assertEquals(404, answer.status(), answer.toString());
                        continue;
                    }
                    JsonNode node = EtcdCluster.json(answer).path("node");
                    assertEquals("v" + n, node.path("value").asText());
                    assertEquals(written.get(n).path("modifiedIndex").asLong(), node.path("modifiedIndex").asLong());
                }
                // and a new write gets a later index
                JsonNode after = EtcdCluster.poll(CONVERGE, "a write after the restart", () -> cluster.set("single/after", "x"));
                assertTrue(after.path("modifiedIndex").asLong() > written.get(19).path("modifiedIndex").asLong());
            });
        }
    }

    @Test
    void aStoppedFollowerCatchesUpOnManyWrites() throws Exception {
        int writes = Integer.getInteger("etcdj.it.catchUpWrites", 2000);
        try (EtcdCluster cluster = EtcdCluster.start(3)) {
            cluster.showLogsOnFailure(() -> {
                // given a follower that is down
                int leader = cluster.leader();
                int follower = cluster.follower();
                cluster.machine(follower).stop();
                // when many writes are committed by the other two
                writeMany(cluster, leader, "catchup", writes, 4);
                String last = "last-" + System.nanoTime();
                cluster.set("catchup-last", last);
                // and the follower starts again
                cluster.restart(follower);
                // then it catches up: its own view shows the last write and all the others
                cluster.awaitValue(follower, "catchup-last", last, Duration.ofSeconds(30));
                assertEquals(cluster.leaves(leader, "catchup"), cluster.leaves(follower, "catchup"));
                assertEquals(writes, cluster.leaves(follower, "catchup").size());
            });
        }
    }

    @Test
    void consistentReadsGoToTheLeaderAndSeeTheLatestWrite() throws Exception {
        try (EtcdCluster cluster = EtcdCluster.start(3)) {
            cluster.showLogsOnFailure(() -> {
                int leader = cluster.leader();
                int follower = cluster.follower();
                cluster.set("consistent/k", "first");
                // when a follower is asked for a consistent read, then it redirects to the leader's client URL
                HttpAnswer redirected = cluster.request(follower, "GET", "/v2/keys/consistent/k?consistent=true", null);
                assertEquals(307, redirected.status(), redirected.toString());
                assertEquals(cluster.machine(leader).clientUrl() + "/v2/keys/consistent/k?consistent=true",
                        redirected.header("Location").orElse(""));
                // and on the leader every consistent read right after a write sees that write
                for (int n = 0; n < 20; n++) {
                    JsonNode written = cluster.set("consistent/k", "v" + n);
                    HttpAnswer read = cluster.request(leader, "GET", "/v2/keys/consistent/k?consistent=true", null);
                    assertEquals(200, read.status(), read.toString());
                    JsonNode node = EtcdCluster.json(read).path("node");
                    assertEquals("v" + n, node.path("value").asText());
                    assertEquals(written.path("modifiedIndex").asLong(), node.path("modifiedIndex").asLong());
                    // and so does one sent to a follower, once the redirect is followed
                    HttpAnswer viaFollower = cluster.consistentGet(follower, "consistent/k");
                    assertEquals("v" + n, EtcdCluster.json(viaFollower).path("node").path("value").asText());
                }
            });
        }
    }

    @Test
    void concurrentWritesReachTheFollowersInSharedAppends() throws Exception {
        try (EtcdCluster cluster = EtcdCluster.start(3)) {
            cluster.showLogsOnFailure(() -> {
                int leader = cluster.leader();
                long before = appendsSent(cluster, leader);
                // when 32 clients write 1,000 keys at once through the leader
                writeMany(cluster, leader, "shared", 1000, 32);
                long sent = appendsSent(cluster, leader) - before;
                // then commands that arrive together go out together: one append per command would
                // take 2 per write here, and telling each new commit index 2 more
                assertTrue(sent < 1000, "1000 writes took " + sent + " appends");
                // and every machine has every write
                for (int i = 0; i < 3; i++) {
                    int machine = i;
                    EtcdCluster.poll(CONVERGE, cluster.name(i) + " to hold the last write", () -> {
                        HttpAnswer a = cluster.request(machine, "GET", "/v2/keys/shared/k999", null);
                        return a.status() == 200 ? a : null;
                    });
                }
            });
        }
    }

    private static long appendsSent(EtcdCluster cluster, int machine) {
        HttpAnswer self = cluster.request(machine, "GET", "/v2/stats/self", null);
        return EtcdCluster.json(self).path("sendAppendRequestCnt").asLong();
    }

    /**
     * {@code count} writes of {@code dir/k<n>} through the leader, by {@code threads} writers on
     * kept-alive connections; a write that fails there is done again through {@link EtcdCluster#set},
     * which waits out a change of leader.
     */
    private static void writeMany(EtcdCluster cluster, int leader, String dir, int count, int threads) throws Exception {
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                running.add(pool.submit(() -> {
                    HttpConnection c = null;
                    try {
                        for (int n = next.getAndIncrement(); n < count; n = next.getAndIncrement()) {
                            if (c == null || !c.isReusable()) {
                                if (c != null) {
                                    c.close();
                                }
                                c = cluster.machine(leader).connect(EtcdCluster.REQUEST_TIMEOUT);
                            }
                            HttpAnswer answer;
                            try {
                                answer = c.sendForm("PUT", "/v2/keys/" + dir + "/k" + n, "value=" + n);
                            } catch (IOException e) {
                                answer = null;
                                c.close();
                                c = null;
                            }
                            if (answer == null || !answer.isSuccess()) {
                                cluster.set(dir + "/k" + n, String.valueOf(n));
                            }
                        }
                    } finally {
                        if (c != null) {
                            c.close();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
