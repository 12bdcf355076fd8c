package io.etcdj.it;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaMiscPEMGenerator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMEncryptorBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObjectGenerator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Date;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TLS files that cannot be used stop the server at start: a non-zero exit and exactly one line on
 * stderr that names the file. Keys and certificates the fixtures cannot hold (encrypted keys, an
 * expired certificate) are made here with Bouncy Castle.
 */
@Timeout(120)
class TlsStartupIT {
    private static final Duration LIMIT = Duration.ofSeconds(30);
    private static final Instant NOW = Instant.now();

    private static Path dir;

    @BeforeAll
    static void makeDirectory() throws IOException {
        dir = Files.createTempDirectory("etcdj-it-tls-files-");
    }

    @AfterAll
    static void removeDirectory() throws IOException {
        if (dir == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Test
    void aMissingKeyFile() {
        Path missing = dir.resolve("missing.key");
        refusedAtStart(missing, "", "-cert-file", TlsFixtures.SERVER_CERT.toString(), "-key-file", missing.toString());
    }

    @Test
    void anEncryptedPkcs8Key() throws Exception {
        // given the server's key as openssl 3 writes it with `openssl rsa -aes256 -passout pass:x`
        PrivateKey key = TlsFixtures.privateKey(TlsFixtures.SERVER_KEY);
        Path encrypted = write("encrypted-pkcs8.key", pem(new JcaPKCS8Generator(key,
                new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC).setProvider(new BouncyCastleProvider())
                        .setPassword("x".toCharArray()).build())));
        assertTrue(Files.readString(encrypted).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
        refusedAtStart(encrypted, "encrypted",
                "-cert-file", TlsFixtures.SERVER_CERT.toString(), "-key-file", encrypted.toString());
    }

    @Test
    void anEncryptedTraditionalPeerKey() throws Exception {
        // given the key with Proc-Type: 4,ENCRYPTED headers, as older openssl versions wrote it
        PrivateKey key = TlsFixtures.privateKey(TlsFixtures.SERVER_KEY);
        Path encrypted = write("encrypted-traditional.key", pem(new JcaMiscPEMGenerator(key,
                new JcePEMEncryptorBuilder("AES-256-CBC").setProvider(new BouncyCastleProvider())
                        .build("x".toCharArray()))));
        assertTrue(Files.readString(encrypted).contains("Proc-Type: 4,ENCRYPTED"));
        refusedAtStart(encrypted, "encrypted",
                "-peer-cert-file", TlsFixtures.SERVER_CERT.toString(), "-peer-key-file", encrypted.toString());
    }

    @Test
    void aKeyThatDoesNotMatchTheCertificate() {
        refusedAtStart(TlsFixtures.SERVER2_KEY, "does not match",
                "-cert-file", TlsFixtures.SERVER_CERT.toString(), "-key-file", TlsFixtures.SERVER2_KEY.toString());
    }

    @Test
    void aPeerKeyThatDoesNotMatchThePeerCertificate() {
        refusedAtStart(TlsFixtures.SERVER2_KEY, "does not match",
                "-peer-cert-file", TlsFixtures.SERVER_CERT.toString(),
                "-peer-key-file", TlsFixtures.SERVER2_KEY.toString(), "-peer-ca-file", TlsFixtures.CA.toString());
    }

    @Test
    void aCaFileWithoutACertificate() {
        refusedAtStart(TlsFixtures.SERVER_KEY, "no certificate",
                "-cert-file", TlsFixtures.SERVER_CERT.toString(), "-key-file", TlsFixtures.SERVER_KEY.toString(),
                "-ca-file", TlsFixtures.SERVER_KEY.toString());
    }

    @Test
    void anExpiredCertificate() throws Exception {
        // given a certificate that expired yesterday, from a CA that is still valid
        KeyPair caKeys = rsaKeys();
        X500Name caName = new X500Name("CN=etcdj it expiring CA");
        X509Certificate ca = sign(new JcaX509v3CertificateBuilder(caName, BigInteger.ONE,
                Date.from(NOW.minus(Duration.ofDays(30))), Date.from(NOW.plus(Duration.ofDays(30))), caName,
                caKeys.getPublic()).addExtension(Extension.basicConstraints, true, new BasicConstraints(true)),
                caKeys.getPrivate());
        KeyPair leafKeys = rsaKeys();
        X509Certificate expired = sign(new JcaX509v3CertificateBuilder(ca, BigInteger.TWO,
                Date.from(NOW.minus(Duration.ofDays(10))), Date.from(NOW.minus(Duration.ofDays(1))),
                new X500Name("CN=expired"), leafKeys.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                        new KeyPurposeId[]{KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
                .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(
                        new GeneralName(GeneralName.iPAddress, "127.0.0.1"))),
                caKeys.getPrivate());
        Path certFile = write("expired.crt", pem(expired));
        Path keyFile = write("expired.key", pem(new JcaPKCS8Generator(leafKeys.getPrivate(), null)));
        Path caFile = write("expiring-ca.crt", pem(ca));

        refusedAtStart(certFile, "expired", "-cert-file", certFile.toString(), "-key-file", keyFile.toString());
        refusedAtStart(certFile, "expired", "-peer-cert-file", certFile.toString(),
                "-peer-key-file", keyFile.toString(), "-peer-ca-file", caFile.toString());
    }

    // ---- plumbing ----

    /**
     * Starting with {@code flags} ends by itself, non-zero, with exactly one line on stderr, which
     * names {@code file} and contains {@code says}.
     */
    private static void refusedAtStart(Path file, String says, String... flags) {
        StartAttempt attempt = StartAttempt.run("bad-tls", List.of(flags), LIMIT);
        assertTrue(attempt.exit().isPresent(), "still running at the limit: " + attempt);
        assertNotEquals(0, attempt.exit().getAsInt(), attempt.toString());
        List<String> lines = attempt.errorLines();
        assertEquals(1, lines.size(), attempt.toString());
        String line = lines.get(0);
        assertTrue(line.contains(file.toString()), "the line does not name " + file + ": " + line);
        assertTrue(line.contains(says), "the line does not say \"" + says + "\": " + line);
        System.out.println(String.join(" ", flags).replace(TlsFixtures.DIR + "/", "").replace(dir + "/", "")
                + " -> exit " + attempt.exit().getAsInt() + " after " + attempt.millis() + " ms: " + line);
    }

    private static Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text, StandardCharsets.US_ASCII);
    }

    private static String pem(Object object) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            if (object instanceof PemObjectGenerator generator) {
                writer.writeObject(generator);
            } else {
                writer.writeObject(object);
            }
        }
        return text.toString();
    }

    private static KeyPair rsaKeys() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey issuer) throws Exception {
        return new JcaX509CertificateConverter()
                .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(issuer)));
    }
}
