package io.etcdj.it;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A minimal HTTP/1.1 client over one socket. It sends the request target byte for byte, never
 * follows redirects and never rewrites paths, which is what the conformance scenarios and the bad
 * input tests need (library clients normalize or reject some of the paths they send). Responses are
 * framed by Content-Length, chunked encoding, or the end of the connection; the connection can be
 * reused for the next request while the server keeps it open.
 */
final class HttpConnection implements Closeable {
    private static final int MAX_LINE = 1 << 20;

    private final Socket socket;
    private final String authority;
    private final InputStream in;
    private final OutputStream out;
    private boolean reusable = true;

    private HttpConnection(Socket socket, String authority) throws IOException {
        this.socket = socket;
        this.authority = authority;
        this.in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
        this.out = socket.getOutputStream();
    }

    /** Connects to host:port; {@code timeout} bounds the connect and every later read. */
    static HttpConnection open(String host, int port, Duration timeout) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            return new HttpConnection(socket, host + ":" + port);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * As {@link #open(String, int, Duration)}, then a TLS handshake with {@code tls} (plain HTTP
     * when null). The server's certificate must name {@code host}, as a browser or curl would check.
     */
    static HttpConnection open(String host, int port, Duration timeout, SSLContext tls) throws IOException {
        if (tls == null) {
            return open(host, port, timeout);
        }
        Socket plain = new Socket();
        try {
            plain.setTcpNoDelay(true);
            plain.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            plain.setSoTimeout((int) timeout.toMillis());
            SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(plain, host, port, true);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            return new HttpConnection(socket, host + ":" + port);
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }

    /** One request/response exchange. A null body sends no body (but Content-Length: 0 for POST and PUT). */
    HttpAnswer exchange(String method, String target, List<Map.Entry<String, String>> headers, byte[] body)
            throws IOException {
        send(request(method, target, authority, headers, body));
        return readAnswer(method);
    }

    HttpAnswer get(String target) throws IOException {
        return exchange("GET", target, List.of(), null);
    }

    /** PUT or POST of an application/x-www-form-urlencoded body. */
    HttpAnswer sendForm(String method, String target, String form) throws IOException {
        return exchange(method, target, List.of(Map.entry("Content-Type", "application/x-www-form-urlencoded")),
                form.getBytes(StandardCharsets.UTF_8));
    }

    /** The bytes of a request as this client writes them: request line, Host, the given headers, framing. */
    static byte[] request(String method, String target, String authority,
                          List<Map.Entry<String, String>> headers, byte[] body) {
        StringBuilder head = new StringBuilder();
        head.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        head.append("Host: ").append(authority).append("\r\n");
        for (Map.Entry<String, String> h : headers) {
            head.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
        }
        if (body != null || method.equals("POST") || method.equals("PUT")) {
            head.append("Content-Length: ").append(body == null ? 0 : body.length).append("\r\n");
        }
        head.append("\r\n");
        byte[] headBytes = head.toString().getBytes(StandardCharsets.UTF_8);
        if (body == null || body.length == 0) {
            return headBytes;
        }
        byte[] all = new byte[headBytes.length + body.length];
        System.arraycopy(headBytes, 0, all, 0, headBytes.length);
        System.arraycopy(body, 0, all, headBytes.length, body.length);
        return all;
    }

    /** Bounds every later read by {@code timeout} instead of the one given when opening. */
    void setReadTimeout(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
    }

    String authority() {
        return authority;
    }

    /** Writes raw bytes: a prepared request, or deliberately malformed input. */
    void send(byte[] raw) throws IOException {
        out.write(raw);
        out.flush();
    }

    /** Reads one response, skipping interim 1xx answers. {@code method} tells whether a body follows. */
    HttpAnswer readAnswer(String method) throws IOException {
        while (true) {
            String statusLine = readLine();
            if (statusLine == null) {
                reusable = false;
                throw new EOFException("connection closed before a response");
            }
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
                reusable = false;
                throw new IOException("not an HTTP status line: " + statusLine);
            }
            int status = Integer.parseInt(parts[1]);
            String reason = parts.length > 2 ? parts[2] : "";
            List<Map.Entry<String, String>> headers = readHeaders();
            if (status >= 100 && status < 200) {
                continue;
            }
            boolean closeAfter = headers.stream().anyMatch(h -> h.getKey().equalsIgnoreCase("Connection")
                    && h.getValue().toLowerCase(Locale.ROOT).contains("close"));
            byte[] body = readBody(method, status, headers);
            if (closeAfter || parts[0].equals("HTTP/1.0")) {
                reusable = false;
            }
            return new HttpAnswer(status, reason, List.copyOf(headers), body);
        }
    }

