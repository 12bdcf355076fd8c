package io.etcdj.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A 3-machine cluster whose machines talk to each other over TLS with the fixture certificates
 * and require each other's certificates ({@code -peer-ca-file}). It forms and replicates; machines
 * that cannot prove themselves, or do not speak the same protocol, cannot join; after its leader
 * is killed it elects another and takes writes again (the time that takes is printed, not asserted),
 * and the killed machine comes back.
 * The cluster is shared by the tests, in order; the failover comes last.
 */
@Timeout(150)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PeerTlsIT {
    private static final Duration RECOVER = Duration.ofSeconds(30);
    /** A refused join ends after the default three rounds, a second apart; far below this. */
    private static final Duration JOIN_LIMIT = Duration.ofSeconds(45);
    private static final List<String> PEER_TLS = peerFlags(TlsFixtures.SERVER_CERT, TlsFixtures.SERVER_KEY,
            TlsFixtures.CA);
    /** The harness dials peer ports as a member would: with server.crt, trusting ca.crt. */
    private static final EtcdProcess.Tls TLS = new EtcdProcess.Tls(null,
            TlsFixtures.context(TlsFixtures.CA, TlsFixtures.SERVER_CERT, TlsFixtures.SERVER_KEY));

    private static EtcdCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = EtcdCluster.start(3, PEER_TLS, TLS);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void formsOverPeerTlsAndReplicatesAWrite() throws Exception {
        cluster.showLogsOnFailure(() -> {
            // given three machines with peer TLS
            int leader = cluster.leader();

            // then every machine names the leader by its https peer URL and lists three machines
            for (int i = 0; i < 3; i++) {
                HttpAnswer named = cluster.request(i, "GET", "/v2/leader", null);
                assertEquals(200, named.status(), named.toString());
                assertEquals("https://127.0.0.1:" + cluster.machine(leader).peerPort(), named.text().trim());
                assertEquals(3, cluster.machinesListedBy(i).size(), cluster.machinesListedBy(i).toString());
            }

            // when a key is written through a follower
            int follower = cluster.follower();
            HttpAnswer put = cluster.put(follower, "peertls/formed", "yes");
            assertEquals(201, put.status(), put.toString());

            // then every machine has it
            for (int i = 0; i < 3; i++) {
                cluster.awaitValue(i, "peertls/formed", "yes", RECOVER);
            }

            // and the peer port answers a member's certificate, but not plain HTTP
            try (HttpConnection c = cluster.machine(leader).connectPeer(EtcdCluster.REQUEST_TIMEOUT)) {
                HttpAnswer version = c.get("/version");
                assertEquals(200, version.status(), version.toString());
            }
            assertThrows(IOException.class, () -> {
                try (HttpConnection c = HttpConnection.open(EtcdProcess.HOST, cluster.machine(leader).peerPort(),
                        EtcdCluster.REQUEST_TIMEOUT)) {
                    c.get("/version");
                }
            });
        });
    }

    @Test
    @Order(2)
    void aMachineWithACertificateFromAnotherCaCannotJoin() throws Exception {
        cluster.showLogsOnFailure(() -> {
            // given a machine presenting the broken set's certificate and trusting the right CA,
            // so only the cluster's check of its certificate can stop it
            StartAttempt trustsUs = join("intruder1", peerFlags(TlsFixtures.BROKEN_CERT, TlsFixtures.BROKEN_KEY,
                    TlsFixtures.CA));
            assertRefusedJoin("broken certificate, cluster CA trusted", trustsUs, "refused this machine's certificate");

            // and one that uses the broken set throughout (it trusts neither side's certificate)
            StartAttempt allBroken = join("intruder2", peerFlags(TlsFixtures.BROKEN_CERT, TlsFixtures.BROKEN_KEY,
                    TlsFixtures.BROKEN_CA));
            assertRefusedJoin("broken set", allBroken, "not signed by a CA in this machine's -peer-ca-file");

            // then the cluster still has exactly its three machines
            assertThreeMachines();
        });
    }

    @Test
    @Order(3)
    void aMachineWithoutPeerTlsCannotJoin() throws Exception {
        cluster.showLogsOnFailure(() -> {
            StartAttempt plain = join("plain1", List.of());
            assertRefusedJoin("no peer TLS", plain, "must use peer TLS, or none");
            assertThreeMachines();
        });
    }

    @Test
    @Order(4)
    void aPeerTlsMachineCannotJoinAPlainCluster() throws Exception {
        try (EtcdProcess plain = EtcdProcess.startMember("plain0",
                List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"), List.of())) {
            plain.showLogOnFailure(() -> {
                StartAttempt attempt = StartAttempt.run("tls1", with(PEER_TLS,
                        "-peers", EtcdProcess.HOST + ":" + plain.peerPort()), JOIN_LIMIT);
                assertRefusedJoin("peer TLS joining a plain cluster", attempt, "must use peer TLS, or none");
                try (HttpConnection c = plain.connect(EtcdCluster.REQUEST_TIMEOUT)) {
                    HttpAnswer machines = c.get("/v2/machines");
                    assertEquals(plain.clientUrl(), machines.text().trim(), machines.toString());
                }
            });
        }
    }

    @Test
    @Order(5)
    void afterTheLeaderIsKilledANewOneTakesWrites() throws Exception {
        cluster.showLogsOnFailure(() -> {
            // given the cluster with an acknowledged write
            int oldLeader = cluster.leader();
            JsonNode before = cluster.set("peertls/before", "kept");

            // when the leader gets SIGKILL
            long killedAt = System.nanoTime();
            cluster.kill(oldLeader);

            // then a write through a survivor succeeds again
            List<Integer> survivors = cluster.live();
            assertEquals(2, survivors.size());
            HttpAnswer after = EtcdCluster.poll(RECOVER, "a write after the leader was killed", () -> {
                for (int i : survivors) {
                    try {
                        HttpAnswer a = cluster.put(i, "peertls/after", "written", Duration.ofSeconds(2));
                        if (a.isSuccess()) {
                            return a;
                        }
                    } catch (RuntimeException notYet) {
                        // leader gone or election under way: the next round tries again
                    }
                }
                return null;
            });
            long millis = (System.nanoTime() - killedAt) / 1_000_000;
            System.out.println("peer TLS failover: first write acknowledged " + millis + " ms after the leader ("
                    + cluster.name(oldLeader) + ") was killed");
            assertEquals("written", EtcdCluster.json(after).path("node").path("value").asText());

            // and the survivors agree on a new leader, named by its https peer URL
            int newLeader = cluster.leader();
            assertNotEquals(oldLeader, newLeader);
            System.out.println("peer TLS failover: new leader " + cluster.name(newLeader) + " ("
                    + cluster.machine(newLeader).peerUrl() + ")");

            // and both survivors hold the writes from before and after
            for (int i : survivors) {
                cluster.awaitValue(i, "peertls/after", "written", RECOVER);
                JsonNode kept = cluster.awaitValue(i, "peertls/before", "kept", RECOVER);
                assertEquals(before.path("modifiedIndex").asLong(), kept.path("modifiedIndex").asLong());
            }

            // and the killed machine, started again, rejoins over TLS and catches up
            cluster.restart(oldLeader);
            cluster.awaitValue(oldLeader, "peertls/after", "written", RECOVER);
            // (leader() waits until all three name the same live leader)
            assertEquals(3, cluster.live().size());
            cluster.leader();
        });
    }

    // ---- plumbing ----

    private static List<String> peerFlags(Path cert, Path key, Path ca) {
        return List.of("-peer-cert-file", cert.toString(), "-peer-key-file", key.toString(),
                "-peer-ca-file", ca.toString());
    }

    private static List<String> with(List<String> flags, String... more) {
        List<String> all = new ArrayList<>(flags);
        all.addAll(List.of(more));
        return all;
    }

    /** A new machine with {@code flags} that tries to join through every live member. */
    private static StartAttempt join(String name, List<String> flags) {
        List<String> addresses = new ArrayList<>();
        for (int i : cluster.live()) {
            addresses.add(EtcdProcess.HOST + ":" + cluster.machine(i).peerPort());
        }
        return StartAttempt.run(name, with(flags, "-peers", String.join(",", addresses)), JOIN_LIMIT);
    }

    /** The attempt ended by itself, non-zero, with one {@code etcd:} line on stderr saying it cannot join. */
    private static void assertRefusedJoin(String what, StartAttempt attempt, String says) {
        assertTrue(attempt.exit().isPresent(), what + ": still running at the limit; " + attempt);
        assertNotEquals(0, attempt.exit().getAsInt(), what + ": " + attempt);
        List<String> errors = attempt.errorLines().stream().filter(l -> l.startsWith("etcd: ")).toList();
        assertEquals(1, errors.size(), what + ": " + attempt);
        assertTrue(errors.get(0).contains("cannot join"), what + ": " + errors.get(0));
        assertTrue(errors.get(0).contains(says), what + ": the line should say \"" + says + "\": " + errors.get(0));
        System.out.println(what + ": exit " + attempt.exit().getAsInt() + " after " + attempt.millis() + " ms: "
                + errors.get(0));
    }

    private static void assertThreeMachines() {
        int leader = cluster.leader();
        List<String> listed = cluster.machinesListedBy(leader);
        assertEquals(3, listed.size(), listed.toString());
        for (int i = 0; i < 3; i++) {
            assertTrue(listed.contains(cluster.machine(i).clientUrl()), listed.toString());
        }
    }
}
