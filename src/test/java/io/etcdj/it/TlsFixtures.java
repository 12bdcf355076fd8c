package io.etcdj.it;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The certificates of {@code fixtures/ca} (see its README) and the JDK TLS contexts a test
 * client builds from them, the way curl uses {@code --cacert}, {@code --cert} and {@code --key}.
 */
final class TlsFixtures {
    static final Path DIR = EtcdProcess.projectDir().resolve("fixtures/ca");
    static final Path CA = DIR.resolve("ca.crt");
    static final Path CHAIN = DIR.resolve("server-chain.pem");
    static final Path SERVER_CERT = DIR.resolve("server.crt");
    static final Path SERVER_KEY = DIR.resolve("server.key.insecure");
    static final Path SERVER2_CERT = DIR.resolve("server2.crt");
    static final Path SERVER2_KEY = DIR.resolve("server2.key.insecure");
    static final Path BROKEN_CA = DIR.resolve("broken/ca.crt");
    static final Path BROKEN_CERT = DIR.resolve("broken/server.crt");
    static final Path BROKEN_KEY = DIR.resolve("broken/server.key.insecure");

    private static final char[] NO_PASSWORD = new char[0];

    private TlsFixtures() {
    }

    /** A client that trusts the certificates in {@code trusted} and presents none. */
    static SSLContext trusting(Path trusted) {
        return context(trusted, null, null);
    }

    /**
     * A context that trusts every certificate in {@code trusted} and, when {@code certFile} is not
     * null, presents it (with its chain) using the key in {@code keyFile}.
     */
    static SSLContext context(Path trusted, Path certFile, Path keyFile) {
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            List<Certificate> authorities = certificates(trusted);
            for (int i = 0; i < authorities.size(); i++) {
                trust.setCertificateEntry("trusted-" + i, authorities.get(i));
            }
            TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trust);

            KeyManagerFactory keyManagers = null;
            if (certFile != null) {
                KeyStore identity = KeyStore.getInstance(KeyStore.getDefaultType());
                identity.load(null, null);
                identity.setKeyEntry("identity", privateKey(keyFile), NO_PASSWORD,
                        certificates(certFile).toArray(Certificate[]::new));
                keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keyManagers.init(identity, NO_PASSWORD);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers == null ? null : keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a TLS context from " + trusted + ", " + certFile + ", "
                    + keyFile + ": " + e, e);
        }
    }

    static List<Certificate> certificates(Path pem) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(pem)) {
            List<Certificate> all = new ArrayList<>(CertificateFactory.getInstance("X.509").generateCertificates(in));
            if (all.isEmpty()) {
                throw new IOException("no certificate in " + pem);
            }
            return all;
        }
    }

    /** An unencrypted key in PKCS#1, SEC 1 or PKCS#8 form. */
    static PrivateKey privateKey(Path pem) throws IOException {
        try (Reader reader = Files.newBufferedReader(pem, StandardCharsets.US_ASCII);
             PEMParser parser = new PEMParser(reader)) {
            Object object = parser.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (object instanceof PEMKeyPair pair) {
                return converter.getPrivateKey(pair.getPrivateKeyInfo());
            }
            if (object instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            throw new IOException("no unencrypted private key in " + pem + " (found " + object + ")");
        }
    }
}
