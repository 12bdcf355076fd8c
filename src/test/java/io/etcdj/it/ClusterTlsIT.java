package io.etcdj.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLContext;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A cluster with TLS on both ports and certificates required on both, set with the deprecated
 * flag names ({@code -clientCert}, {@code -serverCert}, ...): clients are sent to the leader's
 * https URL, and following the redirect with a client certificate gets the write done.
 */
@Timeout(120)
class ClusterTlsIT {
    private static final List<String> FLAGS = List.of(
            "-clientCert", TlsFixtures.SERVER_CERT.toString(), "-clientKey", TlsFixtures.SERVER_KEY.toString(),
            "-clientCAFile", TlsFixtures.CA.toString(),
            "-serverCert", TlsFixtures.SERVER_CERT.toString(), "-serverKey", TlsFixtures.SERVER_KEY.toString(),
            "-serverCAFile", TlsFixtures.CA.toString());

    @Test
    void aFollowerRedirectsWritesToTheLeadersHttpsUrl() throws Exception {
        SSLContext member = TlsFixtures.context(TlsFixtures.CA, TlsFixtures.SERVER2_CERT, TlsFixtures.SERVER2_KEY);
        try (EtcdCluster cluster = EtcdCluster.start(2, FLAGS, new EtcdProcess.Tls(member, member))) {
            cluster.showLogsOnFailure(() -> {
                // given two machines with client and peer TLS
                int leader = cluster.leader();
                int follower = cluster.follower();
                assertEquals(Set.of(cluster.machine(0).clientUrl(), cluster.machine(1).clientUrl()),
                        Set.copyOf(cluster.machinesListedBy(follower)));
                assertEquals("https://127.0.0.1:" + cluster.machine(0).clientPort(), cluster.machine(0).clientUrl());

                // when a client writes to the follower
                HttpAnswer redirect = cluster.request(follower, "PUT", "/v2/keys/clustertls/k", "value=v");

                // then it is sent to the leader's https client URL
                assertEquals(307, redirect.status(), redirect.toString());
                URI location = URI.create(redirect.header("Location").orElseThrow());
                assertEquals(URI.create(cluster.machine(leader).clientUrl() + "/v2/keys/clustertls/k"), location);

                // and following it (with a client certificate) sets the key on both machines
                HttpAnswer put = cluster.put(follower, "clustertls/k", "v");
                assertEquals(201, put.status(), put.toString());
                for (int i = 0; i < 2; i++) {
                    cluster.awaitValue(i, "clustertls/k", "v", Duration.ofSeconds(10));
                }
            });
        }
    }
}
