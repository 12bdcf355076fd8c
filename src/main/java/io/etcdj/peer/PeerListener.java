package io.etcdj.peer;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The peer port (7001 by default): HTTP/1.1 endpoints for people and joining machines
 * ({@code /name}, {@code /version}, {@code /etcdURL}, {@code /join}, {@code /remove/{name}}), and
 * the Raft streams other members open with an upgrade on {@code /raft} (see {@link StreamUpgrade}
 * and {@link MessageCodec}). Received messages go to {@link PeerService#receive} on network threads.
 */
public final class PeerListener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PeerListener.class);
    /** Join and remove bodies are a few hundred bytes. */
    private static final int MAX_REQUEST_BYTES = 1 << 20;
    /** A connection that sends nothing for this long before it is a Raft stream is closed. */
    static final Duration HTTP_IDLE = Duration.ofSeconds(60);

    private final PeerService service;
    private final SslContext sslContext;
    private final ChannelGroup channels = new DefaultChannelGroup("peer-http", GlobalEventExecutor.INSTANCE);
    private final AtomicLong streamsAccepted = new AtomicLong();
    private EventLoopGroup acceptor;
    private EventLoopGroup workers;
    private Channel serverChannel;

    /**
     * @param service    the machine behind the port
     * @param sslContext a server-side TLS context, or {@code null} for plain HTTP
     */
    public PeerListener(PeerService service, SslContext sslContext) {
        this.service = service;
        this.sslContext = sslContext;
    }

    /**
     * Binds and starts serving.
     *
     * @param bindHost address to listen on, e.g. {@code 0.0.0.0}
     * @param port     port, or 0 for any free one
     * @return the address actually bound
     */
    public synchronized InetSocketAddress start(String bindHost, int port) throws InterruptedException {
        if (serverChannel != null) {
            throw new IllegalStateException("peer listener already started");
        }
        acceptor = EventLoops.group(1, "peer-accept");
        workers = EventLoops.group(workerThreads(Runtime.getRuntime().availableProcessors()), "peer-listener");
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptor, workers)
                .channel(EventLoops.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 128)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        channels.add(ch);
                        if (sslContext != null) {
                            ch.pipeline().addLast("tls", sslContext.newHandler(ch.alloc()));
                        }
                        ch.pipeline().addLast("idle", new IdleStateHandler(HTTP_IDLE.toSeconds(), 0, 0, TimeUnit.SECONDS));
                        HttpServerCodec codec = new HttpServerCodec();
                        HttpObjectAggregator aggregator = new HttpObjectAggregator(MAX_REQUEST_BYTES);
                        ch.pipeline().addLast("http", codec)
                                .addLast("aggregator", aggregator)
                                .addLast("endpoints", new PeerHttpHandler(service, codec, aggregator, streamsAccepted));
                    }
                });
        try {
            serverChannel = bootstrap.bind(bindHost, port).sync().channel();
        } catch (Exception e) {
            shutDownGroups();
            throw e;
        }
        InetSocketAddress bound = (InetSocketAddress) serverChannel.localAddress();
        log.info("peer listener on {}{}", bound, sslContext == null ? "" : " (TLS)");
        return bound;
    }

    /**
     * Threads that read the peer connections: one per four cores, at least one, at most four.
     *
     * <p>Peer traffic is a few frames per batch of writes, which one thread decodes in
     * microseconds; what a second thread adds on a small machine is a second wake-up per batch
     * (a leader's two followers answer on two streams, each read by a thread of its own) and one
     * more runnable thread competing with the node loop and the fsyncs for the cores. The price is
     * that a slow delivery blocks the other streams read by the same thread: the one slow one is
     * the decoding of a snapshot from the leader into a store image, which delays little else,
     * since that leader's appends come on the same stream.
     */
    static int workerThreads(int cores) {
        return Math.max(1, Math.min(4, cores / 4));
    }

    /** Raft streams accepted since the start: one per member that sends to this one, plus reconnects. */
    public long streamsAccepted() {
        return streamsAccepted.get();
    }

    /** Stops accepting, closes every connection and releases the threads. Idempotent. */
    public synchronized void stop() {
        if (serverChannel != null) {
            serverChannel.close().awaitUninterruptibly();
            serverChannel = null;
        }
        channels.close().awaitUninterruptibly();
        shutDownGroups();
    }

    @Override
    public void close() {
        stop();
    }

    private void shutDownGroups() {
        EventLoops.shutDown(acceptor);
        EventLoops.shutDown(workers);
        acceptor = null;
        workers = null;
    }
}
