package io.etcdj.http;

import io.etcdj.server.EtcdServer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;

import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * A client speaking raw HTTP/1.1 to the client pipeline on an {@link EmbeddedChannel}: what goes in
 * and comes out are exactly the bytes on the wire, so headers and bodies can be checked as sent.
 */
final class EmbeddedClient implements AutoCloseable {
    final EmbeddedChannel channel;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();

    EmbeddedClient(EtcdServer server, HttpOptions options) {
        this(new ClientChannelInitializer(server, options));
    }

    /** A connection of a listener that others share (its routes, and the answers its watchers share). */
    EmbeddedClient(ClientChannelInitializer listener) {
        channel = new EmbeddedChannel(listener);
    }

    /** An answer as parsed from the wire. */
    record Response(int status, List<Map.Entry<String, String>> headers, String body) {
        String header(String name) {
            for (Map.Entry<String, String> h : headers) {
                if (h.getKey().equalsIgnoreCase(name)) {
                    return h.getValue();
                }
            }
            return null;
        }

        /** Header names other than the framing ones (Date, Content-Length, Connection), lower case. */
        List<String> headerNames() {
            List<String> names = new ArrayList<>();
            for (Map.Entry<String, String> h : headers) {
                String n = h.getKey().toLowerCase(Locale.ROOT);
                if (!List.of("date", "content-length", "connection", "keep-alive").contains(n)) {
                    names.add(n);
                }
            }
            return names;
        }
    }

    Response get(String target) {
        return send("GET", target, null, null);
    }

    Response delete(String target) {
        return send("DELETE", target, null, null);
    }

    /** A request with a urlencoded form body built from name/value pairs. */
    Response form(String method, String target, String... pairs) {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < pairs.length; i += 2) {
            if (body.length() > 0) {
                body.append('&');
            }
            body.append(URLEncoder.encode(pairs[i], StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(pairs[i + 1], StandardCharsets.UTF_8));
        }
        return send(method, target, "application/x-www-form-urlencoded", body.toString());
    }

    Response send(String method, String target, String contentType, String body) {
        StringBuilder head = new StringBuilder();
        head.append(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: localhost\r\n");
        if (contentType != null) {
            head.append("Content-Type: ").append(contentType).append("\r\n");
        }
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        if (body != null || method.equals("POST") || method.equals("PUT")) {
            head.append("Content-Length: ").append(bytes.length).append("\r\n");
        }
        head.append("\r\n");
        writeRaw(head.toString().getBytes(StandardCharsets.UTF_8));
        writeRaw(bytes);
        return awaitResponse(method.equals("HEAD"));
    }

    void writeRaw(byte[] bytes) {
        if (bytes.length > 0) {
            channel.writeInbound(Unpooled.wrappedBuffer(bytes));
        }
    }

    void writeRaw(String text) {
        writeRaw(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Runs queued event-loop work until a complete answer has been written, or fails. */
    Response awaitResponse(boolean head) {
        Response response = poll(head);
        if (response == null) {
            throw new AssertionError("no answer; received so far: " + received.toString(StandardCharsets.UTF_8));
        }
        return response;
    }

    /** A complete answer if one has been written by now, else null (nothing consumed). */
    Response poll(boolean head) {
        channel.runPendingTasks();
        drainOutbound();
        return parse(head);
    }

    /** Everything written to the client since the last answer or take, as text (consumed). */
    String takeRaw() {
        channel.runPendingTasks();
        drainOutbound();
        String text = received.toString(StandardCharsets.UTF_8);
        received.reset();
        return text;
    }

    /** Polls until {@code condition} holds, for work finished on other threads. */
    static void until(BooleanSupplier condition, long timeoutMillis) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + timeoutMillis + " ms");
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    private void drainOutbound() {
        Object msg;
        while ((msg = channel.readOutbound()) != null) {
            ByteBuf buf = (ByteBuf) msg;
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            buf.release();
            received.writeBytes(bytes);
        }
    }

    private Response parse(boolean head) {
        byte[] all = received.toByteArray();
        String text = new String(all, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            return null;
        }
        String[] lines = text.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        int length = 0;
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            String name = lines[i].substring(0, colon).trim();
            String value = lines[i].substring(colon + 1).trim();
            headers.add(Map.entry(name, value));
            if (name.equalsIgnoreCase("Content-Length")) {
                length = Integer.parseInt(value);
            }
        }
        if (head) {
            length = 0;
        }
        int bodyStart = end + 4;
        if (all.length < bodyStart + length) {
            return null;
        }
        String body = new String(all, bodyStart, length, StandardCharsets.UTF_8);
        received.reset();
        received.write(all, bodyStart + length, all.length - bodyStart - length);
        return new Response(status, headers, body);
    }

    @Override
    public void close() {
        channel.finishAndReleaseAll();
    }
}
