package io.etcdj.tls;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * What one side of a connection presents: its certificate chain, leaf first, and the private key
 * of the leaf, checked at load time to belong together and to be valid now.
 */
record Identity(List<X509Certificate> chain, PrivateKey key) {
    private static final byte[] PROBE = "etcdj key pair check".getBytes(StandardCharsets.US_ASCII);

    Identity {
        chain = List.copyOf(chain);
    }

    static Identity load(Path certFile, Path keyFile, Instant now) throws TlsConfigException {
        PemFile certs = PemFile.read(certFile, "certificate file");
        PemFile keys = PemFile.read(keyFile, "key file");
        List<X509Certificate> chain = certs.certificates();
        PrivateKey key = keys.privateKey();
        if (!belongTogether(key, chain.get(0).getPublicKey())) {
            throw keys.problem("does not match the certificate in " + certFile, null);
        }
        certs.requireValid(chain, now);
        return new Identity(chain, key);
    }

    /** A signature made with the private key verifies with the public key: works for RSA and EC alike. */
    static boolean belongTogether(PrivateKey key, PublicKey publicKey) {
        if (!key.getAlgorithm().equals(publicKey.getAlgorithm())) {
            return false;
        }
        String algorithm = key.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(PROBE);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(PROBE);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
