package io.etcdj.peer;

import io.etcdj.raft.Entry;
import io.etcdj.raft.EntryType;
import io.etcdj.raft.Membership;
import io.etcdj.raft.Message;
import io.etcdj.raft.Snapshot;
import io.etcdj.raft.SnapshotMetadata;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static io.etcdj.peer.FakeMachine.next;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PeerTransportTest {
    private final List<FakeMachine> machines = new ArrayList<>();

    private FakeMachine machine(String name) throws InterruptedException {
        return machine(name, PeerTransport.Options.defaults());
    }

    private FakeMachine machine(String name, PeerTransport.Options options) throws InterruptedException {
        FakeMachine m = new FakeMachine(name, options).start();
        machines.add(m);
        return m;
    }

    @AfterEach
    void closeMachines() {
        machines.forEach(FakeMachine::close);
    }

    @Test
    void messagesFlowBothWaysInOrderOverOneStreamEach() throws Exception {
        // given two machines that know each other
        FakeMachine a = machine("a");
        FakeMachine b = machine("b");
        a.knows(b);
        b.knows(a);

        // when each sends many batches, as the node does with the messages of its Readies
        int batches = 200;
        for (int i = 1; i <= batches; i++) {
            a.transport.send(List.of(new Message.Heartbeat("a", "b", 1, i, i),
                    new Message.AppendRequest("a", "b", 1, i, 1, List.of(new Entry(i + 1, 1, EntryType.NORMAL,
                            ("value " + i).getBytes())), i)));
            b.transport.send(List.of(new Message.HeartbeatResponse("b", "a", 1, i)));
        }

        // then everything arrives, in order, and each direction used a single connection
        for (int i = 1; i <= batches; i++) {
            assertEquals(new Message.Heartbeat("a", "b", 1, i, i), b.nextReceived());
            Message.AppendRequest append = assertInstanceOf(Message.AppendRequest.class, b.nextReceived());
            assertEquals(i + 1, append.entries().get(0).index());
            assertEquals(new Message.HeartbeatResponse("b", "a", 1, i), a.nextReceived());
        }
        assertEquals(1, b.listener.streamsAccepted());
        assertEquals(1, a.listener.streamsAccepted());
        assertTrue(a.unreachable.isEmpty() && b.unreachable.isEmpty(), "nobody was unreachable");
    }

    @Test
    void twoSendersReachOneReceiverWhoseStreamsShareAThread() throws Exception {
        // given a receiver with two streams coming in (on a machine of up to seven cores, one
        // thread reads both), as a leader has when both followers answer at once
        FakeMachine leader = machine("l");
        FakeMachine f1 = machine("f1");
        FakeMachine f2 = machine("f2");
        f1.knows(leader);
        f2.knows(leader);

        // when both send many answers, interleaved
        int answers = 500;
        for (int i = 1; i <= answers; i++) {
            f1.transport.send(List.of(new Message.AppendResponse("f1", "l", 1, true, i, 0, 0, false)));
            f2.transport.send(List.of(new Message.AppendResponse("f2", "l", 1, true, i, 0, 0, false)));
        }

        // then every answer arrives, each sender's in its order, on one stream per sender
        long[] last = new long[3];
        for (int n = 0; n < 2 * answers; n++) {
            Message.AppendResponse r = assertInstanceOf(Message.AppendResponse.class, leader.nextReceived());
            int sender = r.from().equals("f1") ? 1 : 2;
            assertEquals(last[sender] + 1, r.index(), "answers of " + r.from() + " in order");
            last[sender] = r.index();
        }
        assertEquals(answers, last[1]);
        assertEquals(answers, last[2]);
        assertEquals(2, leader.listener.streamsAccepted());
    }

    @Test
    void peerStreamsAreReadByOneThreadPerFourCores() {
        assertEquals(1, PeerListener.workerThreads(1));
        assertEquals(1, PeerListener.workerThreads(4));
        assertEquals(1, PeerListener.workerThreads(7));
        assertEquals(2, PeerListener.workerThreads(8));
        assertEquals(4, PeerListener.workerThreads(64));
    }

    @Test
    void aRestartedReceiverIsReachedAgain() throws Exception {
        // given a stream from a to b in use
        FakeMachine a = machine("a", fastBackoff());
        FakeMachine b = machine("b");
        a.knows(b);
        a.transport.send(List.of(new Message.TimeoutNow("a", "b", 1)));
        assertEquals(new Message.TimeoutNow("a", "b", 1), b.nextReceived());

        // when b goes away, a notices; then b comes back on the same port
        b.stopListening();
        assertEquals("b", next(a.unreachable, "unreachable report"));
        b.start();

        // then a's messages reach it again over a new stream (Raft resends, so we do too)
        Message hello = new Message.TimeoutNow("a", "b", 2);
        long deadline = System.nanoTime() + FakeMachine.PATIENCE.toNanos();
        Message got = null;
        while (got == null && System.nanoTime() < deadline) {
            a.transport.send(List.of(hello));
            got = b.received.poll(100, TimeUnit.MILLISECONDS);
        }
        assertEquals(hello, got);
        assertEquals(1, b.listener.streamsAccepted());
    }

    @Test
    void aLargeSnapshotArrivesWholeAndIsConfirmed() throws Exception {
        // given a snapshot of many chunks, and messages sent while it travels
        FakeMachine a = machine("a");
        FakeMachine b = machine("b");
        a.knows(b);
        byte[] data = new byte[5 * OutboundStream.SNAPSHOT_CHUNK_BYTES * 7 + 123];
        new Random(3).nextBytes(data);
        Message.InstallSnapshot snapshot = new Message.InstallSnapshot("a", "b", 4,
                new Snapshot(new SnapshotMetadata(900, 3, Membership.of("a", "b", "ü")), data));

        // when
        a.transport.send(List.of(snapshot, new Message.Heartbeat("a", "b", 4, 0, 1)));
        a.transport.send(List.of(new Message.Heartbeat("a", "b", 4, 0, 2)));

        // then b gets one InstallSnapshot with every byte, and both heartbeats
        Message.InstallSnapshot got = null;
        List<Message> others = new ArrayList<>();
        while (got == null || others.size() < 2) {
            Message m = b.nextReceived();
            if (m instanceof Message.InstallSnapshot s) {
                assertNull(got, "one snapshot only");
                got = s;
            } else {
                others.add(m);
            }
        }
        assertEquals(snapshot.snapshot().metadata(), got.snapshot().metadata());
        assertEquals(4, got.term());
        assertArrayEquals(data, got.snapshot().data());
        assertEquals(List.of(new Message.Heartbeat("a", "b", 4, 0, 1), new Message.Heartbeat("a", "b", 4, 0, 2)), others);
        assertEquals("b:true", next(a.snapshotReports, "snapshot report"));
    }

    @Test
    void anEmptySnapshotArrivesToo() throws Exception {
        FakeMachine a = machine("a");
        FakeMachine b = machine("b");
        a.knows(b);

        a.transport.send(List.of(new Message.InstallSnapshot("a", "b", 1,
                new Snapshot(new SnapshotMetadata(1, 1, Membership.of("a")), new byte[0]))));

        Message.InstallSnapshot got = assertInstanceOf(Message.InstallSnapshot.class, b.nextReceived());
        assertEquals(0, got.snapshot().data().length);
        assertEquals("b:true", next(a.snapshotReports, "snapshot report"));
    }

    @Test
    void aPeerNobodyListensForIsReportedUnreachable() throws Exception {
        // given a peer URL with nothing behind it
        FakeMachine a = machine("a", fastBackoff());
        int deadPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort();
        }
        a.transport.updatePeers(Map.of("c", "http://127.0.0.1:" + deadPort));

        // when a message and a snapshot are sent to it
        a.transport.send(List.of(new Message.TimeoutNow("a", "c", 1), new Message.InstallSnapshot("a", "c", 1,
                new Snapshot(new SnapshotMetadata(1, 1, Membership.of("a", "c")), new byte[10]))));

        // then the node hears that c is unreachable and the snapshot was not delivered
        assertEquals("c", next(a.unreachable, "unreachable report"));
        assertEquals("c:false", next(a.snapshotReports, "snapshot report"));
    }

    @Test
    void aMemberWithoutAPeerUrlIsReportedAtOnce() {
        FakeMachine a = new FakeMachine("a");
        PeerTransport transport = new PeerTransport("a", a, null);
        try {
            transport.send(List.of(new Message.TimeoutNow("a", "stranger", 1)));

            assertEquals("stranger", a.unreachable.poll());
        } finally {
            transport.close();
        }
    }

    @Test
    void aPeerThatTakesLongerThanTheConnectTimeoutToAnswerTheUpgradeStillGetsItsStream() throws Exception {
        // given b behind a front that holds every connection 1.5 s before passing bytes on: three
        // times the connect timeout, as a cold, busy JVM's first TLS handshake can take
        FakeMachine a = machine("a");
        FakeMachine b = machine("b");
        int bPort = Integer.parseInt(b.peerUrl().substring(b.peerUrl().lastIndexOf(':') + 1));
        try (SlowFront front = new SlowFront(bPort, Duration.ofMillis(1500))) {
            a.transport.updatePeers(Map.of("b", "http://127.0.0.1:" + front.port()));

            // when a sends to b
            a.transport.send(List.of(new Message.TimeoutNow("a", "b", 1)));

            // then the first connection becomes the stream: the message arrives over it
            assertEquals(new Message.TimeoutNow("a", "b", 1), b.nextReceived());
            assertEquals(1, front.accepted());
            assertNull(a.unreachable.poll());
        }
    }

    /** A TCP front that waits a while on each connection, then relays both ways. */
    private static final class SlowFront implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 10, java.net.InetAddress.getLoopbackAddress());
        private final java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();
        private final List<java.net.Socket> sockets = new java.util.concurrent.CopyOnWriteArrayList<>();

        SlowFront(int target, Duration delay) throws java.io.IOException {
            Thread acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        java.net.Socket in = server.accept();
                        accepted.incrementAndGet();
                        sockets.add(in);
                        Thread relay = new Thread(() -> relay(in, target, delay), "slow-front-relay");
                        relay.setDaemon(true);
                        relay.start();
                    } catch (java.io.IOException e) {
                        return; // closed
                    }
                }
            }, "slow-front");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        private void relay(java.net.Socket in, int target, Duration delay) {
            try {
                java.util.concurrent.locks.LockSupport.parkNanos(delay.toNanos()); // the slowness being simulated
                java.net.Socket out = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), target);
                sockets.add(out);
                Thread back = new Thread(() -> pipe(out, in), "slow-front-back");
                back.setDaemon(true);
                back.start();
                pipe(in, out);
            } catch (java.io.IOException e) {
                close(in);
            }
        }

        private static void pipe(java.net.Socket from, java.net.Socket to) {
            try {
                from.getInputStream().transferTo(to.getOutputStream());
            } catch (java.io.IOException e) {
                // one side closed
            } finally {
                close(from);
                close(to);
            }
        }

        private static void close(java.net.Socket s) {
            try {
                s.close();
            } catch (java.io.IOException ignored) {
                // closing anyway
            }
        }

        int port() {
            return server.getLocalPort();
        }

        int accepted() {
            return accepted.get();
        }

        @Override
        public void close() throws java.io.IOException {
            server.close();
            sockets.forEach(SlowFront::close);
        }
    }

    @Test
    void aFullQueueDropsAndReportsOnce() throws Exception {
        // given a queue of two messages to a peer that accepts connections but never answers the handshake
        FakeMachine a = new FakeMachine("a");
        PeerTransport.Options tiny = new PeerTransport.Options(2, 1 << 20, Duration.ofSeconds(30),
                Duration.ofMillis(50), Duration.ofSeconds(1), 1);
        PeerTransport transport = new PeerTransport("a", a, null, tiny);
        try (ServerSocket silent = new ServerSocket(0, 10, java.net.InetAddress.getLoopbackAddress())) {
            transport.updatePeers(Map.of("b", "http://127.0.0.1:" + silent.getLocalPort()));

            // when one Ready holds four messages for it
            List<Message> batch = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                batch.add(new Message.Heartbeat("a", "b", 1, 0, i));
            }
            transport.send(batch);

            // then the overflow is reported once, on the sending thread, without blocking
            assertEquals("b", a.unreachable.poll());
            assertNull(a.unreachable.poll());
        } finally {
            transport.close();
        }
    }

    @Test
    void aStreamToTheWrongMachineIsRefused() throws Exception {
        // given a believes b lives where c listens
        FakeMachine a = machine("a", fastBackoff());
        FakeMachine c = machine("c");
        a.transport.updatePeers(Map.of("b", c.peerUrl()));

        // when a sends to b
        a.transport.send(List.of(new Message.TimeoutNow("a", "b", 1)));

        // then c refuses the stream and receives nothing; a reports b unreachable
        assertEquals("b", next(a.unreachable, "unreachable report"));
        assertEquals(0, c.listener.streamsAccepted());
        assertTrue(c.received.isEmpty());
    }

    @Test
    void aRemovedPeerGetsNothingMore() throws Exception {
        FakeMachine a = machine("a");
        FakeMachine b = machine("b");
        a.knows(b);
        a.transport.send(List.of(new Message.TimeoutNow("a", "b", 1)));
        assertEquals(new Message.TimeoutNow("a", "b", 1), b.nextReceived());

        a.transport.updatePeers(Map.of());
        a.transport.send(List.of(new Message.TimeoutNow("a", "b", 2)));

        assertEquals("b", next(a.unreachable, "unreachable report"));
    }

    @Test
    void aStreamOpenedAheadIsReadyBeforeTheFirstMessageAndCarriesIt() throws Exception {
        // given a peer the leader has just proposed to add: known, but nothing to send it yet
        FakeMachine a = machine("a");
        FakeMachine b = machine("b");
        a.knows(b);

        // when the stream is opened ahead
        a.transport.openAhead("b");

        // then it is connected and upgraded with nothing sent, and the first message uses it
        awaitTrue(() -> a.transport.isOpen("b") && b.listener.streamsAccepted() == 1, "the stream opened ahead");
        assertTrue(b.received.isEmpty());
        a.transport.send(List.of(new Message.TimeoutNow("a", "b", 1)));
        assertEquals(new Message.TimeoutNow("a", "b", 1), b.nextReceived());
        assertEquals(1, b.listener.streamsAccepted());
        assertTrue(a.unreachable.isEmpty());
    }

    @Test
    void aStreamOpenedAheadIsClosedWhenThePeerIsDroppedAgain() throws Exception {
        // given a stream opened ahead for a join that then fails
        FakeMachine a = machine("a");
        FakeMachine b = machine("b");
        a.knows(b);
        a.transport.openAhead("b");
        awaitTrue(() -> a.transport.isOpen("b"), "the stream opened ahead");

        // when the peer is dropped from the transport's peers
        a.transport.updatePeers(Map.of());

        // then the stream is closed, nothing reached b, and nothing is left to reopen it
        awaitTrue(() -> !a.transport.isOpen("b"), "the stream closed");
        a.transport.openAhead("b");
        a.transport.send(List.of(new Message.TimeoutNow("a", "b", 2)));
        assertEquals("b", next(a.unreachable, "unreachable report"));
        assertEquals(1, b.listener.streamsAccepted());
        assertTrue(b.received.isEmpty());
    }

    @Test
    void openingAheadToAPeerNobodyListensForReportsItOnceAndDoesNotRetryOnItsOwn() throws Exception {
        FakeMachine a = machine("a", fastBackoff());
        int deadPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort();
        }
        a.transport.updatePeers(Map.of("c", "http://127.0.0.1:" + deadPort));

        a.transport.openAhead("c");

        assertEquals("c", next(a.unreachable, "unreachable report"));
        // With nothing queued there is no reconnecting: no second report within many backoffs.
        assertNull(a.unreachable.poll(300, TimeUnit.MILLISECONDS));
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "no " + what + " within 10 s");
            TimeUnit.MILLISECONDS.sleep(5);
        }
    }

    private static PeerTransport.Options fastBackoff() {
        return new PeerTransport.Options(4096, 64L << 20, Duration.ofSeconds(1), Duration.ofMillis(10),
                Duration.ofMillis(100), 1);
    }
}
