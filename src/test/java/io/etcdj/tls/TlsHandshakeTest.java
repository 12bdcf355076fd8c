package io.etcdj.tls;

import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLException;
import javax.net.ssl.X509ExtendedKeyManager;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.etcdj.tls.TestAuthority.NOW;
import static io.etcdj.tls.TestAuthority.pem;
import static io.etcdj.tls.TestAuthority.write;
import static io.etcdj.tls.TlsContextsTest.CA;
import static io.etcdj.tls.TlsContextsTest.FIXTURES;
import static io.etcdj.tls.TlsContextsTest.SERVER_CERT;
import static io.etcdj.tls.TlsContextsTest.SERVER_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real handshakes on 127.0.0.1 between contexts built from the fixtures, as members and clients make them. */
class TlsHandshakeTest {
    static final Path SERVER2_CERT = FIXTURES.resolve("server2.crt");
    static final Path SERVER2_KEY = FIXTURES.resolve("server2.key.insecure");
    static final Path BROKEN_CERT = FIXTURES.resolve("broken/server.crt");
    static final Path BROKEN_KEY = FIXTURES.resolve("broken/server.key.insecure");

    @TempDir
    Path dir;

    @Test
    void withoutACaFileAnyClientThatTrustsTheServerIsServed() throws Exception {
        // given a listener with only a certificate and key (the walkthrough's first step)
        try (TlsEchoServer server = new TlsEchoServer(TlsContexts.server(SERVER_CERT, SERVER_KEY, null))) {
            // when a client without a certificate dials it, trusting server-chain.pem as curl does
            SslContext client = TlsContexts.client(null, null, FIXTURES.resolve("server-chain.pem"));

            // then it is served, by IP address and by name
            assertEquals("GET /v2/keys/foo from anonymous\n", answer(server.get(client, "127.0.0.1", "/v2/keys/foo")));
            assertEquals("GET /v2/keys/foo from anonymous\n", answer(server.get(client, "localhost", "/v2/keys/foo")));
            assertTrue(server.nextHandshake().succeeded());
        }
    }

    @Test
    void withACaFileAClientWithACertificateFromThatCaIsServed() throws Exception {
        // given a listener that requires client certificates, and a member with server2's files
        try (TlsEchoServer server = new TlsEchoServer(TlsContexts.server(SERVER_CERT, SERVER_KEY, CA))) {
            SslContext member = TlsContexts.client(SERVER2_CERT, SERVER2_KEY, CA);

            // when it dials, then the server sees server2's certificate
            assertEquals("GET /join from CN=server2,O=etcdj test\n", answer(server.get(member, "127.0.0.1", "/join")));
            assertTrue(server.nextHandshake().succeeded());
        }
    }

    @Test
    void withACaFileAClientWithoutACertificateIsRefused() throws Exception {
        try (TlsEchoServer server = new TlsEchoServer(TlsContexts.server(SERVER_CERT, SERVER_KEY, CA))) {
            SslContext anonymous = TlsContexts.client(null, null, CA);

            refused(server.get(anonymous, "127.0.0.1", "/v2/keys/foo"));
            assertFalse(server.nextHandshake().succeeded());
        }
    }

    @Test
    void withACaFileACertificateFromAnotherCaIsRefused() throws Exception {
        try (TlsEchoServer server = new TlsEchoServer(TlsContexts.server(SERVER_CERT, SERVER_KEY, CA))) {
            // given a member holding the broken set, as our contexts build it (it offers nothing
            // the server's CA list accepts) and one that presents its certificate regardless
            SslContext member = TlsContexts.client(BROKEN_CERT, BROKEN_KEY, CA);
            SslContext insistent = presentingAnyway(BROKEN_CERT, BROKEN_KEY, CA);

            // then the server refuses both
            refused(server.get(member, "127.0.0.1", "/join"));
            assertFalse(server.nextHandshake().succeeded());
            refused(server.get(insistent, "127.0.0.1", "/join"));
            Throwable failure = server.nextHandshake().failure();
            assertInstanceOf(SSLException.class, failure);
        }
    }

    @Test
    void aMemberRefusesAPeerWhoseCertificateIsFromAnotherCa() throws Exception {
        try (TlsEchoServer server = new TlsEchoServer(TlsContexts.server(BROKEN_CERT, BROKEN_KEY, null))) {
            SslContext member = TlsContexts.client(SERVER2_CERT, SERVER2_KEY, CA);

            Throwable failure = refused(server.get(member, "127.0.0.1", "/join"));
            assertTrue(String.valueOf(failure.getMessage()).contains("certification path"), failure.toString());
        }
    }

    @Test
    void aMemberRefusesAPeerWhoseCertificateNamesAnotherHost() throws Exception {
        // given a peer whose certificate, from a trusted CA, names only other.example
        TestAuthority authority = TestAuthority.create("names test CA");
        KeyPair keys = TestAuthority.rsaKeys();
        X509Certificate elsewhere = authority.issue("elsewhere", keys, NOW.minus(Duration.ofDays(1)),
                NOW.plus(Duration.ofDays(1)), List.of("other.example"));
        Path cert = write(dir.resolve("elsewhere.crt"), pem(elsewhere));
        Path key = write(dir.resolve("elsewhere.key"), pem(keys.getPrivate(), TestAuthority.KeyForm.TRADITIONAL));
        Path ca = write(dir.resolve("ca.crt"), pem(authority.certificate));

        try (TlsEchoServer server = new TlsEchoServer(TlsContexts.server(cert, key, null))) {
            // when a member dials it at 127.0.0.1, then the host name check fails the handshake
            Throwable failure = refused(server.get(TlsContexts.client(null, null, ca), "127.0.0.1", "/join"));
            assertTrue(String.valueOf(failure.getMessage()).contains("subject alternative"), failure.toString());
        }
    }

