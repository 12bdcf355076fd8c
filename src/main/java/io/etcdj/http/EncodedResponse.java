package io.etcdj.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * A whole response (status line, headers, body) already encoded by Netty's response encoder, for
 * one request. {@link ClientHttpCodec} sends it as it is, in the place of encoding a response
 * object; it is reference counted like the buffer it holds, so a write that fails releases it.
 */
final class EncodedResponse extends DefaultByteBufHolder {
    EncodedResponse(ByteBuf bytes) {
        super(bytes);
    }
}
