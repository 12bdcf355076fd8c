package io.etcdj.peer;

import io.etcdj.raft.Message;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The messages of this machine to one peer: a bounded queue and one persistent Raft stream,
 * opened when there is something to send and reopened with exponential backoff after a failure.
 *
 * <p>Any thread may {@link #enqueue} and {@link #scheduleFlush}; everything else runs on the
 * stream's own event loop, so the connection state needs no lock. Writes follow the channel's
 * writability: a snapshot goes out one chunk at a time, wrapped around the snapshot's own array
 * (no copy), and queued messages pass between its chunks.
 */
final class OutboundStream {
    private static final Logger log = LoggerFactory.getLogger(OutboundStream.class);
    static final int SNAPSHOT_CHUNK_BYTES = 64 << 10;
    /**
     * How long a stream may take, once its connection is open, to finish the TLS handshake and
     * the upgrade. A connected peer is reachable, so this only bounds a peer that accepts and then
     * says nothing (one that is paused, or not etcd); a partition during the handshake is caught
     * sooner by the stall timeout where the kernel offers it. It must not be short: on a busy
     * machine a cold JVM's first TLS handshake (its key exchange still interpreted) takes seconds,
     * and a limit shorter than that cuts every attempt before it can finish.
     */
    static final Duration SETUP_LIMIT = Duration.ofSeconds(5);
    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(256 << 10, 1 << 20);

    private enum State { IDLE, CONNECTING, OPEN, CLOSED }

    private record Queued(Message message, int size) {}

    /** A snapshot on its way: chunks sent so far, then waiting for the receiver's receipt. */
    private static final class Transfer {
        final Message.InstallSnapshot message;
        int offset;
        boolean headSent;

        Transfer(Message.InstallSnapshot message) {
            this.message = message;
        }

        boolean allSent() {
            return headSent && offset == message.snapshot().data().length;
        }
    }

    private final String localName;
    private final String localUrl;
    private final String peer;
    private final PeerAddress address;
    private final EventLoop loop;
    private final SslContext sslContext;
    private final PeerTransport.Options options;
    private final PeerReports reports;

    // Shared with the sending thread.
    private final Queue<Queued> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queuedMessages = new AtomicInteger();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicReference<Message.InstallSnapshot> pendingSnapshot = new AtomicReference<>();
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    private final AtomicBoolean overflowReported = new AtomicBoolean();
    private volatile boolean closed;
    /** Mirrors {@code state == OPEN} for {@link #isOpen()}. */
    private volatile boolean open;
    /** The flush task, made once: one is handed to the event loop for every batch sent. */
    private final Runnable flushTask = this::flush;

    // Owned by the event loop.
    private State state = State.IDLE;
    private Channel channel;
    private Transfer transfer;
    private long backoffNanos;
    private long nextAttemptNanos;
    private int failuresInARow;
    private Throwable lastFailure;
    private ScheduledFuture<?> retry;
    /** The stream is being closed for idleness, not lost. */
    private boolean idleClose;

    OutboundStream(String localName, String localUrl, String peer, PeerAddress address, EventLoop loop,
                   SslContext sslContext, PeerTransport.Options options, PeerReports reports) {
        this.localName = localName;
        this.localUrl = localUrl;
        this.peer = peer;
        this.address = address;
        this.loop = loop;
        this.sslContext = sslContext;
        this.options = options;
        this.reports = reports;
        this.backoffNanos = options.minBackoff().toNanos();
    }

    PeerAddress address() {
        return address;
    }

    /**
     * Queues a message without blocking. A full queue drops it and reports the peer unreachable
     * once until the queue drains; a newer snapshot replaces one not yet started.
     */
    void enqueue(Message m) {
        if (closed) {
            return;
        }
        if (m instanceof Message.InstallSnapshot s) {
            Message.InstallSnapshot replaced = pendingSnapshot.getAndSet(s);
            if (replaced != null) {
                reports.snapshotSent(peer, false);
            }
            return;
        }
        int size = MessageCodec.sizeHint(m);
        if (queuedMessages.get() >= options.queueMessages() || queuedBytes.get() + size > options.queueBytes()) {
            if (overflowReported.compareAndSet(false, true)) {
                log.warn("queue to {} is full, dropping messages", peer);
                reports.unreachable(peer);
            }
            return;
        }
        queuedMessages.incrementAndGet();
        queuedBytes.addAndGet(size);
        queue.add(new Queued(m, size));
    }

    /** Has the event loop write what is queued (at most one pending run at a time). */
    void scheduleFlush() {
        if (flushScheduled.compareAndSet(false, true)) {
            try {
                loop.execute(flushTask);
            } catch (RejectedExecutionException shuttingDown) {
                flushScheduled.set(false);
            }
        }
    }

    /** Connects now if the stream is idle, even with nothing queued (see {@link PeerTransport#openAhead}). */
    void openAhead() {
        if (closed) {
            return;
        }
        try {
            loop.execute(() -> {
                if (state == State.IDLE && !closed) {
                    connectWhenAllowed();
                }
            });
        } catch (RejectedExecutionException shuttingDown) {
            // The transport is closing.
        }
    }

    /** Whether the stream is connected and upgraded; read from any thread, for tests. */
    boolean isOpen() {
        return open;
    }

    /** Closes the stream for good; what is queued is dropped. */
    void close() {
        closed = true;
        try {
            loop.execute(() -> {
                state = State.CLOSED;
                if (retry != null) {
                    retry.cancel(false);
                }
                if (channel != null) {
                    channel.close();
                }
                dropQueued();
            });
        } catch (RejectedExecutionException shuttingDown) {
            // The group is going down and closes the channel itself.
        }
    }

    private void flush() {
        flushScheduled.set(false);
        switch (state) {
            case OPEN -> writeQueued();
            case IDLE -> {
                if (!queue.isEmpty() || pendingSnapshot.get() != null) {
                    connectWhenAllowed();
                }
            }
            case CLOSED -> dropQueued();
            case CONNECTING -> { }
        }
    }

    private void connectWhenAllowed() {
        long wait = nextAttemptNanos - System.nanoTime();
        if (wait <= 0) {
            connect();
        } else if (retry == null) {
            retry = loop.schedule(() -> {
                retry = null;
                flush();
            }, wait, TimeUnit.NANOSECONDS);
        }
    }

    private void connect() {
        state = State.CONNECTING;
        HttpClientCodec codec = new HttpClientCodec();
        HttpObjectAggregator aggregator = new HttpObjectAggregator(64 << 10);
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channel(EventLoops.socketChannel());
        socketOptions(options, EventLoops.isEpoll()).forEach((option, value) -> setOption(bootstrap, option, value));
        bootstrap.handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (sslContext != null) {
                            ch.pipeline().addLast("tls", sslContext.newHandler(ch.alloc(), address.host(), address.port()));
                        }
                        ch.pipeline().addLast("http", codec)
                                .addLast("aggregator", aggregator)
                                .addLast("handshake", new Handshake(codec, aggregator));
                    }
                });
        Channel ch = bootstrap.connect(address.host(), address.port()).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                noteFailure(f.cause());
                f.channel().close();
            }
        }).channel();
        channel = ch;
        ch.closeFuture().addListener(f -> closed(ch));
        long handshakeLimit = options.connectTimeout().toNanos() + SETUP_LIMIT.toNanos();
        loop.schedule(() -> {
            if (channel == ch && state == State.CONNECTING) {
                noteFailure(new IllegalStateException("no stream within " + handshakeLimit / 1_000_000 + " ms"));
                ch.close();
            }
        }, handshakeLimit, TimeUnit.NANOSECONDS);
    }

    /**
     * The options of a stream's socket. With epoll, TCP_USER_TIMEOUT makes the kernel drop a
     * connection whose data stays unacknowledged for the stall timeout: without it, a stream cut by
     * a partition stays open, and after the heal waits for TCP's backed-off retransmission (seconds)
     * instead of reconnecting at once. NIO has no such option; there a cut stream recovers only
     * through retransmission.
     */
    static Map<ChannelOption<?>, Object> socketOptions(PeerTransport.Options options, boolean epoll) {
        Map<ChannelOption<?>, Object> socket = new LinkedHashMap<>();
        socket.put(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) options.connectTimeout().toMillis());
        socket.put(ChannelOption.TCP_NODELAY, true);
        socket.put(ChannelOption.SO_KEEPALIVE, true);
        socket.put(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK);
        if (epoll) {
            socket.put(EpollChannelOption.TCP_USER_TIMEOUT, (int) options.stallTimeout().toMillis());
        }
        return socket;
    }

    @SuppressWarnings("unchecked")
    private static <T> void setOption(Bootstrap bootstrap, ChannelOption<T> option, Object value) {
        bootstrap.option(option, (T) value);
    }

    private void noteFailure(Throwable cause) {
        lastFailure = cause;
    }

    private void opened(Channel ch) {
        if (channel != ch || state != State.CONNECTING) {
            return;
        }
        state = State.OPEN;
        open = true;
        backoffNanos = options.minBackoff().toNanos();
        nextAttemptNanos = 0;
        failuresInARow = 0;
        lastFailure = null;
        log.info("Raft stream to {} open ({})", peer, address);
        writeQueued();
    }

    private void closed(Channel ch) {
        if (channel != ch) {
            return;
        }
        boolean wasOpen = state == State.OPEN;
        open = false;
        boolean idle = idleClose;
        idleClose = false;
        channel = null;
        if (state == State.CLOSED || closed) {
            // Closed on purpose (peer removed, transport shut down): nothing to report.
            return;
        }
        state = State.IDLE;
        if (transfer != null) {
            log.info("snapshot at index {} to {} not delivered: stream closed", transfer.message.snapshot().index(), peer);
            transfer = null;
            reports.snapshotSent(peer, false);
        }
        dropQueued();
        if (wasOpen && idle) {
            log.debug("closed the idle Raft stream to {}", peer);
            backoffNanos = options.minBackoff().toNanos();
            nextAttemptNanos = 0;
            return;
        }
        if (wasOpen) {
            log.warn("Raft stream to {} lost; reconnecting", peer);
            backoffNanos = options.minBackoff().toNanos();
        } else {
            failuresInARow++;
            String why = lastFailure == null ? "closed during the handshake" : lastFailure.toString();
            if (failuresInARow == 1) {
                log.warn("cannot reach {} at {}: {}", peer, address, why);
            } else {
                log.debug("cannot reach {} at {} ({} attempts): {}", peer, address, failuresInARow, why);
            }
            backoffNanos = Math.min(backoffNanos * 2, options.maxBackoff().toNanos());
        }
        lastFailure = null;
        nextAttemptNanos = System.nanoTime() + backoffNanos;
        reports.unreachable(peer);
    }

    /** Raft resends what matters: messages for an unreachable peer are only stale later. */
    private void dropQueued() {
        Queued q;
        while ((q = queue.poll()) != null) {
            queuedMessages.decrementAndGet();
            queuedBytes.addAndGet(-q.size());
        }
        if (pendingSnapshot.getAndSet(null) != null && state != State.CLOSED) {
            reports.snapshotSent(peer, false);
        }
        overflowReported.set(false);
    }

    private void writeQueued() {
        Channel ch = channel;
        boolean wrote = false;
        while (ch.isWritable()) {
            Queued q = queue.poll();
            if (q != null) {
                queuedMessages.decrementAndGet();
                queuedBytes.addAndGet(-q.size());
                ByteBuf frame = MessageCodec.lengthPrefixed(ch.alloc(), q.message());
                if (frame.readableBytes() - 4 > MessageCodec.MAX_FRAME_BYTES) {
                    // The receiver would refuse it and drop the stream: better to lose this one message.
                    log.error("dropping a {}-byte message to {}: frames are limited to {} bytes", frame.readableBytes() - 4, peer, MessageCodec.MAX_FRAME_BYTES);
                    frame.release();
                    continue;
                }
                ch.write(frame, ch.voidPromise());
            } else if (transfer == null && pendingSnapshot.get() != null) {
                transfer = new Transfer(pendingSnapshot.getAndSet(null));
                continue;
            } else if (transfer != null && !transfer.allSent()) {
                writeSnapshotPart(ch, transfer);
            } else {
                break;
            }
            wrote = true;
        }
        if (queue.isEmpty()) {
            overflowReported.set(false);
        }
        if (wrote) {
            ch.flush();
        }
    }

    private void writeSnapshotPart(Channel ch, Transfer t) {
        if (!t.headSent) {
            ByteBuf head = ch.alloc().buffer(256);
            head.writeInt(0);
            MessageCodec.encodeSnapshotHead(t.message, head);
            head.setInt(0, head.readableBytes() - 4);
            ch.write(head, ch.voidPromise());
            t.headSent = true;
            log.info("sending snapshot at index {} ({} bytes) to {}", t.message.snapshot().index(),
                    t.message.snapshot().data().length, peer);
            return;
        }
        byte[] data = t.message.snapshot().data();
        int n = Math.min(SNAPSHOT_CHUNK_BYTES, data.length - t.offset);
        ByteBuf frameHead = ch.alloc().buffer(6).writeInt(2 + n).writeBytes(MessageCodec.snapshotChunkHeader());
        ch.write(Unpooled.wrappedUnmodifiableBuffer(frameHead, Unpooled.wrappedBuffer(data, t.offset, n)),
                ch.voidPromise());
        t.offset += n;
    }

    private void receiptArrived(StreamFrame.SnapshotReceived receipt) {
        if (transfer != null && transfer.allSent() && transfer.message.snapshot().index() == receipt.index()) {
            log.info("{} received the snapshot at index {}", peer, receipt.index());
            transfer = null;
            reports.snapshotSent(peer, true);
            writeQueued();
        } else {
            log.warn("unexpected snapshot receipt from {} for index {}", peer, receipt.index());
        }
    }

    /** Asks for the upgrade to a Raft stream and, once granted, swaps the HTTP handlers out. */
    private final class Handshake extends SimpleChannelInboundHandler<FullHttpResponse> {
        private final HttpClientCodec codec;
        private final HttpObjectAggregator aggregator;

        Handshake(HttpClientCodec codec, HttpObjectAggregator aggregator) {
            this.codec = codec;
            this.aggregator = aggregator;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.writeAndFlush(StreamUpgrade.request(address.hostHeader(), localName, localUrl, peer));
            ctx.fireChannelActive();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            String protocol = response.headers().get(HttpHeaderNames.UPGRADE, "");
            if (!response.status().equals(HttpResponseStatus.SWITCHING_PROTOCOLS)
                    || !protocol.equalsIgnoreCase(StreamUpgrade.PROTOCOL)) {
                noteFailure(new IllegalStateException("stream refused: " + response.status() + " "
                        + response.content().toString(StandardCharsets.UTF_8).trim()));
                ctx.close();
                return;
            }
            StreamUpgrade.switchToFrames(ctx.pipeline(), codec, new Receipts(), aggregator, this);
            ctx.pipeline().addFirst("idle", new IdleStateHandler(0, StreamUpgrade.SENDER_IDLE.toSeconds(), 0,
                    TimeUnit.SECONDS));
            opened(ctx.channel());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            noteFailure(cause);
            ctx.close();
        }
    }

    /** The stream's inbound side: snapshot receipts, and writability changes that resume writing. */
    private final class Receipts extends SimpleChannelInboundHandler<ByteBuf> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
            StreamFrame f = MessageCodec.decodeFrame(frame);
            if (f instanceof StreamFrame.SnapshotReceived r) {
                receiptArrived(r);
            } else {
                throw new WireFormatException("unexpected " + f.getClass().getSimpleName() + " from a receiver");
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event instanceof IdleStateEvent && transfer == null && queue.isEmpty()) {
                idleClose = true;
                ctx.close();
                return;
            }
            super.userEventTriggered(ctx, event);
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable() && state == State.OPEN && channel == ctx.channel()) {
                writeQueued();
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.warn("closing the stream to {}: {}", peer, cause.toString());
            ctx.close();
        }
    }
}
