package io.etcdj.peer;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;

import java.time.Duration;

/**
 * The HTTP/1.1 upgrade that turns a connection to the peer port into a Raft stream. The sender
 * asks {@code GET /raft} with {@code Connection: Upgrade}, {@code Upgrade: etcdj-raft/1} and its
 * own name and peer URL and the expected receiver's name; the receiver answers {@code 101 Switching Protocols} and
 * from then on both directions carry length-prefixed {@link MessageCodec} frames: messages from
 * the sender, snapshot receipts from the receiver.
 */
final class StreamUpgrade {
    static final String PATH = "/raft";
    static final String PROTOCOL = "etcdj-raft/1";
    static final String FROM_HEADER = "X-Raft-From";
    static final String TO_HEADER = "X-Raft-To";
    /** The sender's peer URL, so a receiver that has not learned it from the log can answer. */
    static final String FROM_URL_HEADER = "X-Raft-From-URL";
    /**
     * A sender closes its stream after this long without a message, quietly: it reopens it when
     * there is something to send. Followers rarely write to each other.
     */
    static final Duration SENDER_IDLE = Duration.ofMinutes(5);
    /**
     * A receiver closes a stream after this long without a frame: longer than a sender keeps an
     * idle stream, so only dead or silent connections hit it.
     */
    static final Duration RECEIVER_IDLE = Duration.ofMinutes(10);

    private StreamUpgrade() {
    }

    static FullHttpRequest request(String hostHeader, String from, String fromUrl, String to) {
        FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, PATH);
        req.headers().set(HttpHeaderNames.HOST, hostHeader)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE)
                .set(HttpHeaderNames.UPGRADE, PROTOCOL)
                .set(FROM_HEADER, from)
                .set(FROM_URL_HEADER, fromUrl)
                .set(TO_HEADER, to)
                .set(HttpHeaderNames.CONTENT_LENGTH, 0);
        return req;
    }

    /**
     * Replaces the HTTP handlers with the frame decoder and {@code stream}. The HTTP decoder goes
     * last, so bytes it already read past the handshake reach the frame decoder.
     */
    static void switchToFrames(ChannelPipeline pipeline, ChannelHandler httpCodec, ChannelHandler stream,
                               ChannelHandler... httpHandlers) {
        pipeline.addAfter(pipeline.context(httpCodec).name(), "frames",
                new LengthFieldBasedFrameDecoder(MessageCodec.MAX_FRAME_BYTES + 4, 0, 4, 0, 4));
        pipeline.addAfter("frames", "stream", stream);
        for (ChannelHandler h : httpHandlers) {
            pipeline.remove(h);
        }
        pipeline.remove(httpCodec);
    }
}
