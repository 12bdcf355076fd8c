package io.etcdj.peer;

import io.etcdj.store.EtcdException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static io.etcdj.peer.FakeMachine.next;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JoinClientTest {
    private static final JoinRequest ME = JoinRequest.of("d", "http://127.0.0.1:7004", "http://127.0.0.1:4004");

    private final JoinClient client = new JoinClient(null, Duration.ofSeconds(5), Duration.ofMillis(10));
    private final List<FakeMachine> machines = new ArrayList<>();

    private FakeMachine machine(String name) throws InterruptedException {
        FakeMachine m = new FakeMachine(name).start();
        machines.add(m);
        return m;
    }

    @AfterEach
    void close() {
        client.close();
        machines.forEach(FakeMachine::close);
    }

    private static String address(FakeMachine m) {
        return "127.0.0.1:" + m.port;
    }

    @Test
    void aFollowerSendsTheJoinToTheLeader() throws Exception {
        // given a follower that knows the leader
        FakeMachine leader = machine("leader");
        FakeMachine follower = machine("follower");
        follower.onJoin = r -> CompletableFuture.completedFuture(new ChangeOutcome.NotLeader(leader.peerUrl()));
        leader.onJoin = r -> CompletableFuture.completedFuture(new ChangeOutcome.Committed(1234));

        // when the new machine asks the follower
        long joinIndex = client.join(List.of(address(follower)), ME, 3);

        // then the leader applied it and its commit index comes back
        assertEquals(1234, joinIndex);
        assertEquals(ME, next(leader.joins, "join on the leader"));
        assertEquals(ME, next(follower.joins, "join on the follower"));
    }

    @Test
    void aFullClusterEndsTheJoinAtOnceWithError103() throws Exception {
        FakeMachine leader = machine("leader");
        leader.onJoin = r -> CompletableFuture.failedFuture(new EtcdException(EtcdException.NO_MORE_PEER, "", 9));

        JoinException e = assertThrows(JoinException.class, () -> client.join(List.of(address(leader)), ME, 5));

        assertEquals(103, e.errorCode());
        assertEquals("Reached the max number of peers in the cluster", e.getMessage());
        assertEquals(1, leader.joins.size(), "no retry after a refusal");
    }

    @Test
    void aDeadAddressIsSkippedForALiveOne() throws Exception {
        FakeMachine leader = machine("leader");
        leader.onJoin = r -> CompletableFuture.completedFuture(new ChangeOutcome.Committed(3));

        long joinIndex = client.join(List.of("127.0.0.1:" + deadPort(), "", address(leader)), ME, 1);

        assertEquals(3, joinIndex);
    }

    @Test
    void nobodyListeningEndsAfterTheAttemptsWithTheLastReason() throws Exception {
        String dead = "127.0.0.1:" + deadPort();

        JoinException e = assertThrows(JoinException.class, () -> client.join(List.of(dead), ME, 3));

        assertEquals(0, e.errorCode());
        assertTrue(e.getMessage().startsWith("cannot join the cluster via " + dead + " after 3 attempts"), e.getMessage());
        assertTrue(e.getMessage().contains("/version"), e.getMessage());
    }

    @Test
    void aClusterOfAnotherStoreVersionIsNotJoined() throws Exception {
        FakeMachine leader = machine("leader");
        leader.storeVersion = 3;

        JoinException e = assertThrows(JoinException.class, () -> client.join(List.of(address(leader)), ME, 2));

        assertTrue(e.getMessage().contains("Unable to join: cluster version is 3; version compatibility is 2 - 2"),
                e.getMessage());
        assertTrue(leader.joins.isEmpty());
    }

    @Test
    void aClusterWithoutLeaderIsAskedAgain() throws Exception {
        // given a leaderless cluster that finds its leader after the first try
        FakeMachine member = machine("member");
        member.onJoin = r -> {
            member.onJoin = again -> CompletableFuture.completedFuture(new ChangeOutcome.Committed(8));
            return CompletableFuture.failedFuture(new EtcdException(EtcdException.RAFT_INTERNAL, "", 1));
        };

        long joinIndex = client.join(List.of(address(member)), ME, 2);

        assertEquals(8, joinIndex);
        assertEquals(2, member.joins.size());
    }

    @Test
    void aFailedTryIsRepeatedSoonWithinTheRetryInterval() throws Exception {
        // given a cluster that takes the join on the second try, and a ten-second retry interval
        FakeMachine member = machine("member");
        member.onJoin = r -> {
            member.onJoin = again -> CompletableFuture.completedFuture(new ChangeOutcome.Committed(9));
            return CompletableFuture.failedFuture(new EtcdException(EtcdException.RAFT_INTERNAL, "", 1));
        };
        long started = System.nanoTime();
        try (JoinClient patient = new JoinClient(null, Duration.ofSeconds(5), Duration.ofSeconds(10))) {
            assertEquals(9, patient.join(List.of(address(member)), ME, 2));
        }

        // then the second try came after a short pause, not after the whole interval
        long took = Duration.ofNanos(System.nanoTime() - started).toMillis();
        assertTrue(took < 5_000, "joined after " + took + " ms");
        assertEquals(2, member.joins.size());
    }

    @Test
    void theLastAttemptIsNotRepeated() throws Exception {
        FakeMachine member = machine("member");
        member.onJoin = r -> CompletableFuture.failedFuture(new EtcdException(EtcdException.RAFT_INTERNAL, "", 1));

        assertThrows(JoinException.class, () -> client.join(List.of(address(member)), ME, 1));
        assertEquals(1, member.joins.size());
    }

    private static int deadPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