    @Test
    void ecKeysWorkEndToEnd() throws Exception {
        // given a listener and a member with EC keys in both forms, certified by one CA
        TestAuthority authority = TestAuthority.create("ec test CA");
        KeyPair serverKeys = TestAuthority.ecKeys();
        KeyPair memberKeys = TestAuthority.ecKeys();
        Path ca = write(dir.resolve("ca.crt"), pem(authority.certificate));
        Path serverCert = write(dir.resolve("server.crt"), pem(authority.issue("ec server", serverKeys)));
        Path serverKey = write(dir.resolve("server.key"), pem(serverKeys.getPrivate(), TestAuthority.KeyForm.TRADITIONAL));
        Path memberCert = write(dir.resolve("member.crt"), pem(authority.issue("ec member", memberKeys)));
        Path memberKey = write(dir.resolve("member.key"), pem(memberKeys.getPrivate(), TestAuthority.KeyForm.PKCS8));

        try (TlsEchoServer server = new TlsEchoServer(TlsContexts.server(serverCert, serverKey, ca))) {
            SslContext member = TlsContexts.client(memberCert, memberKey, ca);

            assertEquals("GET / from CN=ec member\n", answer(server.get(member, "127.0.0.1", "/")));
        }
    }

    @Test
    void aTls12OnlyClientIsServed() throws Exception {
        try (TlsEchoServer server = new TlsEchoServer(TlsContexts.server(SERVER_CERT, SERVER_KEY, null))) {
            SslContext tls12 = SslContextBuilder.forClient().sslProvider(SslProvider.JDK).protocols("TLSv1.2")
                    .trustManager(TlsContexts.authorities(CA, NOW)).build();

            assertEquals("GET / from anonymous\n", answer(server.get(tls12, "127.0.0.1", "/")));
        }
    }

    @Test
    void plainHttpToTheTlsPortIsClosedAndTheServerCarriesOn() throws Exception {
        try (TlsEchoServer server = new TlsEchoServer(TlsContexts.server(SERVER_CERT, SERVER_KEY, null))) {
            // when a client speaks plain HTTP to the TLS port
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                socket.setSoTimeout((int) TlsEchoServer.PATIENCE.toMillis());
                socket.getOutputStream().write("GET /v2/keys/foo HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));

                // then the connection is closed without an answer
                assertEquals(-1, readAll(socket.getInputStream()));
            }
            assertInstanceOf(NotSslRecordException.class, server.nextHandshake().failure());

            // and the next TLS client is served as usual
            SslContext client = TlsContexts.client(null, null, CA);
            assertEquals("GET / from anonymous\n", answer(server.get(client, "127.0.0.1", "/")));
        }
    }

    private static String answer(CompletableFuture<String> answer) throws Exception {
        return answer.get(TlsEchoServer.PATIENCE.toMillis() * 2, TimeUnit.MILLISECONDS);
    }

    /** The request fails; returns the deepest cause, for the tests that care why. */
    private static Throwable refused(CompletableFuture<String> answer) {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> answer.get(TlsEchoServer.PATIENCE.toMillis() * 2, TimeUnit.MILLISECONDS));
        Throwable cause = e.getCause();
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }

    /** Reads until the end; a reset counts as the end too. */
    private static int readAll(InputStream in) {
        try {
            while (in.read() != -1) {
                // the server may not send anything at all; just wait for the close
            }
            return -1;
        } catch (IOException e) {
            return e.getMessage().contains("reset") ? -1 : 0;
        }
    }

    /** A client that presents its certificate whatever CAs the server names, to test the server's check. */
    private static SslContext presentingAnyway(Path cert, Path key, Path ca) throws Exception {
        Identity identity = Identity.load(cert, key, NOW);
        X509Certificate[] chain = identity.chain().toArray(X509Certificate[]::new);
        X509ExtendedKeyManager keyManager = new X509ExtendedKeyManager() {
            @Override
            public String[] getClientAliases(String keyType, Principal[] issuers) {
                return new String[]{"member"};
            }

            @Override
            public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
                return "member";
            }

            @Override
            public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, javax.net.ssl.SSLEngine engine) {
                return "member";
            }

            @Override
            public String[] getServerAliases(String keyType, Principal[] issuers) {
                return null;
            }

            @Override
            public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
                return null;
            }

            @Override
            public X509Certificate[] getCertificateChain(String alias) {
                return chain;
            }

            @Override
            public PrivateKey getPrivateKey(String alias) {
                return identity.key();
            }
        };
        return SslContextBuilder.forClient().sslProvider(SslProvider.JDK).keyManager(keyManager)
                .trustManager(TlsContexts.authorities(ca, NOW)).build();
    }
}
