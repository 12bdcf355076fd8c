package io.etcdj.peer;

import io.etcdj.raft.Membership;
import io.etcdj.raft.Message;
import io.etcdj.raft.Snapshot;
import io.etcdj.raft.SnapshotMetadata;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static io.etcdj.peer.FakeMachine.next;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** The TLS hooks: the same streams and snapshots with a TLS handler in front of HTTP. */
class PeerTlsTest {
    @Test
    void streamsAndSnapshotsWorkOverTls() throws Exception {
        // given two machines with server and client TLS contexts
        SelfSignedCertificate cert = new SelfSignedCertificate("127.0.0.1");
        SslContext server = SslContextBuilder.forServer(cert.certificate(), cert.privateKey()).build();
        SslContext client = SslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE).build();
        try (FakeMachine a = new FakeMachine("a", PeerTransport.Options.defaults(), server, client).start();
             FakeMachine b = new FakeMachine("b", PeerTransport.Options.defaults(), server, client).start()) {
            a.knows(b);
            byte[] data = new byte[300_000];
            new Random(1).nextBytes(data);

            // when a sends a message and a snapshot
            a.transport.send(List.of(new Message.TimeoutNow("a", "b", 1)));
            a.transport.send(List.of(new Message.InstallSnapshot("a", "b", 1,
                    new Snapshot(new SnapshotMetadata(10, 1, Membership.of("a", "b")), data))));

            // then both arrive intact and the snapshot is confirmed
            assertEquals(new Message.TimeoutNow("a", "b", 1), b.nextReceived());
            Message.InstallSnapshot got = assertInstanceOf(Message.InstallSnapshot.class, b.nextReceived());
            assertArrayEquals(data, got.snapshot().data());
            assertEquals("b:true", next(a.snapshotReports, "snapshot report"));
        } finally {
            cert.delete();
        }
    }
}
