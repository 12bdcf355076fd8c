package io.etcdj.peer;

import io.etcdj.raft.Message;
import io.etcdj.raft.Snapshot;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.timeout.IdleStateEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * The receiving end of a Raft stream: decodes frames, hands messages to the node, reassembles a
 * chunked snapshot into one InstallSnapshot and confirms it to the sender.
 */
final class InboundStream extends SimpleChannelInboundHandler<ByteBuf> {
    private static final Logger log = LoggerFactory.getLogger(InboundStream.class);
    /** Largest snapshot accepted; the data must fit one array anyway. */
    static final int MAX_SNAPSHOT_BYTES = 1 << 30;

    private final PeerService service;
    private final String sender;
    private final LogThrottle dropLog = new LogThrottle(TimeUnit.SECONDS.toNanos(10));

    // The snapshot being reassembled; the buffer grows with what arrived, never past the declared length.
    private StreamFrame.SnapshotHead head;
    private byte[] data;
    private int filled;

    InboundStream(PeerService service, String sender) {
        this.service = service;
        this.sender = sender;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
        StreamFrame f = MessageCodec.decodeFrame(frame);
        if (f instanceof StreamFrame.Carried c && !c.message().from().equals(sender)) {
            // Only the member that opened the stream speaks on it: a frame in another's name is a
            // confused or lying peer. Dropping it keeps the stream aligned.
            drop(c.message(), "it names " + c.message().from() + " on the stream of " + sender);
            if (c.message() instanceof Message.InstallSnapshot) {
                ctx.close();
            }
        } else if (f instanceof StreamFrame.Carried c) {
            boolean delivered = deliver(c.message());
            if (c.message() instanceof Message.InstallSnapshot s) {
                settle(ctx, s, delivered);
            }
        } else if (f instanceof StreamFrame.SnapshotHead h) {
            begin(ctx, h);
        } else if (f instanceof StreamFrame.SnapshotChunk chunk) {
            append(ctx, chunk.data());
        } else {
            throw new WireFormatException("unexpected " + f.getClass().getSimpleName() + " from a sender");
        }
    }

    private void begin(ChannelHandlerContext ctx, StreamFrame.SnapshotHead h) {
        if (head != null) {
            throw new WireFormatException("a snapshot started before the previous one ended");
        }
        if (!h.from().equals(sender) || !h.to().equals(service.name())) {
            throw new WireFormatException("a snapshot from " + h.from() + " to " + h.to() + " on the stream of "
                    + sender + " to " + service.name());
        }
        if (h.length() > MAX_SNAPSHOT_BYTES) {
            throw new WireFormatException("snapshot of " + h.length() + " bytes exceeds " + MAX_SNAPSHOT_BYTES);
        }
        log.info("receiving snapshot at index {} ({} bytes) from {}", h.metadata().index(),
                h.length(), h.from());
        head = h;
        data = new byte[Math.min(h.length(), 1 << 20)];
        filled = 0;
        if (h.length() == 0) {
            complete(ctx);
        }
    }

    private void append(ChannelHandlerContext ctx, ByteBuf chunk) {
        if (head == null) {
            throw new WireFormatException("snapshot data without a snapshot head");
        }
        int n = chunk.readableBytes();
        if (n > head.length() - filled) {
            throw new WireFormatException("snapshot data beyond its declared " + head.length() + " bytes");
        }
        if (filled + n > data.length) {
            data = Arrays.copyOf(data, (int) Math.min(head.length(), Math.max(filled + (long) n, 2L * data.length)));
        }
        chunk.readBytes(data, filled, n);
        filled += n;
        if (filled == head.length()) {
            complete(ctx);
        }
    }

    private void complete(ChannelHandlerContext ctx) {
        Message.InstallSnapshot m = new Message.InstallSnapshot(head.from(), head.to(), head.term(),
                new Snapshot(head.metadata(), data));
        head = null;
        data = null;
        settle(ctx, m, deliver(m));
    }

    /**
     * The sender waits for a word on every snapshot: a receipt when the node has it, or the end of
     * the stream when it does not, so that it can report the failure and let Raft retry.
     */
    private void settle(ChannelHandlerContext ctx, Message.InstallSnapshot m, boolean delivered) {
        if (!delivered) {
            ctx.close();
            return;
        }
        ByteBuf out = ctx.alloc().buffer();
        out.writeInt(0);
        MessageCodec.encodeSnapshotReceived(service.name(), m.from(), m.snapshot().index(), out);
        out.setInt(0, out.readableBytes() - 4);
        ctx.writeAndFlush(out);
    }

    private boolean deliver(Message m) {
        if (!m.to().equals(service.name())) {
            drop(m, "it is addressed to " + m.to());
            return false;
        }
        try {
            service.receive(m);
            return true;
        } catch (RuntimeException e) {
            drop(m, "the node refused it: " + e);
            return false;
        }
    }

    private void drop(Message m, String why) {
        if (dropLog.allow(System.nanoTime())) {
            long held = dropLog.suppressed();
            log.warn("dropping a {} on the Raft stream from {}: {}{}", m.getClass().getSimpleName(), sender, why,
                    held == 0 ? "" : " (" + held + " more dropped since the last report)");
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof IdleStateEvent) {
            log.info("closing the Raft stream from {}: nothing received for {} s", sender,
                    StreamUpgrade.RECEIVER_IDLE.toSeconds());
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (head != null) {
            log.info("stream from {} closed during a snapshot ({} of {} bytes)", sender, filled,
                    head.length());
        }
        head = null;
        data = null;
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.warn("closing the stream from {}: {}", sender, cause.toString());
        ctx.close();
    }
}
