package io.etcdj.peer;

import io.etcdj.raft.Message;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/** A machine for the peer tests: its listener and transport, with a node that only records. */
final class FakeMachine implements PeerService, PeerReports, AutoCloseable {
    static final Duration PATIENCE = Duration.ofSeconds(10);

    final String name;
    final BlockingQueue<Message> received = new LinkedBlockingQueue<>();
    final BlockingQueue<String> unreachable = new LinkedBlockingQueue<>();
    final BlockingQueue<String> snapshotReports = new LinkedBlockingQueue<>();
    final BlockingQueue<JoinRequest> joins = new LinkedBlockingQueue<>();
    final BlockingQueue<String> removals = new LinkedBlockingQueue<>();
    volatile Function<JoinRequest, CompletableFuture<ChangeOutcome>> onJoin =
            r -> CompletableFuture.completedFuture(new ChangeOutcome.Committed(1));
    volatile Function<String, CompletableFuture<ChangeOutcome>> onRemove =
            n -> CompletableFuture.completedFuture(new ChangeOutcome.Committed(1));
    volatile int storeVersion = JoinRequest.MAX_VERSION;
    private final PeerTransport.Options options;
    private final io.netty.handler.ssl.SslContext serverTls;
    private final io.netty.handler.ssl.SslContext clientTls;
    PeerListener listener;
    PeerTransport transport;
    int port;

    FakeMachine(String name) {
        this(name, PeerTransport.Options.defaults());
    }

    FakeMachine(String name, PeerTransport.Options options) {
        this(name, options, null, null);
    }

    FakeMachine(String name, PeerTransport.Options options, io.netty.handler.ssl.SslContext serverTls,
                io.netty.handler.ssl.SslContext clientTls) {
        this.name = name;
        this.options = options;
        this.serverTls = serverTls;
        this.clientTls = clientTls;
    }

    /** Starts listening on a free port of 127.0.0.1 (or the previous one, after {@link #stopListening}). */
    FakeMachine start() throws InterruptedException {
        listener = new PeerListener(this, serverTls);
        InetSocketAddress bound = listener.start("127.0.0.1", port);
        port = bound.getPort();
        if (transport == null) {
            transport = new PeerTransport(name, this, clientTls, options);
        }
        return this;
    }

    void stopListening() {
        listener.stop();
    }

    void knows(FakeMachine... peers) {
        Map<String, String> urls = new java.util.HashMap<>();
        for (FakeMachine p : peers) {
            urls.put(p.name, p.peerUrl());
        }
        transport.updatePeers(urls);
    }

    Message nextReceived() throws InterruptedException {
        Message m = received.poll(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        assertNotNull(m, name + " received nothing within " + PATIENCE);
        return m;
    }

    static <T> T next(BlockingQueue<T> queue, String what) throws InterruptedException {
        T value = queue.poll(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        assertNotNull(value, "no " + what + " within " + PATIENCE);
        return value;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String clientUrl() {
        return "http://127.0.0.1:4001";
    }

    @Override
    public String peerUrl() {
        return (serverTls == null ? "http" : "https") + "://127.0.0.1:" + port;
    }

    @Override
    public int storeVersion() {
        return storeVersion;
    }

    @Override
    public void receive(Message m) {
        received.add(m);
    }

    @Override
    public CompletableFuture<ChangeOutcome> join(JoinRequest request) {
        joins.add(request);
        return onJoin.apply(request);
    }

    @Override
    public CompletableFuture<ChangeOutcome> remove(String member) {
        removals.add(member);
        return onRemove.apply(member);
    }

    @Override
    public void unreachable(String member) {
        unreachable.add(member);
    }

    @Override
    public void snapshotSent(String member, boolean delivered) {
        snapshotReports.add(member + ":" + delivered);
    }

    @Override
    public void close() {
        if (transport != null) {
            transport.close();
        }
        if (listener != null) {
            listener.stop();
        }
    }
}
