package io.etcdj.tls;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.etcdj.tls.TlsContextsTest.CA;
import static io.etcdj.tls.TlsContextsTest.FIXTURES;
import static io.etcdj.tls.TlsContextsTest.SERVER_CERT;
import static io.etcdj.tls.TlsContextsTest.SERVER_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The README's HTTPS walkthrough, with curl against listeners built from the fixtures. Skipped
 * where curl is not installed.
 */
class CurlWalkthroughTest {
    private static final Path CHAIN = FIXTURES.resolve("server-chain.pem");

    /** What curl printed, and how it exited. */
    record Run(int exit, String output) {}

    @BeforeAll
    static void curlIsInstalled() {
        boolean installed;
        try {
            installed = new ProcessBuilder("curl", "--version").redirectErrorStream(true).start()
                    .waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            installed = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            installed = false;
        }
        assumeTrue(installed, "curl is not installed");
    }

    @Test
    void httpsWithTheServersCertificateAndKey() throws Exception {
        // given: -cert-file=server.crt -key-file=server.key.insecure
        try (TlsEchoServer server = new TlsEchoServer(TlsContexts.server(SERVER_CERT, SERVER_KEY, null))) {
            // when: curl --cacert server-chain.pem https://127.0.0.1:PORT/v2/keys/foo -XPUT -d value=bar
            Run run = curl("https://127.0.0.1:" + server.port() + "/v2/keys/foo", "--cacert", CHAIN.toString(),
                    "-XPUT", "-d", "value=bar");

            // then the handshake succeeds and the request is answered
            assertEquals(new Run(0, "PUT /v2/keys/foo from anonymous\n"), run);
            Run byName = curl("https://localhost:" + server.port() + "/", "--cacert", CA.toString());
            assertEquals(new Run(0, "GET / from anonymous\n"), byName);
        }
    }

    @Test
    void clientCertificatesAreRequiredWithACaFile() throws Exception {
        // given: -ca-file=ca.crt -cert-file=server.crt -key-file=server.key.insecure
        try (TlsEchoServer server = new TlsEchoServer(TlsContexts.server(SERVER_CERT, SERVER_KEY, CA))) {
            String url = "https://127.0.0.1:" + server.port() + "/v2/keys/foo";

            // when curl comes without a certificate, then it is refused
            Run anonymous = curl(url, "--cacert", CHAIN.toString(), "-XPUT", "-d", "value=bar");
            assertNotEquals(0, anonymous.exit(), anonymous.output());
            assertTrue(anonymous.output().contains("alert"), anonymous.output());

            // when it brings server2's certificate and key, then it is served
            Run withCertificate = curl(url, "--key", FIXTURES.resolve("server2.key.insecure").toString(),
                    "--cert", FIXTURES.resolve("server2.crt").toString(), "--cacert", CHAIN.toString(), "-L",
                    "-XPUT", "-d", "value=bar");
            assertEquals(new Run(0, "PUT /v2/keys/foo from CN=server2,O=etcdj test\n"), withCertificate);

            // when it brings the broken set's, then it is refused
            Run broken = curl(url, "--key", FIXTURES.resolve("broken/server.key.insecure").toString(),
                    "--cert", FIXTURES.resolve("broken/server.crt").toString(), "--cacert", CHAIN.toString());
            assertNotEquals(0, broken.exit(), broken.output());
        }
    }

    @Test
    void curlRefusesAServerFromAnotherCa() throws Exception {
        Path brokenCert = FIXTURES.resolve("broken/server.crt");
        Path brokenKey = FIXTURES.resolve("broken/server.key.insecure");
        try (TlsEchoServer server = new TlsEchoServer(TlsContexts.server(brokenCert, brokenKey, null))) {
            Run run = curl("https://127.0.0.1:" + server.port() + "/", "--cacert", CHAIN.toString());

            assertEquals(60, run.exit(), run.output()); // curl's "peer certificate cannot be authenticated"
        }
    }

    private static Run curl(String url, String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time",
                String.valueOf(TlsEchoServer.PATIENCE.toSeconds())));
        command.addAll(List.of(options));
        command.add(url);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!process.waitFor(TlsEchoServer.PATIENCE.toSeconds() * 2, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("curl did not finish: " + command);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(process.exitValue(), output);
    }
}
