package io.etcdj.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.FastThreadLocal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Whole watch answers encoded once per event loop and sent, as the same bytes, to every watcher on
 * that loop that gets them. The watchers one event wakes get the very same {@link Reply} object
 * (see {@link SharedEventJson}); on one loop their answers are written one after the other, so
 * remembering the last answer encoded is enough. The answer's framing is part of what is compared:
 * the reply, the HTTP version, keep-alive, the CORS headers and the Date header's value; when any
 * differs the answer is encoded anew, so every answer is byte for byte what encoding its own
 * response would give.
 *
 * <p>The encoding is Netty's response encoder's, used on its own; each loop keeps its own encoder
 * and its own last answer, so nothing here is shared between threads but the reply.
 */
final class SharedResponses {
    private record Key(Reply reply, HttpVersion version, boolean keepAlive, List<Map.Entry<String, String>> cors,
                       String date) {
        boolean sameAs(Reply otherReply, HttpVersion otherVersion, boolean otherKeepAlive,
                       List<Map.Entry<String, String>> otherCors, String otherDate) {
            return reply == otherReply && version.equals(otherVersion) && keepAlive == otherKeepAlive
                    && cors.equals(otherCors) && date.equals(otherDate);
        }
    }

    /** Netty's response encoder, with its encoding step open to this class. */
    private static final class Encoder extends HttpResponseEncoder {
        ByteBuf encodeWhole(ChannelHandlerContext ctx, FullHttpResponse response) throws Exception {
            List<Object> out = new ArrayList<>(2);
            encode(ctx, response, out);
            if (out.size() == 1) {
                return (ByteBuf) out.get(0);
            }
            // a body too large to merge comes as a second buffer: join them, to send one
            int length = 0;
            for (Object part : out) {
                length += ((ByteBuf) part).readableBytes();
            }
            ByteBuf whole = ctx.alloc().buffer(length);
            for (Object part : out) {
                ByteBuf buf = (ByteBuf) part;
                whole.writeBytes(buf);
                buf.release();
            }
            return whole;
        }
    }

    /** One loop's encoder and the answer it encoded last. */
    private static final class LoopState {
        final Encoder encoder = new Encoder();
        Key key;
        ByteBuf bytes;
    }

    private final FastThreadLocal<LoopState> states = new FastThreadLocal<>() {
        @Override
        protected LoopState initialValue() {
            return new LoopState();
        }

        @Override
        protected void onRemoval(LoopState state) {
            // the loop's thread ends: its last answer goes back to the pool
            if (state.bytes != null) {
                state.bytes.release();
                state.bytes = null;
            }
        }
    };

    /**
     * The encoded answer for these framing parameters, as a buffer of the caller's to send (a
     * retained duplicate of the loop's copy). {@code response} builds the response object when the
     * answer has to be encoded; it is consumed.
     */
    ByteBuf encoded(ChannelHandlerContext ctx, Reply reply, HttpVersion version, boolean keepAlive,
                    List<Map.Entry<String, String>> cors, String date, Supplier<FullHttpResponse> response)
            throws Exception {
        LoopState state = states.get();
        if (state.key == null || !state.key.sameAs(reply, version, keepAlive, cors, date)) {
            ByteBuf fresh = state.encoder.encodeWhole(ctx, response.get());
            if (state.bytes != null) {
                state.bytes.release();
            }
            state.bytes = fresh;
            state.key = new Key(reply, version, keepAlive, cors, date);
        }
        return state.bytes.retainedDuplicate();
    }

    /** Lets go of this thread's last answer (for a test: a loop's goes when its thread ends). */
    void releaseOnThisThread() {
        LoopState state = states.getIfExists();
        if (state != null && state.bytes != null) {
            state.bytes.release();
            state.bytes = null;
            state.key = null;
        }
    }
}
