package io.etcdj.tls;

import io.etcdj.config.TlsFiles;
import io.etcdj.tls.TestAuthority.KeyForm;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.net.ssl.SSLEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import static io.etcdj.tls.TestAuthority.NOW;
import static io.etcdj.tls.TestAuthority.pem;
import static io.etcdj.tls.TestAuthority.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Loading certificates and keys: every accepted form, and each refusal's one line naming the file. */
class TlsContextsTest {
    static final Path FIXTURES = Path.of("fixtures", "ca");
    static final Path CA = FIXTURES.resolve("ca.crt");
    static final Path SERVER_CERT = FIXTURES.resolve("server.crt");
    static final Path SERVER_KEY = FIXTURES.resolve("server.key.insecure");
    static final Path SERVER2_KEY = FIXTURES.resolve("server2.key.insecure");

    private static final TestAuthority AUTHORITY = TestAuthority.create("loading test CA");
    private static final KeyPair RSA = TestAuthority.rsaKeys();
    private static final KeyPair EC = TestAuthority.ecKeys();

    @TempDir
    Path dir;

    // --- accepted inputs ---

    @Test
    void theFixturesMakeAServerThatRequiresClientCertificates() throws Exception {
        // given the walkthrough's files, with the CA
        // when the server context is built
        SslContext context = TlsContexts.server(SERVER_CERT, SERVER_KEY, CA);

        // then it requires a client certificate and speaks only TLS 1.2 and 1.3
        SSLEngine engine = context.newEngine(ByteBufAllocator.DEFAULT);
        assertTrue(engine.getNeedClientAuth());
        assertEquals(Set.of("TLSv1.3", "TLSv1.2"), Set.of(engine.getEnabledProtocols()));
        assertTrue(Set.of(engine.getEnabledCipherSuites()).containsAll(
                List.of("TLS_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")));
        assertTrue(TlsContexts.CIPHER_SUITES.containsAll(List.of(engine.getEnabledCipherSuites())));
    }

    @Test
    void withoutACaFileTheServerAsksForNoClientCertificate() throws Exception {
        SSLEngine engine = TlsContexts.server(SERVER_CERT, SERVER_KEY, null).newEngine(ByteBufAllocator.DEFAULT);

        assertFalse(engine.getNeedClientAuth());
        assertFalse(engine.getWantClientAuth());
    }

    @Test
    void theClientContextChecksHostNames() throws Exception {
        SSLEngine engine = TlsContexts.client(SERVER_CERT, SERVER_KEY, CA)
                .newEngine(ByteBufAllocator.DEFAULT, "127.0.0.1", 7001);

        assertEquals("HTTPS", engine.getSSLParameters().getEndpointIdentificationAlgorithm());
        assertEquals(Set.of("TLSv1.3", "TLSv1.2"), Set.of(engine.getEnabledProtocols()));
    }

    @Test
    void aChainFileIsPresentedWhole() throws Exception {
        Identity identity = Identity.load(FIXTURES.resolve("server-chain.pem"), SERVER_KEY, NOW);

        assertEquals(2, identity.chain().size());
        assertEquals("CN=server,O=etcdj test", identity.chain().get(0).getSubjectX500Principal().getName());
        assertEquals("RSA", identity.key().getAlgorithm());
    }

    @ParameterizedTest
    @EnumSource(value = KeyForm.class, names = {"TRADITIONAL", "PKCS8"})
    void rsaAndEcKeysLoadInTraditionalAndPkcs8Form(KeyForm form) throws Exception {
        for (KeyPair keys : List.of(RSA, EC)) {
            // given a certificate and its key written in this form
            Path cert = write(dir.resolve("leaf.crt"), pem(AUTHORITY.issue("leaf", keys)));
            Path key = write(dir.resolve("leaf.key"), pem(keys.getPrivate(), form));

            // when loaded, then the key is the one written
            Identity identity = Identity.load(cert, key, NOW);
            assertEquals(keys.getPrivate().getAlgorithm(), identity.key().getAlgorithm());
            assertTrue(Identity.belongTogether(identity.key(), keys.getPublic()));
            assertNotNull(TlsContexts.server(cert, key, null));
        }
    }

    @Test
    void traditionalFormsCarryTheirOwnHeaders() {
        assertTrue(pem(RSA.getPrivate(), KeyForm.TRADITIONAL).startsWith("-----BEGIN RSA PRIVATE KEY-----"));
        assertTrue(pem(EC.getPrivate(), KeyForm.TRADITIONAL).startsWith("-----BEGIN EC PRIVATE KEY-----"));
        assertTrue(pem(EC.getPrivate(), KeyForm.PKCS8).startsWith("-----BEGIN PRIVATE KEY-----"));
    }

