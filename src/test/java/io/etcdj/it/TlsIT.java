package io.etcdj.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The client port over HTTPS, as the README's "Security" section shows it: one machine with
 * {@code -cert-file/-key-file}, one that also has {@code -ca-file} and so requires client
 * certificates. Both are started once for the class; each test uses its own keys.
 */
@Timeout(120)
class TlsIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    /** How long a refused plain or garbage connection may stay open before the test calls it a hang. */
    private static final Duration CLOSE_WITHIN = Duration.ofSeconds(5);
    private static final SSLContext ANONYMOUS = TlsFixtures.trusting(TlsFixtures.CHAIN);
    private static final SSLContext SERVER2 = TlsFixtures.context(TlsFixtures.CHAIN, TlsFixtures.SERVER2_CERT,
            TlsFixtures.SERVER2_KEY);
    private static final SSLContext BROKEN = TlsFixtures.context(TlsFixtures.CHAIN, TlsFixtures.BROKEN_CERT,
            TlsFixtures.BROKEN_KEY);
    private static final List<String> JVM_ARGS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

    private static EtcdProcess https;
    private static EtcdProcess mutual;

    @BeforeAll
    static void startMachines() {
        https = EtcdProcess.startMember("https0", JVM_ARGS, List.of(
                "-cert-file", TlsFixtures.SERVER_CERT.toString(), "-key-file", TlsFixtures.SERVER_KEY.toString()),
                new EtcdProcess.Tls(ANONYMOUS, null));
        mutual = EtcdProcess.startMember("mutual0", JVM_ARGS, List.of(
                "-ca-file", TlsFixtures.CA.toString(),
                "-cert-file", TlsFixtures.SERVER_CERT.toString(), "-key-file", TlsFixtures.SERVER_KEY.toString()),
                new EtcdProcess.Tls(SERVER2, null));
    }

    @AfterAll
    static void stopMachines() {
        for (EtcdProcess node : new EtcdProcess[]{https, mutual}) {
            if (node != null) {
                node.close();
            }
        }
    }

    // ---- HTTPS without client certificates ----

    @Test
    void putAndGetOverHttpsTrustingTheChain() throws Exception {
        https.showLogOnFailure(() -> {
            // given a client that trusts server-chain.pem and presents no certificate
            try (HttpConnection c = HttpConnection.open(EtcdProcess.HOST, https.clientPort(), TIMEOUT, ANONYMOUS)) {
                // when it sets a key, then the key is created
                HttpAnswer put = c.sendForm("PUT", "/v2/keys/tls/put", "value=bar");
                assertEquals(201, put.status(), put.toString());
                JsonNode set = EtcdCluster.json(put);
                assertEquals("set", set.path("action").asText());
                assertEquals("bar", set.path("node").path("value").asText());

                // and reading it on the same connection gives the value
                HttpAnswer get = c.get("/v2/keys/tls/put");
                assertEquals(200, get.status(), get.toString());
                assertEquals("bar", EtcdCluster.json(get).path("node").path("value").asText());
            }
        });
    }

    @Test
    void watchersOverHttpsGetTheirSharedAnswerAndTheConnectionGoesOn() throws Exception {
        https.showLogOnFailure(() -> {
            try (HttpConnection writer = HttpConnection.open(EtcdProcess.HOST, https.clientPort(), TIMEOUT, ANONYMOUS);
                 HttpConnection a = HttpConnection.open(EtcdProcess.HOST, https.clientPort(), TIMEOUT, ANONYMOUS);
                 HttpConnection b = HttpConnection.open(EtcdProcess.HOST, https.clientPort(), TIMEOUT, ANONYMOUS)) {
                HttpAnswer first = writer.sendForm("PUT", "/v2/keys/tls/watched", "value=1");
                long next = EtcdCluster.json(first).path("node").path("modifiedIndex").asLong() + 1;
                // from the next index on: answered by the next write, whether it comes before or after
                byte[] watch = ("GET /v2/keys/tls/watched?wait=true&waitIndex=" + next + " HTTP/1.1\r\nHost: "
                        + a.authority() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
                a.send(watch);
                b.send(watch);

                writer.sendForm("PUT", "/v2/keys/tls/watched", "value=2");

                HttpAnswer answerA = a.readAnswer("GET");
                HttpAnswer answerB = b.readAnswer("GET");
                assertEquals(200, answerA.status(), answerA.toString());
                assertEquals("2", EtcdCluster.json(answerA).path("node").path("value").asText());
                assertEquals(answerA.text(), answerB.text());
                assertEquals(answerA.header("X-Etcd-Index"), answerB.header("X-Etcd-Index"));
                // the next answers on the same connections are framed as ever
                assertEquals(200, a.get("/version").status());
                assertEquals("2", EtcdCluster.json(b.get("/v2/keys/tls/watched")).path("node").path("value").asText());
            }
        });
    }

    @Test
    void machinesListsTheHttpsClientUrl() throws Exception {
        https.showLogOnFailure(() -> {
            try (HttpConnection c = https.connect(TIMEOUT)) {
                HttpAnswer machines = c.get("/v2/machines");
                assertEquals(200, machines.status(), machines.toString());
                assertEquals("https://127.0.0.1:" + https.clientPort(), machines.text().trim());
            }
        });
    }

    @Test
    void theReadmesCurlLineSetsTheKey() throws Exception {
        assumeTrue(curlInstalled(), "curl is not installed");
        https.showLogOnFailure(() -> {
            // given the README's first curl line, aimed at this machine's port
            String line = readmeCurlLines().get(0);
            assertFalse(line.contains("--cert"), line);

            // when it runs
            CurlRun run = curl(line, https.clientPort());

            // then the handshake succeeds and the key is set
            assertEquals(0, run.exit(), run.toString());
            assertTrue(run.stderr().contains("< HTTP/1.1 201 Created"), run.toString());
            JsonNode answer = Observation.JSON.readTree(run.stdout());
            assertEquals("set", answer.path("action").asText(), run.toString());
            assertEquals("/foo", answer.path("node").path("key").asText(), run.toString());
            assertEquals("bar", answer.path("node").path("value").asText(), run.toString());
        });
    }

    // ---- client certificates required (-ca-file) ----

    @Test
    void withoutAClientCertificateTheHandshakeIsRefused() throws Exception {
        mutual.showLogOnFailure(() -> {
            String why = refusal(mutual, ANONYMOUS);
            System.out.println("no client certificate: " + why);
            assertServes(mutual, SERVER2);
        });
    }

    @Test
    void aCertificateTheCaSignedIsServed() throws Exception {
        mutual.showLogOnFailure(() -> {
            try (HttpConnection c = HttpConnection.open(EtcdProcess.HOST, mutual.clientPort(), TIMEOUT, SERVER2)) {
                HttpAnswer put = c.sendForm("PUT", "/v2/keys/tls/mutual", "value=server2");
                assertEquals(201, put.status(), put.toString());
                HttpAnswer get = c.get("/v2/keys/tls/mutual");
                assertEquals(200, get.status(), get.toString());
                assertEquals("server2", EtcdCluster.json(get).path("node").path("value").asText());
            }
        });
    }

    @Test
    void aCertificateFromAnotherCaIsRefused() throws Exception {
        mutual.showLogOnFailure(() -> {
            String why = refusal(mutual, BROKEN);
            System.out.println("broken client certificate: " + why);
            assertServes(mutual, SERVER2);
        });
    }

    @Test
    void theReadmesCurlLinesWithClientCertificates() throws Exception {
        assumeTrue(curlInstalled(), "curl is not installed");
        mutual.showLogOnFailure(() -> {
            List<String> lines = readmeCurlLines();
            assertEquals(2, lines.size(), "curl lines in the README's Security section: " + lines);

            // when the first line comes without a certificate, then the handshake is refused
            CurlRun anonymous = curl(lines.get(0), mutual.clientPort());
            assertNotEquals(0, anonymous.exit(), anonymous.toString());
            assertTrue(anonymous.stderr().contains("alert bad certificate"), anonymous.toString());
            System.out.println("curl without a certificate: " + lastLine(anonymous.stderr()));

            // when the second brings server2's certificate and key, then the key is set
            String withCertificate = lines.get(1);
            assertTrue(withCertificate.contains("--cert ./fixtures/ca/server2.crt"), withCertificate);
            CurlRun served = curl(withCertificate, mutual.clientPort());
            assertEquals(0, served.exit(), served.toString());
            JsonNode answer = Observation.JSON.readTree(served.stdout());
            assertEquals("bar", answer.path("node").path("value").asText(), served.toString());

            // when the broken set is given instead, then it is refused as well
            CurlRun broken = curl(withCertificate.replace("./fixtures/ca/server2.key.insecure",
                    "./fixtures/ca/broken/server.key.insecure").replace("./fixtures/ca/server2.crt",
                    "./fixtures/ca/broken/server.crt"), mutual.clientPort());
            assertNotEquals(0, broken.exit(), broken.toString());
            assertTrue(broken.stderr().contains("alert"), broken.toString());
            System.out.println("curl with the broken set: " + lastLine(broken.stderr()));
        });
    }

    // ---- what is not TLS ----

    @Test
    void plainHttpToTheHttpsPortIsClosedAndHttpsGoesOn() throws Exception {
        https.showLogOnFailure(() -> {
            byte[] request = HttpConnection.request("GET", "/v2/keys/tls/put", "127.0.0.1:" + https.clientPort(),
                    List.of(), null);
            Closed closed = sendRaw(https.clientPort(), request);
            System.out.println("plain HTTP to the HTTPS port: " + closed);
            assertFalse(closed.received().startsWith("HTTP/1.1 2"), closed.toString());
            assertServes(https, ANONYMOUS);
        });
    }

    @Test
    void garbageBytesAreClosedAndHttpsGoesOn() throws Exception {
        https.showLogOnFailure(() -> {
            // given bytes that cannot start a TLS record (0xA5 is no record type)
            byte[] garbage = new byte[512];
            Arrays.fill(garbage, (byte) 0xA5);
            Closed closed = sendRaw(https.clientPort(), garbage);
            System.out.println("garbage to the HTTPS port: " + closed);
            assertFalse(closed.received().startsWith("HTTP/1.1 2"), closed.toString());
            assertServes(https, ANONYMOUS);
            assertServes(mutual, SERVER2);
            Closed onMutual = sendRaw(mutual.clientPort(), garbage);
            System.out.println("garbage to the client-certificate port: " + onMutual);
            assertServes(mutual, SERVER2);
        });
    }

    // ---- plumbing ----

    /**
     * A client with {@code tls} is refused during the handshake, over TLS 1.3 and 1.2 alike. In 1.3
     * the client has finished its part before the server checks the certificate, so the server's
     * alert arrives at the first read; in 1.2 it ends the handshake itself. No request is sent.
     */
    private static String refusal(EtcdProcess node, SSLContext tls) throws IOException {
        List<String> seen = new ArrayList<>();
        for (String protocol : List.of("TLSv1.3", "TLSv1.2")) {
            try (Socket plain = new Socket()) {
                plain.connect(new InetSocketAddress(EtcdProcess.HOST, node.clientPort()), (int) TIMEOUT.toMillis());
                plain.setSoTimeout((int) TIMEOUT.toMillis());
                SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(plain, EtcdProcess.HOST,
                        node.clientPort(), true);
                socket.setEnabledProtocols(new String[]{protocol});
                // Usually the alert (SSLException); the JDK client may instead hit the closed
                // socket while it still writes its flight (SocketException). Either way: refused.
                IOException refused = assertThrows(IOException.class, () -> {
                    socket.startHandshake();
                    int first = socket.getInputStream().read();
                    fail(protocol + ": the server neither refused nor closed; first byte " + first);
                }, protocol);
                assertFalse(refused instanceof SocketTimeoutException, protocol + ": the refusal hung: " + refused);
                seen.add(protocol + ": " + refused);
            }
        }
        return String.join("; ", seen);
    }

    /** The node still answers a GET over HTTPS with {@code tls}. */
    private static void assertServes(EtcdProcess node, SSLContext tls) throws IOException {
        try (HttpConnection c = HttpConnection.open(EtcdProcess.HOST, node.clientPort(), TIMEOUT, tls)) {
            HttpAnswer answer = c.get("/version");
            assertEquals(200, answer.status(), answer.toString());
        }
    }

    /** What a raw connection got back before the server ended it, and how long that took. */
    record Closed(String received, String how, long millis) {
        @Override
        public String toString() {
            return how + " after " + millis + " ms, " + received.length() + " bytes back"
                    + (received.isEmpty() ? "" : ": " + printable(received));
        }
    }

    /** Writes {@code bytes} on a plain socket and reads until the server ends the connection. */
    private static Closed sendRaw(int port, byte[] bytes) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(EtcdProcess.HOST, port), (int) TIMEOUT.toMillis());
            socket.setSoTimeout((int) CLOSE_WITHIN.toMillis());
            long start = System.nanoTime();
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[4096];
            String how;
            try {
                int n;
                while ((n = in.read(buffer)) != -1) {
                    received.write(buffer, 0, n);
                }
                how = "closed";
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the connection was still open " + CLOSE_WITHIN + " after "
                        + bytes.length + " bytes that are not TLS; got back: "
                        + printable(received.toString(StandardCharsets.ISO_8859_1)));
            } catch (SocketException e) {
                how = "reset (" + e.getMessage() + ")";
            }
            return new Closed(received.toString(StandardCharsets.ISO_8859_1), how, (System.nanoTime() - start) / 1_000_000);
        }
    }

    private static String printable(String raw) {
        StringBuilder out = new StringBuilder();
        for (char ch : raw.toCharArray()) {
            out.append(ch >= 0x20 && ch < 0x7f ? String.valueOf(ch) : String.format("\\x%02x", (int) ch));
        }
        return out.toString();
    }

    // ---- curl ----

    record CurlRun(int exit, String stdout, String stderr) {
        @Override
        public String toString() {
            return "curl exit " + exit + "\nstdout: " + stdout + "\nstderr:\n" + stderr;
        }
    }

    /** The {@code curl} lines of the README's "Security" section, in order. */
    static List<String> readmeCurlLines() throws IOException {
        String readme = Files.readString(EtcdProcess.projectDir().resolve("README.md"), StandardCharsets.UTF_8);
        int start = readme.indexOf("## Security");
        assertTrue(start >= 0, "README.md has no Security section");
        int end = readme.indexOf("\n## ", start + 1);
        String section = readme.substring(start, end < 0 ? readme.length() : end);
        return section.lines().map(String::trim).filter(l -> l.startsWith("curl ")).toList();
    }

    /** Runs a README curl line in the project directory with port 4001 replaced; it may not take quotes. */
    private static CurlRun curl(String line, int port) throws IOException, InterruptedException {
        String aimed = line.replace("127.0.0.1:4001", "127.0.0.1:" + port);
        assertFalse(aimed.contains("'") || aimed.contains("\""), "quoting is not supported: " + line);
        List<String> command = new ArrayList<>(List.of(aimed.split("\\s+")));
        command.add(1, "--max-time");
        command.add(2, "10");
        Path dir = Files.createTempDirectory("etcdj-it-curl-");
        try {
            Path out = dir.resolve("out");
            Path err = dir.resolve("err");
            Process process = new ProcessBuilder(command).directory(EtcdProcess.projectDir().toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail("curl did not finish: " + command);
            }
            return new CurlRun(process.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    private static boolean curlInstalled() {
        try {
            Process p = new ProcessBuilder("curl", "--version").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String lastLine(String text) {
        List<String> lines = text.lines().filter(l -> !l.isBlank()).toList();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }
}
