package io.etcdj.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

/** One loop encodes an answer once for every request that gets it with the same framing. */
class SharedResponsesTest {
    private final EmbeddedChannel channel = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
    private final ChannelHandlerContext ctx = channel.pipeline().firstContext();
    private final SharedResponses shared = new SharedResponses();
    private final Reply reply = Reply.sniffedText(HttpResponseStatus.OK, "hello".getBytes(StandardCharsets.UTF_8))
            .asShared();
    private final AtomicInteger encodings = new AtomicInteger();

    @AfterEach
    void release() {
        shared.releaseOnThisThread();
        channel.finishAndReleaseAll();
    }

    private Supplier<FullHttpResponse> response(String date) {
        return () -> {
            encodings.incrementAndGet();
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.wrappedBuffer(reply.body()));
            r.headers().set("Date", date).set("Content-Length", reply.body().length);
            return r;
        };
    }

    private ByteBuf encoded(HttpVersion version, boolean keepAlive, List<Map.Entry<String, String>> cors, String date)
            throws Exception {
        return shared.encoded(ctx, reply, version, keepAlive, cors, date, response(date));
    }

    @Test
    void theSameFramingIsEncodedOnceAndSentAsTheSameBytes() throws Exception {
        ByteBuf first = encoded(HttpVersion.HTTP_1_1, true, List.of(), "d1");
        ByteBuf second = encoded(HttpVersion.HTTP_1_1, true, List.of(), "d1");

        assertEquals(1, encodings.get());
        assertSame(first.unwrap(), second.unwrap());
        String whole = "HTTP/1.1 200 OK\r\nDate: d1\r\nContent-Length: 5\r\n\r\nhello";
        assertEquals(whole, second.toString(StandardCharsets.US_ASCII));
        // each holds its own reference and indexes: sending one leaves the other whole
        first.skipBytes(first.readableBytes());
        first.release();
        assertEquals(whole.length(), second.readableBytes());
        second.release();
    }

    @Test
    void anyDifferenceInFramingEncodesAnew() throws Exception {
        ByteBuf base = encoded(HttpVersion.HTTP_1_1, true, List.of(), "d1");
        ByteBuf laterSecond = encoded(HttpVersion.HTTP_1_1, true, List.of(), "d2");
        ByteBuf old = encoded(HttpVersion.HTTP_1_0, true, List.of(), "d2");
        ByteBuf closing = encoded(HttpVersion.HTTP_1_0, false, List.of(), "d2");
        ByteBuf cors = encoded(HttpVersion.HTTP_1_0, false, List.of(Map.entry("Access-Control-Allow-Origin", "*")), "d2");

        assertEquals(5, encodings.get());
        assertNotSame(base.unwrap(), laterSecond.unwrap());
        assertEquals("HTTP/1.1 200 OK\r\nDate: d1\r\nContent-Length: 5\r\n\r\nhello",
                base.toString(StandardCharsets.US_ASCII));
        for (ByteBuf b : List.of(base, laterSecond, old, closing, cors)) {
            b.release();
        }
    }
}
