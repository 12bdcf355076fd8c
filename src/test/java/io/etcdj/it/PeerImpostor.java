package io.etcdj.it;

import io.etcdj.peer.PeerFrames;
import io.etcdj.raft.Message;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Someone on the peer network who writes bytes to a machine's peer port by hand: garbage,
 * Raft streams in any name with any frames, HTTP requests with any body. Every exchange ends by
 * reading until the machine closes the connection or {@link #PATIENCE_MS} pass.
 */
final class PeerImpostor {
    static final int PATIENCE_MS = 3000;

    private final int port;

    PeerImpostor(int port) {
        this.port = port;
    }

    /** Writes raw bytes; returns what came back. */
    byte[] raw(byte[] bytes) throws IOException {
        try (Socket s = open()) {
            write(s, bytes);
            return readUntilClosed(s);
        }
    }

    /**
     * Opens a Raft stream in the name of {@code from} and writes {@code frames}, raw stream
     * bytes; returns the status line of the upgrade answer.
     */
    String stream(String from, String fromUrl, String to, List<byte[]> frames) throws IOException {
        try (Socket s = open()) {
            write(s, PeerFrames.upgrade(from, fromUrl, to));
            String head = readHead(s.getInputStream());
            if (head.startsWith("HTTP/1.1 101")) {
                for (byte[] f : frames) {
                    s.getOutputStream().write(f);
                }
                s.getOutputStream().flush();
                // Half-close: the machine reads every frame, then sees the end of the stream.
                s.shutdownOutput();
                readUntilClosed(s);
            }
            return head.lines().findFirst().orElse("");
        }
    }

    /** Messages as frames of a stream. */
    static List<byte[]> frames(List<Message> messages) {
        return messages.stream().map(PeerFrames::message).toList();
    }

    /** An HTTP/1.1 request with {@code body} as is; returns the status line of the answer. */
    String http(String method, String target, byte[] body) throws IOException {
        try (Socket s = open()) {
            String head = method + " " + target + " HTTP/1.1\r\nHost: peer\r\nConnection: close\r\nContent-Length: "
                    + body.length + "\r\n\r\n";
            OutputStream out = s.getOutputStream();
            out.write(head.getBytes(StandardCharsets.UTF_8));
            try {
                out.write(body);
                out.flush();
            } catch (IOException refusedMidway) {
                // A body over the limit is answered and the connection closed before it is all sent.
            }
            String answer = new String(readUntilClosed(s), StandardCharsets.ISO_8859_1);
            return answer.lines().findFirst().orElse("");
        }
    }

    private Socket open() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(EtcdProcess.HOST, port), PATIENCE_MS);
        s.setSoTimeout(PATIENCE_MS);
        return s;
    }

    private static void write(Socket s, byte[] bytes) throws IOException {
        try {
            s.getOutputStream().write(bytes);
            s.getOutputStream().flush();
        } catch (IOException closedEarly) {
            // The machine may hang up on garbage before it is all written.
        }
    }

    private static byte[] readUntilClosed(Socket s) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            InputStream in = s.getInputStream();
            int n;
            while ((n = in.read(buf)) >= 0) {
                got.write(buf, 0, n);
            }
        } catch (SocketTimeoutException stillOpen) {
            // the machine keeps the connection: fine, we hang up
        } catch (IOException reset) {
            // closed by a reset: fine
        }
        return got.toByteArray();
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        try {
            while (!head.toString().endsWith("\r\n\r\n")) {
                int c = in.read();
                if (c < 0) {
                    break;
                }
                head.append((char) c);
            }
        } catch (SocketTimeoutException noAnswer) {
            // return what came
        }
        return head.toString();
    }
}
