package io.etcdj.http;

import io.etcdj.server.EtcdServer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jdk.net.ExtendedSocketOptions;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The client HTTP listener (the keys API, machines, leader, stats, version) of one node. Start it
 * once, stop it once; stopping closes every open connection, which releases their watches.
 *
 * <p>Accepted sockets use TCP keepalive with short probe times where the platform lets us set them
 * (Linux): a watcher whose client vanished without a word (power loss, a dropped route) is freed
 * after about {@link #KEEPALIVE_IDLE_SECONDS} + {@link #KEEPALIVE_PROBES} x {@link
 * #KEEPALIVE_INTERVAL_SECONDS} seconds instead of the system's default two hours and more.
 */
public final class ClientListener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClientListener.class);
    static final int KEEPALIVE_IDLE_SECONDS = 30;
    static final int KEEPALIVE_INTERVAL_SECONDS = 10;
    static final int KEEPALIVE_PROBES = 3;

    private final EtcdServer server;
    private final HttpOptions options;
    private final ClientChannelInitializer initializer;
    private final ChannelGroup channels = new DefaultChannelGroup("client-http", GlobalEventExecutor.INSTANCE);
    private EventLoopGroup acceptor;
    private EventLoopGroup workers;
    private Channel serverChannel;

    public ClientListener(EtcdServer server, HttpOptions options) {
        this(server, options, router -> { });
    }

    /** @param extraRoutes adds routes after the standard ones (the modules' {@code /mod} prefix) */
    public ClientListener(EtcdServer server, HttpOptions options, Consumer<Router> extraRoutes) {
        this.server = server;
        this.options = options;
        this.initializer = new ClientChannelInitializer(server, options, extraRoutes);
    }

    /**
     * Binds and starts serving.
     *
     * @param bindHost address to listen on, e.g. {@code 0.0.0.0}
     * @param port     port, or 0 for any free one
     * @return the address actually bound
     * @throws InterruptedException when interrupted while binding
     * @throws io.netty.channel.ChannelException (or the underlying I/O error) when binding fails
     */
    public synchronized InetSocketAddress start(String bindHost, int port) throws InterruptedException {
        if (serverChannel != null) {
            throw new IllegalStateException("client listener already started");
        }
        boolean epoll = Epoll.isAvailable();
        acceptor = epoll ? new EpollEventLoopGroup(1) : new NioEventLoopGroup(1);
        workers = epoll ? new EpollEventLoopGroup(options.ioThreads()) : new NioEventLoopGroup(options.ioThreads());
        Class<? extends ServerChannel> channelType = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptor, workers)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, ClientChannelInitializer.WATER_MARK);
        boolean keepAliveTuned = epoll ? tuneEpollKeepAlive(bootstrap) : tuneNioKeepAlive(bootstrap);
        bootstrap.childHandler(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                channels.add(ch);
                ch.pipeline().addLast(initializer);
            }
        });
        try {
            serverChannel = bootstrap.bind(bindHost, port).sync().channel();
        } catch (Exception e) {
            shutDownGroups();
            throw e;
        }
        InetSocketAddress bound = (InetSocketAddress) serverChannel.localAddress();
        log.info("client listener on {}{}; idle connections close after {} s{}", bound,
                options.sslContext() == null ? "" : " (TLS)", options.idleTimeout().toSeconds(),
                keepAliveTuned ? "" : "; TCP keepalive with the system's probe times");
        return bound;
    }

    private static boolean tuneEpollKeepAlive(ServerBootstrap bootstrap) {
        bootstrap.childOption(EpollChannelOption.TCP_KEEPIDLE, KEEPALIVE_IDLE_SECONDS)
                .childOption(EpollChannelOption.TCP_KEEPINTVL, KEEPALIVE_INTERVAL_SECONDS)
                .childOption(EpollChannelOption.TCP_KEEPCNT, KEEPALIVE_PROBES);
        return true;
    }

    /** The JDK sets the probe times through its extended options, where the platform has them. */
    private static boolean tuneNioKeepAlive(ServerBootstrap bootstrap) {
        try (SocketChannel probe = SocketChannel.open()) {
            if (!probe.supportedOptions().containsAll(List.of(ExtendedSocketOptions.TCP_KEEPIDLE,
                    ExtendedSocketOptions.TCP_KEEPINTERVAL, ExtendedSocketOptions.TCP_KEEPCOUNT))) {
                return false;
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        bootstrap.childOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPIDLE), KEEPALIVE_IDLE_SECONDS)
                .childOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPINTERVAL), KEEPALIVE_INTERVAL_SECONDS)
                .childOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPCOUNT), KEEPALIVE_PROBES);
        return true;
    }

    /** Stops accepting, closes all connections and releases the threads. Idempotent. */
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
        if (acceptor != null) {
            acceptor.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
            acceptor = null;
        }
        if (workers != null) {
            workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
            workers = null;
        }
    }
}
