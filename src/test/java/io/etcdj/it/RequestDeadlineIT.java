package io.etcdj.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A write or a consistent read that cannot complete (the machine asked has lost its quorum) ends
 * with error 300 within the request deadline (3 s) rather than hanging.
 */
class RequestDeadlineIT {
    private static final Duration DEADLINE = Duration.ofSeconds(3);
    /** Room for a loaded test machine on top of the deadline. */
    private static final Duration SLACK = Duration.ofSeconds(3);

    @Test
    void aLeaderCutOffFromItsFollowersAnswersWritesAndConsistentReadsWithAnErrorInBoundedTime() throws Exception {
        try (EtcdCluster cluster = EtcdCluster.start(3)) {
            cluster.showLogsOnFailure(() -> {
                // given a 3-machine cluster with a key
                cluster.set("deadline/k", "before");
                int leader = cluster.leader();
                List<Integer> followers = new ArrayList<>(cluster.live());
                followers.remove(Integer.valueOf(leader));
                // when both followers freeze, leaving the leader a minority of one
                for (int f : followers) {
                    cluster.machine(f).signal("STOP");
                }
                try {
                    // then a write and a consistent read on it end with error 300 in bounded time
                    for (String[] request : List.of(new String[] {"PUT", "/v2/keys/deadline/k", "value=during"},
                            new String[] {"GET", "/v2/keys/deadline/k?consistent=true", null})) {
                        long started = System.nanoTime();
                        HttpAnswer answer = cluster.request(leader, request[0], request[1], request[2]);
                        Duration took = Duration.ofNanos(System.nanoTime() - started);
                        assertTrue(took.compareTo(DEADLINE.plus(SLACK)) < 0, request[0] + " took " + took);
                        assertEquals(500, answer.status(), request[0] + ": " + answer);
                        JsonNode error = EtcdCluster.json(answer);
                        assertEquals(300, error.path("errorCode").asInt(), answer.toString());
                    }
                    // and so does every later one while the quorum is gone (no leader: at once)
                    long started = System.nanoTime();
                    HttpAnswer again = cluster.request(leader, "PUT", "/v2/keys/deadline/k", "value=again");
                    assertTrue(Duration.ofNanos(System.nanoTime() - started).compareTo(DEADLINE.plus(SLACK)) < 0);
                    assertTrue(again.status() >= 500, again.toString());
                } finally {
                    for (int f : followers) {
                        cluster.machine(f).signal("CONT");
                    }
                }
                // and once the followers are back the cluster takes writes again
                cluster.set("deadline/k", "after");
                for (int i : cluster.live()) {
                    cluster.awaitValue(i, "deadline/k", "after", Duration.ofSeconds(20));
                }
            });
        }
    }
}
