package io.etcdj.tls;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaMiscPEMGenerator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMEncryptorBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemObjectGenerator;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A CA made in the test, with Bouncy Castle, for the inputs the committed fixtures cannot hold:
 * certificates that are expired or not yet valid (made relative to now, so they never change
 * state by themselves), EC keys, other names, and keys written in every PEM form.
 */
final class TestAuthority {
    static final Instant NOW = Instant.now();
    /** Only to write encrypted keys; the code under test needs no provider of its own. */
    private static final Provider BC = new BouncyCastleProvider();
    private static final AtomicLong SERIALS = new AtomicLong(100);

    final KeyPair keys;
    final X509Certificate certificate;

    private TestAuthority(KeyPair keys, X509Certificate certificate) {
        this.keys = keys;
        this.certificate = certificate;
    }

    static TestAuthority create(String commonName) {
        return create(commonName, NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(365)));
    }

    static TestAuthority create(String commonName, Instant notBefore, Instant notAfter) {
        KeyPair keys = rsaKeys();
        X500Name name = new X500Name("CN=" + commonName);
        try {
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serial(),
                    Date.from(notBefore), Date.from(notAfter), name, keys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            return new TestAuthority(keys, sign(builder, keys.getPrivate()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A leaf for 127.0.0.1 and localhost, valid from a day ago for a year. */
    X509Certificate issue(String commonName, KeyPair subject) {
        return issue(commonName, subject, NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(365)),
                List.of("127.0.0.1", "localhost"));
    }

    /** A leaf with the given validity and names (IP addresses or DNS names). */
    X509Certificate issue(String commonName, KeyPair subject, Instant notBefore, Instant notAfter, List<String> names) {
        try {
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(certificate, serial(),
                    Date.from(notBefore), Date.from(notAfter), new X500Name("CN=" + commonName), subject.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.extendedKeyUsage, false,
                    new ExtendedKeyUsage(new KeyPurposeId[]{KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
            GeneralName[] alternatives = names.stream()
                    .map(n -> new GeneralName(Character.isDigit(n.charAt(0)) ? GeneralName.iPAddress : GeneralName.dNSName, n))
                    .toArray(GeneralName[]::new);
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(alternatives));
            return sign(builder, keys.getPrivate());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static KeyPair rsaKeys() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static KeyPair ecKeys() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The PEM forms a key file may take. */
    enum KeyForm {
        /** {@code RSA PRIVATE KEY} (PKCS#1) or {@code EC PRIVATE KEY} (SEC 1), as openssl wrote them for years. */
        TRADITIONAL,
        /** {@code PRIVATE KEY} (PKCS#8). */
        PKCS8,
        /** {@code RSA PRIVATE KEY} with {@code Proc-Type: 4,ENCRYPTED} headers. */
        TRADITIONAL_ENCRYPTED,
        /** {@code ENCRYPTED PRIVATE KEY} (PKCS#8, PBES2). */
        PKCS8_ENCRYPTED
    }

    static String pem(PrivateKey key, KeyForm form) {
        char[] password = "asdf".toCharArray();
        try {
            Object generator = switch (form) {
                case TRADITIONAL -> key.getAlgorithm().equals("EC") ? sec1(key) : new JcaMiscPEMGenerator(key);
                case PKCS8 -> new JcaPKCS8Generator(key, null);
                case TRADITIONAL_ENCRYPTED -> new JcaMiscPEMGenerator(key,
                        new JcePEMEncryptorBuilder("AES-128-CBC").setProvider(BC).build(password));
                case PKCS8_ENCRYPTED -> new JcaPKCS8Generator(key,
                        new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC).setProvider(BC)
                                .setPassword(password).build());
            };
            return pem(generator);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * An {@code EC PRIVATE KEY} block naming its curve, as openssl writes it. The JDK's encoding
     * keeps the curve only in the PKCS#8 wrapper, so it is moved inside here.
     */
    private static PemObject sec1(PrivateKey key) throws IOException {
        PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getEncoded());
        org.bouncycastle.asn1.sec.ECPrivateKey inner = org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(info.parsePrivateKey());
        org.bouncycastle.asn1.sec.ECPrivateKey named = new org.bouncycastle.asn1.sec.ECPrivateKey(256, inner.getKey(),
                info.getPrivateKeyAlgorithm().getParameters());
        return new PemObject("EC PRIVATE KEY", named.getEncoded());
    }

    static String pem(X509Certificate... certificates) {
        StringBuilder text = new StringBuilder();
        for (X509Certificate certificate : certificates) {
            text.append(pem((Object) certificate));
        }
        return text.toString();
    }

    /** An {@code EC PARAMETERS} block, as {@code openssl ecparam -genkey} writes before the key. */
    static String ecParameters() {
        try {
            return pem(new PemObject("EC PARAMETERS", new ASN1ObjectIdentifier("1.2.840.10045.3.1.7").getEncoded()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path write(Path file, String... parts) {
        try {
            Files.writeString(file, String.join("", parts), StandardCharsets.US_ASCII);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String pem(Object object) {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            if (object instanceof PemObjectGenerator generator) {
                writer.writeObject(generator);
            } else {
                writer.writeObject(object);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    private static X509Certificate sign(JcaX509v3CertificateBuilder builder, PrivateKey issuerKey) {
        try {
            String algorithm = issuerKey.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
            return new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder(algorithm).build(issuerKey)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static BigInteger serial() {
        return BigInteger.valueOf(SERIALS.incrementAndGet());
    }
}