    /** False once the server has said or shown that it will close this connection. */
    boolean isReusable() {
        return reusable && !socket.isClosed();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private List<Map.Entry<String, String>> readHeaders() throws IOException {
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        String line;
        while ((line = readLine()) != null && !line.isEmpty()) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IOException("malformed header line: " + line);
            }
            headers.add(Map.entry(line.substring(0, colon).trim(), line.substring(colon + 1).trim()));
        }
        if (line == null) {
            throw new EOFException("connection closed inside the response headers");
        }
        return headers;
    }

    private byte[] readBody(String method, int status, List<Map.Entry<String, String>> headers) throws IOException {
        if (method.equals("HEAD") || status == 204 || status == 304) {
            return new byte[0];
        }
        String transferEncoding = value(headers, "Transfer-Encoding");
        if (transferEncoding != null && transferEncoding.toLowerCase(Locale.ROOT).contains("chunked")) {
            return readChunked();
        }
        String contentLength = value(headers, "Content-Length");
        if (contentLength != null) {
            int length = checkedLength(contentLength);
            byte[] body = in.readNBytes(length);
            if (body.length < length) {
                throw new EOFException("connection closed after " + body.length + " of " + length + " body bytes");
            }
            return body;
        }
        return readUntilClose();
    }

    /**
     * A body without framing ends with the connection. A server that refuses a request it has not
     * read to the end may reset rather than close it; what arrived before counts as the body.
     */
    private byte[] readUntilClose() throws IOException {
        reusable = false;
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            int n;
            while ((n = in.read(buffer)) != -1) {
                body.write(buffer, 0, n);
            }
        } catch (SocketException reset) {
            // connection reset after the response head: the body ends here
        }
        return body.toByteArray();
    }

    private int checkedLength(String contentLength) throws IOException {
        long length = Long.parseLong(contentLength.trim());
        if (length < 0 || length > Integer.MAX_VALUE) {
            throw new IOException("unusable Content-Length " + contentLength);
        }
        return (int) length;
    }

    private byte[] readChunked() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine();
            if (sizeLine == null) {
                throw new EOFException("connection closed inside a chunked body");
            }
            int semicolon = sizeLine.indexOf(';');
            int size = Integer.parseInt((semicolon >= 0 ? sizeLine.substring(0, semicolon) : sizeLine).trim(), 16);
            if (size == 0) {
                readHeaders(); // trailers, unused
                return body.toByteArray();
            }
            byte[] chunk = in.readNBytes(size);
            if (chunk.length < size) {
                throw new EOFException("connection closed inside a chunk");
            }
            body.write(chunk);
            readLine();
        }
    }

    private static String value(List<Map.Entry<String, String>> headers, String name) {
        return headers.stream().filter(h -> h.getKey().equalsIgnoreCase(name))
                .map(Map.Entry::getValue).findFirst().orElse(null);
    }

    /** A line up to LF, without the CR LF; null at end of stream before any byte. */
    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
            }
            if (line.size() >= MAX_LINE) {
                throw new IOException("response line longer than " + MAX_LINE + " bytes");
            }
            line.write(b);
        }
        if (line.size() == 0) {
            return null;
        }
        throw new EOFException("connection closed inside a line");
    }
}
