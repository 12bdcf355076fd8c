package io.etcdj.it;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The raw client against an in-process socket that answers with canned bytes. */
class HttpConnectionTest {
    private ServerSocket listener;
    private final BlockingQueue<String> requests = new LinkedBlockingQueue<>();

    @AfterEach
    void closeListener() throws IOException {
        if (listener != null) {
            listener.close();
        }
    }

    @Test
    void sendsTheTargetVerbatimWithHostAndEmptyBodyForPut() throws Exception {
        // given a server that answers once with a Content-Length body
        HttpConnection c = connectTo(List.of("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"), true);
        // when a PUT without body goes to an unclean path
        HttpAnswer answer = c.exchange("PUT", "/v2/keys/a/../b//c?x=%20", List.of(), null);
        // then the request line is untouched and Content-Length: 0 is sent
        assertEquals("PUT /v2/keys/a/../b//c?x=%20 HTTP/1.1\r\nHost: " + c.authority()
                + "\r\nContent-Length: 0\r\n\r\n", requests.poll(5, TimeUnit.SECONDS));
        assertEquals(200, answer.status());
        assertEquals("ok", answer.text());
        c.close();
    }

    @Test
    void keepsTheConnectionForTheNextRequest() throws Exception {
        HttpConnection c = connectTo(List.of(
                "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 3\r\n\r\n{1}",
                "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n{2}"), false);
        assertEquals("{1}", c.sendForm("PUT", "/a", "value=1").text());
        assertTrue(c.isReusable());
        assertEquals("{2}", c.get("/a").text());
        assertTrue(requests.poll(5, TimeUnit.SECONDS).endsWith("Content-Type: application/x-www-form-urlencoded\r\n"
                + "Content-Length: 7\r\n\r\nvalue=1"));
        c.close();
    }

    @Test
    void decodesChunkedBodiesWithExtensionsAndTrailers() throws Exception {
        HttpConnection c = connectTo(List.of("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\nX-A: 2\r\n\r\n"
                + "5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nTrailer: x\r\n\r\n"), true);
        HttpAnswer answer = c.get("/");
        assertEquals("hello, world", answer.text());
        assertEquals(List.of(Map.entry("Transfer-Encoding", "chunked"), Map.entry("X-A", "1"), Map.entry("X-A", "2")),
                answer.headers());
        c.close();
    }

    @Test
    void readsUntilCloseWithoutFramingAndThenIsNotReusable() throws Exception {
        HttpConnection c = connectTo(List.of("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\nbad request"), true);
        HttpAnswer answer = c.get("/");
        assertEquals(400, answer.status());
        assertEquals("Bad Request", answer.reason());
        assertEquals("bad request", answer.text());
        assertFalse(c.isReusable());
        c.close();
    }

    @Test
    void unframedBodyEndsAtAConnectionReset() throws Exception {
        // given a server that answers without framing and then resets the connection
        listener = new ServerSocket(0, 1, InetAddress.getByName(EtcdProcess.HOST));
        Thread server = new Thread(() -> {
            try (Socket socket = listener.accept()) {
                readRequest(socket.getInputStream());
                socket.getOutputStream().write("HTTP/1.0 431 Too Large\r\n\r\ntoo large".getBytes(StandardCharsets.UTF_8));
                socket.getOutputStream().flush();
                socket.setSoLinger(true, 0); // close with RST
            } catch (IOException ignored) {
                // the test sees the outcome
            }
        }, "resetting-http");
        server.setDaemon(true);
        server.start();
        HttpConnection c = HttpConnection.open(EtcdProcess.HOST, listener.getLocalPort(), Duration.ofSeconds(5));
        // when the answer is read, then status and what arrived of the body are there
        HttpAnswer answer = c.get("/");
        assertEquals(431, answer.status());
        assertFalse(c.isReusable());
        c.close();
    }

    @Test
    void headAnswersHaveNoBodyAndInterimAnswersAreSkipped() throws Exception {
        HttpConnection c = connectTo(List.of(
                "HTTP/1.1 404 Not Found\r\nContent-Length: 19\r\n\r\n",
                "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"), false);
        HttpAnswer head = c.exchange("HEAD", "/x", List.of(), null);
        assertEquals(404, head.status());
        assertEquals(0, head.body().length);
        HttpAnswer afterContinue = c.get("/y");
        assertEquals(204, afterContinue.status());
        c.close();
    }

    @Test
    void closedConnectionWithoutAnswerIsAnError() throws Exception {
        HttpConnection c = connectTo(List.of(""), true);
        assertThrows(IOException.class, () -> c.get("/"));
        c.close();
    }

    /** Starts a one-connection server that answers each request with the next canned response. */
    private HttpConnection connectTo(List<String> responses, boolean closeAfterLast) throws IOException {
        listener = new ServerSocket(0, 1, InetAddress.getByName(EtcdProcess.HOST));
        Thread server = new Thread(() -> serve(responses, closeAfterLast), "canned-http");
        server.setDaemon(true);
        server.start();
        return HttpConnection.open(EtcdProcess.HOST, listener.getLocalPort(), Duration.ofSeconds(5));
    }

    private void serve(List<String> responses, boolean closeAfterLast) {
        try (Socket socket = listener.accept()) {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            for (String response : responses) {
                requests.add(readRequest(in));
                out.write(response.getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
            if (!closeAfterLast) {
                in.read(); // hold the connection until the client closes it
            }
        } catch (IOException e) {
            requests.add("server failed: " + e);
        }
    }

    private static String readRequest(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
        }
        String text = head.toString(StandardCharsets.UTF_8);
        int length = 0;
        for (String line : text.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        return text + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }
}
