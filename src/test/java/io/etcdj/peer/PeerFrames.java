package io.etcdj.peer;

import io.etcdj.raft.Message;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Bytes of the Raft stream protocol for tests that play a peer by hand, here and in the
 * multi-process tests: the upgrade request and length-prefixed {@link MessageCodec} frames.
 */
public final class PeerFrames {
    private PeerFrames() {
    }

    /** The upgrade request a member named {@code from} sends to open a stream to {@code to}. */
    public static byte[] upgrade(String from, String fromUrl, String to) {
        return ("GET " + StreamUpgrade.PATH + " HTTP/1.1\r\nHost: peer\r\nConnection: Upgrade\r\nUpgrade: "
                + StreamUpgrade.PROTOCOL + "\r\n" + StreamUpgrade.FROM_HEADER + ": " + from + "\r\n"
                + (fromUrl == null ? "" : StreamUpgrade.FROM_URL_HEADER + ": " + fromUrl + "\r\n")
                + StreamUpgrade.TO_HEADER + ": " + to + "\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.UTF_8);
    }

    /** One message as a stream carries it: its length, then its frame. */
    public static byte[] message(Message m) {
        return prefixed(MessageCodec.encode(m));
    }

    /** The head of a chunked snapshot declaring {@code length} bytes of data. */
    public static byte[] snapshotHead(Message.InstallSnapshot m, int length) {
        ByteBuf buf = Unpooled.buffer();
        try {
            MessageCodec.encodeSnapshotHead(m, buf);
            // The encoder writes the snapshot's own length last: replace it with the one to declare.
            byte[] head = ByteBufUtil.getBytes(buf);
            ByteBuf own = Unpooled.buffer();
            MessageCodec.writeUvarint(own, m.snapshot().data().length);
            ByteBuf out = Unpooled.buffer();
            out.writeBytes(head, 0, head.length - own.readableBytes());
            MessageCodec.writeUvarint(out, length);
            own.release();
            byte[] frame = ByteBufUtil.getBytes(out);
            out.release();
            return prefixed(frame);
        } finally {
            buf.release();
        }
    }

    /** A chunk of snapshot data. */
    public static byte[] snapshotChunk(byte[] data) {
        byte[] frame = new byte[2 + data.length];
        frame[0] = MessageCodec.FORMAT_VERSION;
        frame[1] = MessageCodec.SNAPSHOT_CHUNK;
        System.arraycopy(data, 0, frame, 2, data.length);
        return prefixed(frame);
    }

    /** A frame as a stream carries it, whatever its bytes. */
    public static byte[] prefixed(byte[] frame) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(frame.length + 4);
        out.write(frame.length >>> 24);
        out.write(frame.length >>> 16);
        out.write(frame.length >>> 8);
        out.write(frame.length);
        out.writeBytes(frame);
        return out.toByteArray();
    }
}