    @Test
    void otherBlocksAroundTheKeyAreSkipped() throws Exception {
        // given openssl ecparam's output (parameters, then key), and a file with certificate then key
        X509Certificate leaf = AUTHORITY.issue("leaf", EC);
        Path cert = write(dir.resolve("leaf.crt"), "subject=CN=leaf\n", pem(leaf));
        Path ecparam = write(dir.resolve("ecparam.key"), TestAuthority.ecParameters(), pem(EC.getPrivate(), KeyForm.TRADITIONAL));
        Path combined = write(dir.resolve("combined.pem"), pem(leaf), pem(EC.getPrivate(), KeyForm.PKCS8));

        // then both load
        assertEquals("EC", Identity.load(cert, ecparam, NOW).key().getAlgorithm());
        assertEquals(1, Identity.load(combined, combined, NOW).chain().size());
    }

    @Test
    void everyCertificateOfACaFileIsTrusted() throws Exception {
        Path bundle = write(dir.resolve("bundle.crt"), Files.readString(CA),
                Files.readString(FIXTURES.resolve("broken/ca.crt")));

        assertEquals(2, TlsContexts.authorities(bundle, NOW).size());
    }

    @Test
    void configFilesTurnTlsOnOnlyWithACertificateAndAKey() throws Exception {
        assertNull(TlsContexts.server(TlsFiles.NONE));
        assertNull(TlsContexts.client(TlsFiles.NONE));

        TlsFiles files = new TlsFiles(CA.toString(), SERVER_CERT.toString(), SERVER_KEY.toString());
        assertTrue(TlsContexts.server(files).newEngine(ByteBufAllocator.DEFAULT).getNeedClientAuth());
        assertTrue(TlsContexts.client(files).isClient());
        TlsFiles withoutCa = new TlsFiles("", SERVER_CERT.toString(), SERVER_KEY.toString());
        assertFalse(TlsContexts.server(withoutCa).newEngine(ByteBufAllocator.DEFAULT).getNeedClientAuth());
    }

    // --- refusals: one line, naming the file ---

    @Test
    void missingFilesAreNamed() {
        Path missing = dir.resolve("missing.crt");

        refused("TLS certificate file " + missing + " cannot be read (no such file)",
                () -> TlsContexts.server(missing, SERVER_KEY, null));
        refused("TLS key file " + missing + " cannot be read (no such file)",
                () -> TlsContexts.server(SERVER_CERT, missing, null));
        refused("TLS CA file " + missing + " cannot be read (no such file)",
                () -> TlsContexts.server(SERVER_CERT, SERVER_KEY, missing));
        refused("TLS CA file " + missing + " cannot be read (no such file)",
                () -> TlsContexts.client(null, null, missing));
    }

    @Test
    void aDirectoryIsNotAFile() {
        refused("TLS key file " + dir + " cannot be read (it is a directory)",
                () -> TlsContexts.server(SERVER_CERT, dir, null));
    }

    @Test
    void anUnreadableFileIsNamed() throws Exception {
        Path key = Files.copy(SERVER_KEY, dir.resolve("server.key"));
        Files.setPosixFilePermissions(key, Set.of());
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.isReadable(key), "running as root: permissions do not apply");

