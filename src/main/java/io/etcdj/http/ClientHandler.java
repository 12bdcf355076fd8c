package io.etcdj.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpContentException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * One client connection. Requests are answered one at a time and in order (pipelined ones wait
 * their turn); before routing come, as in the reference, the CORS headers, the blanket answer to
 * OPTIONS and the redirect of unclean paths. Everything runs on the connection's event loop; a
 * handler that waits hands back a future and the reply is written when it completes.
 *
 * <p>What a client can make the connection hold is bounded: while the socket cannot take more of
 * the answers (the client does not read them) no further request is processed or read; a connection
 * that answers no request for the idle timeout is closed, unless it is waiting on a watch, and unless
 * the client is still taking an answer; requests the HTTP layer refuses (413, 414, 431) get etcd's
 * JSON error.
 */
final class ClientHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ClientHandler.class);
    /** Pipelined requests beyond this many stop reading from the socket until the queue drains. */
    private static final int MAX_QUEUED = 16;
    /** Bodies of pipelined requests beyond this many bytes stop reading as well. */
    private static final long MAX_QUEUED_BYTES = 4L << 20;
    /** After refusing a request not read to its end, the time the client has to read the answer. */
    private static final long LINGER_SECONDS = 2;

    private final Router router;
    private final HttpOptions options;
    private final LongSupplier storeIndex;
    private final CorsPolicy corsPolicy;
    private final SharedResponses sharedResponses;
    private final ArrayDeque<FullHttpRequest> queued = new ArrayDeque<>();
    private long queuedBytes;
    private ChannelHandlerContext ctx;
    private Exchange current;
    private ScheduledFuture<?> idleTimer;
    /** Whether the connection waits for a request (not answering one). */
    private boolean idle;
    /** Whether a request was answered since the running timer was set. */
    private boolean busySinceArmed;
    private long pendingWhenIdle;
    private boolean closing;
    /** Whether {@link #takeNext} is running: requests answered at once must not recurse into it. */
    private boolean draining;
    /** The status line and headers of the request in progress are out; its body is still to come. */
    private boolean headSent;

    /** What the reply of the request in progress needs besides the reply itself. */
    private record Exchange(ClientRequest request, HttpVersion version, boolean head, boolean keepAlive,
                            List<Map.Entry<String, String>> cors) {
    }

    /**
     * @param storeIndex      the store's index, for the errors written before a request is routed
     * @param sharedResponses the loops' encoded answers that many requests share
     */
    ClientHandler(Router router, HttpOptions options, LongSupplier storeIndex, CorsPolicy corsPolicy,
                  SharedResponses sharedResponses) {
        this.router = router;
        this.options = options;
        this.storeIndex = storeIndex;
        this.corsPolicy = corsPolicy;
        this.sharedResponses = sharedResponses;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().isActive()) {
            armIdleTimer();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        armIdleTimer();
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request) || closing) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (current != null || !queued.isEmpty() || !ctx.channel().isWritable()) {
            queued.add(request);
            queuedBytes += request.content().readableBytes();
            updateAutoRead();
            return;
        }
        process(request);
    }

    private void process(FullHttpRequest msg) {
        try {
            DecoderResult decoded = msg.decoderResult();
            if (decoded.isFailure()) {
                refuseUndecodable(msg, decoded.cause());
                return;
            }
            String hostProblem = hostProblem(msg);
            if (hostProblem != null) {
                refuse(Reply.plainStatus(HttpResponseStatus.BAD_REQUEST, hostProblem));
                return;
            }
            RequestTarget target;
            try {
                target = RequestTarget.parse(msg.uri());
            } catch (IllegalArgumentException e) {
                refuse(Reply.plainStatus(HttpResponseStatus.BAD_REQUEST, null));
                return;
            }
            String method = msg.method().name();
            List<Map.Entry<String, String>> cors = corsPolicy.headers(msg.headers().get(HttpHeaderNames.ORIGIN));
            String path = target.path();
            String cleaned = RequestTarget.cleanPath(path);
            Router.Match match = null;
            if (!method.equals("OPTIONS") && cleaned.equals(path)) {
                match = router.match(method, path);
            }
            FormValues form = FormValues.empty();
            Reply formRefused = null;
            if (match != null) {
                try {
                    String body = FormValues.readsBody(method) ? msg.content().toString(StandardCharsets.ISO_8859_1) : "";
                    form = FormValues.parse(method, target.rawQuery(), msg.headers().get(HttpHeaderNames.CONTENT_TYPE),
                            body);
                } catch (FormValues.TooManyFields e) {
                    formRefused = ErrorReplies.etcd(RequestLimits.invalid(e.getMessage(), storeIndex.getAsLong()));
                }
            }
            ClientRequest request = new ClientRequest(method, path, target.rawQuery(),
                    match == null ? null : match.key(), form, msg.headers(), ctx.executor());
            Exchange exchange = new Exchange(request, msg.protocolVersion(), method.equals("HEAD"),
                    HttpUtil.isKeepAlive(msg), cors);
            request.onSendHead(headers -> sendHead(exchange, headers));
            start(exchange);
            if (method.equals("OPTIONS")) {
                finish(exchange, Reply.emptyOk(), null);
            } else if (!cleaned.equals(path)) {
                // The reference drops the query here, which turns a PUT ?value=x into a write of an
                // empty value after the redirect; keep it.
                String query = target.rawQuery();
                finish(exchange, Reply.movedPermanently(query.isEmpty() ? cleaned : cleaned + "?" + query), null);
            } else if (match == null) {
                finish(exchange, Reply.notFound(), null);
            } else if (formRefused != null) {
                finish(exchange, formRefused, null);
            } else {
                call(match.handler(), exchange);
            }
        } finally {
            msg.release();
        }
    }

    private void call(RouteHandler handler, Exchange exchange) {
        CompletableFuture<Reply> reply;
        try {
            reply = handler.handle(exchange.request());
        } catch (Throwable failure) {
            reply = CompletableFuture.failedFuture(failure);
        }
        reply.whenComplete((r, failure) -> {
            if (ctx.executor().inEventLoop()) {
                finish(exchange, r, failure);
            } else {
                exchange.request().runOnLoop(() -> finish(exchange, r, failure));
            }
        });
    }

    /** A request is being answered: the connection is not idle until its reply is written. */
    private void start(Exchange exchange) {
        current = exchange;
        headSent = false;
        markBusy();
    }

    private void finish(Exchange exchange, Reply reply, Throwable failure) {
        if (exchange != current) {
            return; // the client left before this answer was ready
        }
        if (failure != null) {
            reply = ErrorReplies.of(failure);
            log.debug("{} {} failed: {}", exchange.request().method(), exchange.request().path(),
                    failure.toString());
        }
        write(exchange, reply, false);
        current = null;
        exchange.request().completed();
        if (!exchange.keepAlive()) {
            dropQueued();
            return;
        }
        takeNext();
    }

    /** Answers queued requests while the socket takes answers; then reads more or waits idle. */
    private void takeNext() {
        if (draining) {
            return; // answered at once from within the loop below: it goes on with the next
        }
        draining = true;
        try {
            while (current == null && !queued.isEmpty() && ctx.channel().isActive() && ctx.channel().isWritable()
                    && !closing) {
                FullHttpRequest next = queued.poll();
                queuedBytes -= next.content().readableBytes();
                process(next);
            }
        } finally {
            draining = false;
        }
        updateAutoRead();
        if (current == null && !closing) {
            armIdleTimer();
        }
    }

    /** Reads from the socket only while answers are being taken and the queue has room. */
    private void updateAutoRead() {
        if (closing) {
            return; // a closing connection reads only to drop what the client still sends
        }
        boolean read = ctx.channel().isWritable() && queued.size() < MAX_QUEUED
                && queuedBytes < MAX_QUEUED_BYTES;
        if (ctx.channel().config().isAutoRead() != read) {
            ctx.channel().config().setAutoRead(read);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().isWritable()) {
            takeNext();
        } else {
            updateAutoRead();
        }
        super.channelWritabilityChanged(ctx);
    }

    /**
     * The connection waits for its next request from now on. One timer per connection checks it
     * lazily, so a request costs no timer scheduling or cancelling: a timer that finds the
     * connection was busy meanwhile waits one more full period. A connection is thus closed
     * between one and two idle timeouts after its last answer.
     */
    private void armIdleTimer() {
        long nanos = options.idleTimeout().toNanos();
        if (nanos > 0 && ctx.channel().isActive()) {
            idle = true;
            pendingWhenIdle = pendingOutboundBytes();
            if (idleTimer == null) {
                busySinceArmed = false;
                idleTimer = ctx.executor().schedule(this::idleTimeoutReached, nanos, TimeUnit.NANOSECONDS);
            }
        }
    }

    /** A request is being answered: the connection is not idle (the timer, if any, finds that out). */
    private void markBusy() {
        idle = false;
        busySinceArmed = true;
    }

    private void stopIdleTimer() {
        idle = false;
        if (idleTimer != null) {
            idleTimer.cancel(false);
            idleTimer = null;
        }
    }

    private void idleTimeoutReached() {
        idleTimer = null;
        if (!idle || current != null || closing || !ctx.channel().isActive()) {
            return; // answering a request (a watch waits here): not idle; the next idle period re-arms
        }
        if (busySinceArmed) {
            armIdleTimer(); // it answered requests meanwhile: idle only since later
            return;
        }
        long pending = pendingOutboundBytes();
        if (pending > 0 && pending < pendingWhenIdle) {
            armIdleTimer(); // a slow client still taking its answer
            return;
        }
        log.debug("closing client connection {}: idle for {}", ctx.channel().remoteAddress(), options.idleTimeout());
        ctx.close();
    }

    private long pendingOutboundBytes() {
        ChannelOutboundBuffer buffer = ctx.channel().unsafe().outboundBuffer();
        return buffer == null ? 0 : buffer.totalPendingWriteBytes();
    }

    /**
     * @param linger the client may still be sending the request: let it read the answer before
     *               the connection closes, rather than reset it under its feet
     */
    private void write(Exchange exchange, Reply reply, boolean linger) {
        ChannelFuture written;
        boolean close = !exchange.keepAlive();
        if (headSent) {
            headSent = false;
            // The status went out with the head: only a successful answer has a body to follow. Any
            // other ends the response empty and closes the connection, so the client asks again.
            if (reply.status().equals(HttpResponseStatus.OK)) {
                ctx.write(new DefaultHttpContent(Unpooled.wrappedBuffer(reply.body())));
            } else {
                close = true;
            }
            written = ctx.writeAndFlush(new DefaultLastHttpContent());
        } else if (reply.shared() && !exchange.head()) {
            written = ctx.writeAndFlush(new EncodedResponse(encodedOnce(exchange, reply)));
        } else {
            written = ctx.writeAndFlush(response(exchange, reply, HttpDate.now()));
        }
        if (close) {
            closing = true;
            stopIdleTimer();
            written.addListener(linger ? (ChannelFutureListener) this::closeLingering : ChannelFutureListener.CLOSE);
        }
    }

    private static FullHttpResponse response(Exchange exchange, Reply reply, String date) {
        FullHttpResponse response = new DefaultFullHttpResponse(exchange.version(), reply.status(),
                exchange.head() ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(reply.body()));
        addHeaders(response, exchange, reply.headers(), reply.body().length, date);
        return response;
    }

    /**
     * A reply many requests get, encoded as its response: by this loop once for all of them that
     * have the same framing (see {@link SharedResponses}). The bytes are those of {@link #response}.
     */
    private ByteBuf encodedOnce(Exchange exchange, Reply reply) {
        String date = HttpDate.now();
        try {
            return sharedResponses.encoded(ctx, reply, exchange.version(), exchange.keepAlive(), exchange.cors(), date,
                    () -> response(exchange, reply, date));
        } catch (Exception e) {
            throw new IllegalStateException("encoding a shared answer", e);
        }
    }

    /**
     * Writes the status line 200 and these headers for the request in progress before its body is
     * known; {@link #write} sends the body later as one chunk. Only over HTTP/1.1, whose chunked
     * framing lets a body follow without a length, and not for HEAD.
     */
    private boolean sendHead(Exchange exchange, List<Map.Entry<String, String>> headers) {
        if (exchange != current || headSent || exchange.head() || !exchange.version().equals(HttpVersion.HTTP_1_1)
                || !ctx.channel().isActive()) {
            return false;
        }
        HttpResponse head = new DefaultHttpResponse(exchange.version(), HttpResponseStatus.OK);
        addHeaders(head, exchange, headers, -1, HttpDate.now());
        ctx.writeAndFlush(head);
        headSent = true;
        return true;
    }

    /**
     * The CORS headers, the reply's, and the framing headers spelled as the reference spells them.
     *
     * @param contentLength the body's length; negative for a body sent in chunks
     */
    private static void addHeaders(HttpResponse response, Exchange exchange, List<Map.Entry<String, String>> headers,
                                   long contentLength, String date) {
        for (Map.Entry<String, String> h : exchange.cors()) {
            response.headers().add(h.getKey(), h.getValue());
        }
        for (Map.Entry<String, String> h : headers) {
            response.headers().add(h.getKey(), h.getValue());
        }
        response.headers().set("Date", date);
        if (contentLength >= 0) {
            response.headers().set("Content-Length", contentLength);
        } else {
            response.headers().set("Transfer-Encoding", HttpHeaderValues.CHUNKED);
        }
        if (exchange.keepAlive() && !exchange.version().isKeepAliveDefault()) {
            response.headers().set("Connection", "keep-alive");
        } else if (!exchange.keepAlive() && exchange.version().isKeepAliveDefault()) {
            response.headers().set("Connection", "close");
        }
    }

    /**
     * Closes the sending side only, goes on reading (and dropping) what the client still sends, and
     * closes for good when the client does or after {@link #LINGER_SECONDS}.
     */
    private void closeLingering(ChannelFuture written) {
        Channel channel = written.channel();
        if (!written.isSuccess() || !(channel instanceof DuplexChannel duplex) || !channel.isActive()) {
            channel.close();
            return;
        }
        duplex.shutdownOutput();
        channel.config().setAutoRead(true);
        channel.eventLoop().schedule(() -> channel.close(), LINGER_SECONDS, TimeUnit.SECONDS);
    }

    /** A request the HTTP layer cannot take: answered, then the connection closes. */
    private void refuse(Reply reply) {
        Exchange exchange = new Exchange(null, HttpVersion.HTTP_1_1, false, false, List.of());
        write(exchange, reply, true);
        dropQueued();
    }

    /**
     * A request the decoder gave up on. An over-long request line, header block or body is a JSON
     * error naming the limit; a body that was declared too long is being dropped as it arrives, so
     * the connection can stay. Anything else is the reference's plain 400.
     */
    private void refuseUndecodable(FullHttpRequest msg, Throwable cause) {
        HttpResponseStatus status;
        String limit;
        if (cause instanceof TooLongHttpLineException) {
            status = HttpResponseStatus.REQUEST_URI_TOO_LONG;
            limit = "request line longer than " + options.maxHeaderBytes() + " bytes";
        } else if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException
                && !(cause instanceof TooLongHttpContentException)) {
            status = HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
            limit = "request headers larger than " + options.maxHeaderBytes() + " bytes";
        } else if (cause instanceof TooLongHttpContentException) {
            status = HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE;
            limit = BoundedBodyAggregator.tooLargeCause(options.maxBodyBytes());
        } else {
            refuse(Reply.plainStatus(HttpResponseStatus.BAD_REQUEST, null));
            return;
        }
        Reply reply = ErrorReplies.etcd(RequestLimits.invalid(limit, storeIndex.getAsLong()), status);
        if (cause instanceof TooLongHttpContentException && HttpUtil.isKeepAlive(msg)) {
            Exchange exchange = new Exchange(null, msg.protocolVersion(), false, true, List.of());
            write(exchange, reply, false);
            takeNext();
            return;
        }
        refuse(reply);
    }

    /** HTTP/1.1 requires exactly one Host header; the reference refuses requests without. */
    private static String hostProblem(FullHttpRequest msg) {
        List<String> hosts = msg.headers().getAll(HttpHeaderNames.HOST);
        if (hosts.size() > 1) {
            return "too many Host headers";
        }
        if (hosts.isEmpty() && msg.protocolVersion().equals(HttpVersion.HTTP_1_1)) {
            return "missing required Host header";
        }
        return null;
    }

    private void dropQueued() {
        FullHttpRequest next;
        while ((next = queued.poll()) != null) {
            next.release();
        }
        queuedBytes = 0;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        Exchange abandoned = current;
        current = null;
        closing = true;
        stopIdleTimer();
        dropQueued();
        if (abandoned != null && abandoned.request() != null) {
            abandoned.request().connectionClosed();
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("client connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
