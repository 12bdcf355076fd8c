package io.etcdj.server;

import io.etcdj.peer.PeerReports;
import io.etcdj.peer.PeerTransport;
import io.etcdj.raft.Membership;
import io.etcdj.store.Store;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The leader's side of a join's stream: opened while the join is proposed, before anything is
 * sent, and closed again when the join is given up. The joiner is a bare socket here: what it
 * sees is the connection and the upgrade request, then the end of the stream.
 */
class PeerDirectoryTest {
    private static final int PATIENCE_MILLIS = 10_000;

    private final PeerTransport transport = new PeerTransport("a", new PeerReports() {
        @Override
        public void unreachable(String member) {
        }

        @Override
        public void snapshotSent(String member, boolean delivered) {
        }
    }, null);
    private final PeerDirectory peers = new PeerDirectory("a", new Registry(new Store(Clock.systemUTC())), transport,
            new FollowerStats());
    private final ServerSocket joiner = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());

    PeerDirectoryTest() throws IOException {
        joiner.setSoTimeout(PATIENCE_MILLIS);
    }

    @AfterEach
    void close() throws IOException {
        transport.close();
        joiner.close();
    }

    @Test
    void aProposedJoinGetsItsStreamAtOnceAndAnAbandonedOneLosesIt() throws Exception {
        // when the leader proposes b's join
        peers.joinProposed("b", "http://127.0.0.1:" + joiner.getLocalPort(), Membership.of("a"));

        // then b is asked for a stream though nothing is sent to it yet
        try (Socket s = joiner.accept()) {
            s.setSoTimeout(PATIENCE_MILLIS);
            String request = readHead(s.getInputStream());
            assertTrue(request.startsWith("GET /raft ") && request.toLowerCase().contains("upgrade:"), request);

            // when the join is given up, its stream is closed
            peers.joinAbandoned("b", Membership.of("a"), true);
            assertEquals(-1, s.getInputStream().read(), "the leader closed the stream");
        }
    }

    @Test
    void aJoinThatRaftAppliedMeanwhileKeepsItsStream() throws Exception {
        peers.joinProposed("b", "http://127.0.0.1:" + joiner.getLocalPort(), Membership.of("a"));
        try (Socket s = joiner.accept()) {
            s.setSoTimeout(300);
            readHead(s.getInputStream());

            // b is a member for Raft already (its registry entry comes with the applier)
            peers.joinAbandoned("b", Membership.of("a", "b"), true);

            // the stream stays open: nothing more arrives, and it does not end
            assertThrows(SocketTimeoutException.class, () -> s.getInputStream().read());
        }
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        return new String(head.toString().getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }
}
