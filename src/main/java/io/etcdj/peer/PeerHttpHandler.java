package io.etcdj.peer;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.etcdj.http.Locations;
import io.etcdj.store.EtcdException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The peer port's HTTP endpoints, answering as the reference does: {@code /name},
 * {@code /version}, {@code /version/{n}/check}, {@code /etcdURL}, {@code /join},
 * {@code /remove/{name}}; and {@code /raft}, where a member's connection becomes a Raft stream.
 */
final class PeerHttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(PeerHttpHandler.class);
    private static final String TEXT = "text/plain; charset=utf-8";
    private static final Pattern VERSION_CHECK = Pattern.compile("/version/([0-9]+)/check");
    private static final String REMOVE = "/remove/";

    private final PeerService service;
    private final ChannelHandler httpCodec;
    private final ChannelHandler aggregator;
    private final AtomicLong streamsAccepted;

    PeerHttpHandler(PeerService service, ChannelHandler httpCodec, ChannelHandler aggregator,
                    AtomicLong streamsAccepted) {
        this.service = service;
        this.httpCodec = httpCodec;
        this.aggregator = aggregator;
        this.streamsAccepted = streamsAccepted;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        if (!req.decoderResult().isSuccess()) {
            send(ctx, false, text(HttpResponseStatus.BAD_REQUEST, "400 Bad Request\n"));
            return;
        }
        QueryStringDecoder target = new QueryStringDecoder(req.uri());
        String path = target.path();
        Matcher versionCheck = VERSION_CHECK.matcher(path);
        switch (path) {
            case "/name" -> send(ctx, keepAlive, text(HttpResponseStatus.OK, service.name()));
            case "/version" -> send(ctx, keepAlive, text(HttpResponseStatus.OK, Integer.toString(service.storeVersion())));
            case "/etcdURL" -> send(ctx, keepAlive, text(HttpResponseStatus.OK, service.clientUrl()));
            case "/join" -> join(ctx, req, keepAlive, target);
            case StreamUpgrade.PATH -> upgrade(ctx, req);
            default -> {
                if (path.startsWith(REMOVE) && path.length() > REMOVE.length()) {
                    remove(ctx, req, keepAlive, target, path.substring(REMOVE.length()));
                } else if (versionCheck.matches()) {
                    send(ctx, keepAlive, empty(versionSupported(versionCheck.group(1))
                            ? HttpResponseStatus.OK : HttpResponseStatus.FORBIDDEN));
                } else {
                    send(ctx, keepAlive, notFound());
                }
            }
        }
    }

    private static boolean versionSupported(String digits) {
        try {
            int version = Integer.parseInt(digits);
            return version >= JoinRequest.MIN_VERSION && version <= JoinRequest.MAX_VERSION;
        } catch (NumberFormatException tooLarge) {
            return false;
        }
    }

    private void join(ChannelHandlerContext ctx, FullHttpRequest req, boolean keepAlive, QueryStringDecoder target) {
        JoinRequest join;
        try {
            join = JoinRequest.fromJson(ByteBufUtil.getBytes(req.content()));
        } catch (IOException e) {
            // The reference answers a body it cannot decode with a bare 500.
            String why = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            log.warn("malformed join request from {}: {}", ctx.channel().remoteAddress(),
                    why == null ? e.toString() : why.replaceAll("\\s+", " "));
            send(ctx, keepAlive, empty(HttpResponseStatus.INTERNAL_SERVER_ERROR));
            return;
        }
        if (join.name().isEmpty()) {
            log.warn("join request without a name");
            send(ctx, keepAlive, empty(HttpResponseStatus.INTERNAL_SERVER_ERROR));
            return;
        }
        String problem = join.problem();
        if (problem != null) {
            log.warn("refusing a join request from {}: {}", ctx.channel().remoteAddress(), problem);
            send(ctx, keepAlive, text(HttpResponseStatus.BAD_REQUEST, "invalid join request: " + problem + "\n", true));
            return;
        }
        log.debug("join request from {}", join.name());
        HttpMethod method = req.method();
        answerLater(ctx, keepAlive, service.join(join), outcome -> changeAnswer(outcome, method, target), failure -> {
            if (failure instanceof EtcdException e) {
                return etcdError(e);
            }
            String message = failure.getMessage() == null ? failure.toString() : failure.getMessage();
            return text(HttpResponseStatus.INTERNAL_SERVER_ERROR, message + "\n", true);
        });
    }

    private void remove(ChannelHandlerContext ctx, FullHttpRequest req, boolean keepAlive, QueryStringDecoder target,
                        String name) {
        if (!HttpMethod.DELETE.equals(req.method())) {
            send(ctx, keepAlive, empty(HttpResponseStatus.METHOD_NOT_ALLOWED));
            return;
        }
        String problem = PeerInput.nameProblem(name);
        if (problem != null) {
            log.warn("refusing a remove request from {}: {}", ctx.channel().remoteAddress(), problem);
            send(ctx, keepAlive, text(HttpResponseStatus.BAD_REQUEST, "invalid remove request: " + problem + "\n", true));
            return;
        }
        log.debug("remove request for {}", name);
        HttpMethod method = req.method();
        answerLater(ctx, keepAlive, service.remove(name), outcome -> changeAnswer(outcome, method, target), failure -> {
            // The reference's handler drops the error and so answers an empty 200.
            log.info("removing {} failed: {}", name, failure.toString());
            return empty(HttpResponseStatus.OK);
        });
    }

    private interface Render<T> {
        FullHttpResponse apply(T value);
    }

    private <T> void answerLater(ChannelHandlerContext ctx, boolean keepAlive, CompletableFuture<T> future,
                                 Render<T> onValue, Render<Throwable> onFailure) {
        future.whenComplete((value, error) -> {
            FullHttpResponse response;
            if (error == null) {
                response = onValue.apply(value);
            } else {
                Throwable cause = error instanceof CompletionException && error.getCause() != null
                        ? error.getCause() : error;
                response = onFailure.apply(cause);
            }
            send(ctx, keepAlive, response);
        });
    }

    /** Committed: the commit index as the reference writes it, a uvarint in eight bytes. */
    private static FullHttpResponse changeAnswer(ChangeOutcome outcome, HttpMethod method, QueryStringDecoder target) {
        if (outcome instanceof ChangeOutcome.NotLeader n) {
            return redirect(Locations.onOtherHost(n.leaderPeerUrl(), target.path(), target.rawQuery()), method);
        }
        long commitIndex = ((ChangeOutcome.Committed) outcome).commitIndex();
        ByteBuf body = Unpooled.buffer(8, 10);
        MessageCodec.writeUvarint(body, commitIndex);
        body.writerIndex(Math.max(8, body.writerIndex()));
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM);
        return r;
    }

    private void upgrade(ChannelHandlerContext ctx, FullHttpRequest req) {
        String protocol = req.headers().get(HttpHeaderNames.UPGRADE, "");
        String from = req.headers().get(StreamUpgrade.FROM_HEADER, "");
        String to = req.headers().get(StreamUpgrade.TO_HEADER, "");
        if (!HttpMethod.GET.equals(req.method()) || !protocol.equalsIgnoreCase(StreamUpgrade.PROTOCOL)
                || !req.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)) {
            FullHttpResponse r = text(HttpResponseStatus.UPGRADE_REQUIRED,
                    "Raft streams need GET with Upgrade: " + StreamUpgrade.PROTOCOL + "\n");
            r.headers().set(HttpHeaderNames.UPGRADE, StreamUpgrade.PROTOCOL);
            send(ctx, false, r);
            return;
        }
        String fromUrl = req.headers().get(StreamUpgrade.FROM_URL_HEADER, "");
        String problem = PeerInput.nameProblem(from);
        if (problem == null && !fromUrl.isEmpty()) {
            problem = PeerInput.urlProblem(fromUrl);
        }
        if (problem != null) {
            log.warn("refusing a Raft stream from {}: {}", ctx.channel().remoteAddress(), problem);
            send(ctx, false, text(HttpResponseStatus.BAD_REQUEST, "invalid " + StreamUpgrade.FROM_HEADER + " or "
                    + StreamUpgrade.FROM_URL_HEADER + ": " + problem + "\n"));
            return;
        }
        if (!to.isEmpty() && !to.equals(service.name())) {
            log.warn("{} opened a stream for {}: its peer list is wrong", from, to);
            send(ctx, false, text(HttpResponseStatus.CONFLICT, "this machine is " + service.name() + ", not " + to + "\n"));
            return;
        }
        FullHttpResponse switching = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.SWITCHING_PROTOCOLS);
        switching.headers().set(HttpHeaderNames.UPGRADE, StreamUpgrade.PROTOCOL)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        ctx.writeAndFlush(switching);
        if (!fromUrl.isEmpty()) {
            service.peerSeen(from, fromUrl);
        }
        StreamUpgrade.switchToFrames(ctx.pipeline(), httpCodec, new InboundStream(service, from), aggregator, this);
        if (ctx.pipeline().get("idle") != null) {
            ctx.pipeline().replace("idle", "idle", new IdleStateHandler(StreamUpgrade.RECEIVER_IDLE.toSeconds(), 0, 0,
                    TimeUnit.SECONDS));
        }
        streamsAccepted.incrementAndGet();
        log.info("Raft stream from {} ({})", from, ctx.channel().remoteAddress());
    }

    private static void send(ChannelHandlerContext ctx, boolean keepAlive, FullHttpResponse response) {
        HttpUtil.setContentLength(response, response.content().readableBytes());
        if (keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(response);
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static FullHttpResponse text(HttpResponseStatus status, String body) {
        return text(status, body, false);
    }

    /** Plain text; errors carry {@code nosniff} as the reference's {@code http.Error} adds it. */
    private static FullHttpResponse text(HttpResponseStatus status, String body, boolean error) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, TEXT);
        if (error) {
            r.headers().set("X-Content-Type-Options", "nosniff");
        }
        return r;
    }

    private static FullHttpResponse empty(HttpResponseStatus status) {
        return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status);
    }

    private static FullHttpResponse notFound() {
        return text(HttpResponseStatus.NOT_FOUND, "404 page not found\n", true);
    }

    private static FullHttpResponse etcdError(EtcdException e) {
        FullHttpResponse r = text(HttpResponseStatus.valueOf(e.httpStatus()), e.toJson() + "\n", true);
        r.headers().set("X-Etcd-Index", e.index());
        return r;
    }

    /** A 307 as Go's {@code http.Redirect} writes it: a short HTML body only for GET. */
    private static FullHttpResponse redirect(String location, HttpMethod method) {
        FullHttpResponse r;
        if (HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method)) {
            String body = "<a href=\"" + Locations.htmlEscape(location) + "\">Temporary Redirect</a>.\n\n";
            r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.TEMPORARY_REDIRECT,
                    Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
        } else {
            r = empty(HttpResponseStatus.TEMPORARY_REDIRECT);
        }
        r.headers().set(HttpHeaderNames.LOCATION, location);
        return r;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof IdleStateEvent) {
            log.debug("closing an idle peer HTTP connection from {}", ctx.channel().remoteAddress());
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("peer HTTP connection failed: {}", cause.toString());
        ctx.close();
    }
}
