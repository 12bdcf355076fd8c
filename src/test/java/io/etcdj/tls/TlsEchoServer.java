package io.etcdj.tls;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;

import javax.net.ssl.SSLPeerUnverifiedException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A tiny HTTPS server for the handshake tests: answers every request with its method, path and
 * the subject of the client's certificate, and records how each TLS handshake ended.
 */
final class TlsEchoServer implements AutoCloseable {
    static final Duration PATIENCE = Duration.ofSeconds(10);

    /** How one server-side handshake ended: {@code failure} is null on success. */
    record Handshake(Throwable failure) {
        boolean succeeded() {
            return failure == null;
        }
    }

    private final EventLoopGroup group = new NioEventLoopGroup(2);
    private final BlockingQueue<Handshake> handshakes = new LinkedBlockingQueue<>();
    private final Channel channel;

    TlsEchoServer(SslContext context) throws InterruptedException {
        channel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        SslHandler tls = context.newHandler(ch.alloc());
                        tls.handshakeFuture().addListener(f -> handshakes.add(new Handshake(f.cause())));
                        ch.pipeline().addLast(tls, new HttpServerCodec(), new HttpObjectAggregator(1 << 16),
                                new Echo(tls));
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** The next server-side handshake's outcome, waiting for it up to {@link #PATIENCE}. */
    Handshake nextHandshake() throws InterruptedException {
        Handshake next = handshakes.poll(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        if (next == null) {
            throw new AssertionError("no handshake ended within " + PATIENCE);
        }
        return next;
    }

    /** GETs {@code path} through {@code client}, dialing {@code host}; completes with the body. */
    CompletableFuture<String> get(SslContext client, String host, String path) {
        CompletableFuture<String> answer = new CompletableFuture<>();
        new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(client.newHandler(ch.alloc(), host, port()), new HttpClientCodec(),
                                new HttpObjectAggregator(1 << 16), new SimpleChannelInboundHandler<FullHttpResponse>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
                                        answer.complete(response.content().toString(StandardCharsets.UTF_8));
                                        ctx.close();
                                    }

                                    @Override
                                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                        answer.completeExceptionally(cause);
                                        ctx.close();
                                    }

                                    @Override
                                    public void channelInactive(ChannelHandlerContext ctx) {
                                        answer.completeExceptionally(new IllegalStateException("closed without an answer"));
                                    }
                                });
                    }
                })
                .connect("127.0.0.1", port()).addListener((ChannelFutureListener) f -> {
                    if (!f.isSuccess()) {
                        answer.completeExceptionally(f.cause());
                        return;
                    }
                    DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
                    request.headers().set(HttpHeaderNames.HOST, host);
                    f.channel().writeAndFlush(request);
                });
        return answer.orTimeout(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    private static final class Echo extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final SslHandler tls;

        Echo(SslHandler tls) {
            this.tls = tls;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            String body = request.method() + " " + request.uri() + " from " + clientSubject() + "\n";
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
            HttpUtil.setContentLength(response, response.content().readableBytes());
            ctx.writeAndFlush(response);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // Failed handshakes are expected here; their outcome is already recorded.
            ctx.close();
        }

        private String clientSubject() {
            try {
                return ((X509Certificate) tls.engine().getSession().getPeerCertificates()[0])
                        .getSubjectX500Principal().getName();
            } catch (SSLPeerUnverifiedException e) {
                return "anonymous";
            }
        }
    }
}
