package io.etcdj.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One client connection. Requests are answered one at a time and in order (pipelined ones wait
 * their turn); before routing come, as in the reference, the CORS headers, the blanket answer to
 * OPTIONS and the redirect of unclean paths. Everything runs on the connection's event loop; an
 * endpoint that waits hands back a future and the reply is written when it completes.
 */
final class ClientHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ClientHandler.class);
    /** Pipelined requests beyond this many stop reading from the socket until the queue drains. */
    private static final int MAX_QUEUED = 16;

    private final Router router;
    private final HttpOptions options;
    private final ArrayDeque<FullHttpRequest> queued = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private Exchange current;

    /** What the reply of the request in progress needs besides the reply itself. */
    private record Exchange(ClientRequest request, HttpVersion version, boolean head, boolean keepAlive,
                            List<Map.Entry<String, String>> cors) {
    }

    ClientHandler(Router router, HttpOptions options) {
        this.router = router;
        this.options = options;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (current != null || !queued.isEmpty()) {
            queued.add(request);
            if (queued.size() >= MAX_QUEUED) {
                ctx.channel().config().setAutoRead(false);
            }
            return;
        }
        process(request);
    }

    private void process(FullHttpRequest msg) {
        try {
            DecoderResult decoded = msg.decoderResult();
            if (decoded.isFailure()) {
                refuse(malformedStatus(decoded.cause()), null);
                return;
            }
            String hostProblem = hostProblem(msg);
            if (hostProblem != null) {
                refuse(HttpResponseStatus.BAD_REQUEST, hostProblem);
                return;
            }
            RequestTarget target;
            try {
                target = RequestTarget.parse(msg.uri());
            } catch (IllegalArgumentException e) {
                refuse(HttpResponseStatus.BAD_REQUEST, null);
                return;
            }
            String method = msg.method().name();
            List<Map.Entry<String, String>> cors = corsHeaders(msg.headers().get(HttpHeaderNames.ORIGIN));
            String path = target.path();
            String cleaned = RequestTarget.cleanPath(path);
            Router.Match match = null;
            if (!method.equals("OPTIONS") && cleaned.equals(path)) {
                match = router.match(method, path);
            }
            String body = match == null ? "" : msg.content().toString(StandardCharsets.ISO_8859_1);
            FormValues form = match == null ? FormValues.empty() : FormValues.parse(method, target.rawQuery(),
                    msg.headers().get(HttpHeaderNames.CONTENT_TYPE), body);
            ClientRequest request = new ClientRequest(method, path, target.rawQuery(),
                    match == null ? null : match.key(), form, msg.headers(), ctx.executor());
            Exchange exchange = new Exchange(request, msg.protocolVersion(), method.equals("HEAD"),
                    HttpUtil.isKeepAlive(msg), cors);
            current = exchange;
            if (method.equals("OPTIONS")) {
                finish(exchange, Reply.emptyOk(), null);
            } else if (!cleaned.equals(path)) {
                // The reference drops the query here, which turns a PUT ?value=x into a write of an
                // empty value after the redirect; keep it.
                String query = target.rawQuery();
                finish(exchange, Reply.movedPermanently(query.isEmpty() ? cleaned : cleaned + "?" + query), null);
            } else if (match == null) {
                finish(exchange, Reply.notFound(), null);
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
                ctx.executor().execute(() -> finish(exchange, r, failure));
            }
        });
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
        write(exchange, reply);
        current = null;
        exchange.request().completed();
        if (!exchange.keepAlive()) {
            dropQueued();
            return;
        }
        takeNext();
    }

    private void takeNext() {
        while (current == null && !queued.isEmpty() && ctx.channel().isActive()) {
            process(queued.poll());
        }
        if (queued.size() < MAX_QUEUED && !ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    private void write(Exchange exchange, Reply reply) {
        FullHttpResponse response = new DefaultFullHttpResponse(exchange.version(), reply.status(),
                exchange.head() ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(reply.body()));
        for (Map.Entry<String, String> h : exchange.cors()) {
            response.headers().add(h.getKey(), h.getValue());
        }
        for (Map.Entry<String, String> h : reply.headers()) {
            response.headers().add(h.getKey(), h.getValue());
        }
        // framing headers spelled as the reference spells them
        response.headers().set("Date", DateFormatter.format(new Date()));
        response.headers().set("Content-Length", reply.body().length);
        if (exchange.keepAlive() && !exchange.version().isKeepAliveDefault()) {
            response.headers().set("Connection", "keep-alive");
        } else if (!exchange.keepAlive() && exchange.version().isKeepAliveDefault()) {
            response.headers().set("Connection", "close");
        }
        ChannelFuture written = ctx.writeAndFlush(response);
        if (!exchange.keepAlive()) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }

    /**
     * A request the HTTP layer cannot take: answered in plain text with the status line (and a
     * detail where the reference gives one), then the connection closes.
     */
    private void refuse(HttpResponseStatus status, String detail) {
        String text = status.code() + " " + status.reasonPhrase() + (detail == null ? "" : ": " + detail);
        Reply reply = new Reply(status, List.of(Map.entry("Content-Type", Reply.TEXT_PLAIN)),
                text.getBytes(StandardCharsets.US_ASCII));
        Exchange exchange = new Exchange(null, HttpVersion.HTTP_1_1, false, false, List.of());
        write(exchange, reply);
        dropQueued();
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

    private static HttpResponseStatus malformedStatus(Throwable cause) {
        // the decoder's only length limits are on the request line and the headers
        return cause instanceof TooLongFrameException
                ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE : HttpResponseStatus.BAD_REQUEST;
    }

    private List<Map.Entry<String, String>> corsHeaders(String origin) {
        String allowed;
        if (options.originAllowed("*")) {
            allowed = "*";
        } else if (options.originAllowed(origin == null ? "" : origin)) {
            allowed = origin == null ? "" : origin;
        } else {
            return List.of();
        }
        List<Map.Entry<String, String>> headers = new ArrayList<>(2);
        headers.add(Map.entry("Access-Control-Allow-Methods", "POST, GET, OPTIONS, PUT, DELETE"));
        headers.add(Map.entry("Access-Control-Allow-Origin", allowed));
        return headers;
    }

    private void dropQueued() {
        FullHttpRequest next;
        while ((next = queued.poll()) != null) {
            next.release();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        Exchange abandoned = current;
        current = null;
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