        refused("TLS key file " + key + " cannot be read (permission denied)",
                () -> TlsContexts.server(SERVER_CERT, key, null));
    }

    @Test
    void filesWithoutPemAreRefused() {
        Path empty = write(dir.resolve("empty"));
        Path der = write(dir.resolve("text"), "this is not PEM\n");

        refused("TLS key file " + empty + " holds no PEM data (expected -----BEGIN ...----- blocks)",
                () -> TlsContexts.server(SERVER_CERT, empty, null));
        refused("TLS certificate file " + der + " holds no PEM data (expected -----BEGIN ...----- blocks)",
                () -> TlsContexts.server(der, SERVER_KEY, null));
        refused("TLS CA file " + der + " holds no PEM data (expected -----BEGIN ...----- blocks)",
                () -> TlsContexts.server(SERVER_CERT, SERVER_KEY, der));
    }

    @Test
    void filesSwappedOrWithoutTheirContentAreRefused() {
        refused("TLS certificate file " + SERVER_KEY + " holds no certificate (it holds RSA PRIVATE KEY)",
                () -> TlsContexts.server(SERVER_KEY, SERVER_KEY, null));
        refused("TLS key file " + SERVER_CERT + " holds no private key (it holds CERTIFICATE)",
                () -> TlsContexts.server(SERVER_CERT, SERVER_CERT, null));
        refused("TLS CA file " + SERVER_KEY + " holds no certificate (it holds RSA PRIVATE KEY)",
                () -> TlsContexts.server(SERVER_CERT, SERVER_KEY, SERVER_KEY));
    }

    @Test
    void brokenPemIsRefused() {
        Path badBase64 = write(dir.resolve("bad.crt"), "-----BEGIN CERTIFICATE-----\n%%%%\n-----END CERTIFICATE-----\n");
        Path notACertificate = write(dir.resolve("junk.crt"),
                "-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQ=\n-----END CERTIFICATE-----\n");

        String message = refused(() -> TlsContexts.server(badBase64, SERVER_KEY, null));
        assertTrue(message.startsWith("TLS certificate file " + badBase64 + " "), message);
        message = refused(() -> TlsContexts.server(notACertificate, SERVER_KEY, null));
        assertTrue(message.startsWith("TLS certificate file " + notACertificate + " holds a malformed certificate ("),
                message);
    }

    @ParameterizedTest
    @EnumSource(value = KeyForm.class, names = {"TRADITIONAL_ENCRYPTED", "PKCS8_ENCRYPTED"})
    void encryptedKeysAreRefused(KeyForm form) {
        // given an encrypted copy of the server's key
        Path cert = write(dir.resolve("leaf.crt"), pem(AUTHORITY.issue("leaf", RSA)));
        Path key = write(dir.resolve("leaf.key"), pem(RSA.getPrivate(), form));

        // then it is refused, with the way out
        refused("TLS key file " + key + " is encrypted and etcdj cannot ask for its passphrase; decrypt it first"
                        + " (openssl pkey -in " + key + " -out " + key + ".insecure)",
                () -> TlsContexts.server(cert, key, null));
    }

    @Test
    void aKeyOfAnotherCertificateIsRefused() {
        refused("TLS key file " + SERVER2_KEY + " does not match the certificate in " + SERVER_CERT,
                () -> TlsContexts.server(SERVER_CERT, SERVER2_KEY, CA));
        Path ecKey = write(dir.resolve("ec.key"), pem(EC.getPrivate(), KeyForm.TRADITIONAL));
        refused("TLS key file " + ecKey + " does not match the certificate in " + SERVER_CERT,
                () -> TlsContexts.client(SERVER_CERT, ecKey, CA));
    }

    @Test
    void keysOtherThanRsaAndEcAreRefused() throws Exception {
        java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("Ed25519");
        Path key = write(dir.resolve("ed.key"), pem(generator.generateKeyPair().getPrivate(), KeyForm.PKCS8));

        refused("TLS key file " + key + " holds a EdDSA key; etcdj accepts RSA and EC keys",
                () -> TlsContexts.server(SERVER_CERT, key, null));
    }

    @Test
    void expiredAndNotYetValidCertificatesAreRefused() {
        // given certificates that expired yesterday and that start tomorrow
        X509Certificate expired = AUTHORITY.issue("expired", RSA, NOW.minus(Duration.ofDays(30)),
                NOW.minus(Duration.ofDays(1)), List.of("127.0.0.1"));
        X509Certificate early = AUTHORITY.issue("early", RSA, NOW.plus(Duration.ofDays(1)),
                NOW.plus(Duration.ofDays(30)), List.of("127.0.0.1"));
        Path expiredFile = write(dir.resolve("expired.crt"), pem(expired));
        Path earlyFile = write(dir.resolve("early.crt"), pem(early));
        Path key = write(dir.resolve("leaf.key"), pem(RSA.getPrivate(), KeyForm.TRADITIONAL));

        // then each is refused with its dates
        refused("TLS certificate file " + expiredFile + " holds an expired certificate (CN=expired, expired "
                + expired.getNotAfter().toInstant() + ")", () -> TlsContexts.server(expiredFile, key, null));
        refused("TLS certificate file " + earlyFile + " holds a certificate that is not yet valid (CN=early, valid from "
                + early.getNotBefore().toInstant() + ")", () -> TlsContexts.client(earlyFile, key, null));
    }

    @Test
    void anExpiredCaIsRefused() {
        TestAuthority old = TestAuthority.create("old CA", NOW.minus(Duration.ofDays(30)), NOW.minus(Duration.ofDays(1)));
        Path caFile = write(dir.resolve("old-ca.crt"), pem(old.certificate));

        refused("TLS CA file " + caFile + " holds an expired certificate (CN=old CA, expired "
                + old.certificate.getNotAfter().toInstant() + ")", () -> TlsContexts.server(SERVER_CERT, SERVER_KEY, caFile));
    }

    @Test
    void aCertificateWithoutItsKeyIsAProgrammingError() {
        assertThrows(IllegalArgumentException.class, () -> TlsContexts.client(SERVER_CERT, null, CA));
    }

    private interface Load {
        void run() throws Exception;
    }

    private static void refused(String expected, Load load) {
        assertEquals(expected, refused(load));
    }

    private static String refused(Load load) {
        TlsConfigException e = assertThrows(TlsConfigException.class, load::run);
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }
}
