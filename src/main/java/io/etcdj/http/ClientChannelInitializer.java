package io.etcdj.http;

import io.etcdj.server.EtcdServer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.HttpDecoderConfig;

import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The pipeline of a client connection: TLS when configured, HTTP/1.1 codec (request line and headers
 * bounded; it also sends the watch answers encoded once for many connections), aggregation of the body (bounded), then the client API. Usable on an {@code
 * EmbeddedChannel} as it is.
 */
public final class ClientChannelInitializer extends ChannelInitializer<Channel> {
    private static final int MAX_CHUNK_BYTES = 8192;

    /** Answers beyond this many unsent bytes make the connection stop taking requests until they drain. */
    static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(32 << 10, 128 << 10);

    private final HttpOptions options;
    private final Router router;
    private final LongSupplier storeIndex;
    private final CorsPolicy corsPolicy;
    private final SharedResponses sharedResponses = new SharedResponses();

    public ClientChannelInitializer(EtcdServer server, HttpOptions options) {
        this(server, options, router -> { });
    }

    /**
     * @param extraRoutes adds routes after the standard ones (the modules' {@code /mod} prefix)
     */
    public ClientChannelInitializer(EtcdServer server, HttpOptions options, Consumer<Router> extraRoutes) {
        this.options = options;
        this.router = ClientRoutes.standard(server, options);
        this.storeIndex = () -> server.store().index();
        this.corsPolicy = new CorsPolicy(options.corsOrigins(), server::clientUrls);
        extraRoutes.accept(router);
    }

    @Override
    protected void initChannel(Channel ch) {
        ch.config().setWriteBufferWaterMark(WATER_MARK);
        ChannelPipeline pipeline = ch.pipeline();
        if (options.sslContext() != null) {
            pipeline.addLast("tls", options.sslContext().newHandler(ch.alloc()));
        }
        HttpDecoderConfig decoder = new HttpDecoderConfig()
                .setMaxInitialLineLength(options.maxHeaderBytes())
                .setMaxHeaderSize(options.maxHeaderBytes())
                .setMaxChunkSize(MAX_CHUNK_BYTES);
        pipeline.addLast("http", new ClientHttpCodec(decoder));
        pipeline.addLast("body", new BoundedBodyAggregator(options.maxBodyBytes(), storeIndex));
        pipeline.addLast("client", new ClientHandler(router, options, storeIndex, corsPolicy, sharedResponses));
    }
}
