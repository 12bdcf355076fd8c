package io.etcdj.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpContentException;
import io.netty.util.ReferenceCountUtil;

import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Collects a request's body up to the limit. A request whose body is over it does not get Netty's
 * bare 413: it is handed on as an empty request that failed with {@link TooLongHttpContentException},
 * so the connection answers it in turn, in etcd's error format, while its body is read and dropped.
 * A chunked body found too long half-way is not worth reading to its end: that request asks for the
 * connection to close.
 */
final class BoundedBodyAggregator extends HttpObjectAggregator {
    private final int maxBodyBytes;
    private final LongSupplier storeIndex;

    BoundedBodyAggregator(int maxBodyBytes, LongSupplier storeIndex) {
        super(maxBodyBytes, true);
        this.maxBodyBytes = maxBodyBytes;
        this.storeIndex = storeIndex;
    }

    static String tooLargeCause(int maxBodyBytes) {
        return "request body larger than " + maxBodyBytes + " bytes";
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) throws Exception {
        if (!(oversized instanceof HttpRequest request)) {
            super.handleOversizedMessage(ctx, oversized);
            return;
        }
        HttpHeaders headers = new DefaultHttpHeaders().set(request.headers());
        if (oversized instanceof FullHttpMessage) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        DefaultFullHttpRequest refused = new DefaultFullHttpRequest(request.protocolVersion(), request.method(),
                request.uri(), Unpooled.EMPTY_BUFFER, headers, EmptyHttpHeaders.INSTANCE);
        refused.setDecoderResult(DecoderResult.failure(new TooLongHttpContentException(tooLargeCause(maxBodyBytes))));
        ctx.fireChannelRead(refused);
    }

    /**
     * The answer to {@code Expect: 100-continue} for a body declared too long is written here, before
     * the body: the JSON error, and the connection closes after it.
     */
    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        Object answer = super.newContinueResponse(start, maxContentLength, pipeline);
        if (answer instanceof FullHttpResponse response
                && response.status().code() == HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE.code()) {
            ReferenceCountUtil.release(response);
            Reply reply = ErrorReplies.etcd(RequestLimits.invalid(tooLargeCause(maxBodyBytes), storeIndex.getAsLong()),
                    HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE);
            FullHttpResponse json = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, reply.status(),
                    Unpooled.wrappedBuffer(reply.body()));
            for (Map.Entry<String, String> h : reply.headers()) {
                json.headers().add(h.getKey(), h.getValue());
            }
            json.headers().set(HttpHeaderNames.CONTENT_LENGTH, reply.body().length);
            json.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            return json;
        }
        return answer;
    }
}
