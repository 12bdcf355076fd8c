package io.etcdj.tls;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.X509TrustedCertificateBlock;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;
import org.bouncycastle.util.io.pem.PemWriter;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The PEM blocks of one file the operator named, read once. Every problem found in it becomes a
 * {@link TlsConfigException} whose one-line message starts with the file's role and path, e.g.
 * {@code TLS key file /etc/etcd/server.key is encrypted; ...}.
 */
final class PemFile {
    private static final Set<String> CERTIFICATE_TYPES = Set.of("CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE");
    private static final Set<String> KEY_TYPES = Set.of("RSA PRIVATE KEY", "EC PRIVATE KEY", "PRIVATE KEY",
            "ENCRYPTED PRIVATE KEY");
    private static final Set<String> KEY_ALGORITHMS = Set.of("RSA", "EC");

    private final Path path;
    private final String role;
    private final List<PemObject> blocks;

    private PemFile(Path path, String role, List<PemObject> blocks) {
        this.path = path;
        this.role = role;
        this.blocks = blocks;
    }

    /**
     * Reads every PEM block of {@code path}; blocks of types we do not use are kept but ignored.
     *
     * @param role what the file is for, as the operator knows it: {@code certificate file},
     *             {@code key file}, {@code CA file}
     */
    static PemFile read(Path path, String role) throws TlsConfigException {
        String text;
        try {
            text = new String(Files.readAllBytes(path), StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            throw problem(role, path, "cannot be read (no such file)", e);
        } catch (AccessDeniedException e) {
            throw problem(role, path, "cannot be read (permission denied)", e);
        } catch (IOException e) {
            String why = Files.isDirectory(path) ? "it is a directory" : oneLine(e);
            throw problem(role, path, "cannot be read (" + why + ")", e);
        }
        List<PemObject> blocks = new ArrayList<>();
        try (PemReader reader = new PemReader(new StringReader(text))) {
            for (PemObject block = reader.readPemObject(); block != null; block = reader.readPemObject()) {
                blocks.add(block);
            }
        } catch (IOException | RuntimeException e) {
            // Bad base64 surfaces as an unchecked DecoderException.
            throw problem(role, path, "is not valid PEM (" + oneLine(e) + ")", e);
        }
        if (blocks.isEmpty()) {
            throw problem(role, path, "holds no PEM data (expected -----BEGIN ...----- blocks)", null);
        }
        return new PemFile(path, role, List.copyOf(blocks));
    }

    Path path() {
        return path;
    }

    /** The certificates in file order; refuses a file without any. */
    List<X509Certificate> certificates() throws TlsConfigException {
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        List<X509Certificate> certificates = new ArrayList<>();
        for (PemObject block : blocks) {
            if (!CERTIFICATE_TYPES.contains(block.getType())) {
                continue;
            }
            try {
                Object parsed = parse(block);
                X509CertificateHolder holder = parsed instanceof X509TrustedCertificateBlock trusted
                        ? trusted.getCertificateHolder() : (X509CertificateHolder) parsed;
                certificates.add(converter.getCertificate(holder));
            } catch (Exception e) {
                throw problem("holds a malformed certificate (" + oneLine(e) + ")", e);
            }
        }
        if (certificates.isEmpty()) {
            throw problem("holds no certificate" + found(), null);
        }
        return List.copyOf(certificates);
    }

    /** The first private key of the file: RSA or EC, in PKCS#1, SEC 1 or PKCS#8 form, unencrypted. */
    PrivateKey privateKey() throws TlsConfigException {
        PemObject block = blocks.stream().filter(b -> KEY_TYPES.contains(b.getType())).findFirst()
                .orElseThrow(() -> problem("holds no private key" + found(), null));
        Object parsed;
        try {
            parsed = parse(block);
        } catch (Exception e) {
            throw problem("holds a malformed " + block.getType() + " (" + oneLine(e) + ")", e);
        }
        if (parsed instanceof PEMEncryptedKeyPair || parsed instanceof PKCS8EncryptedPrivateKeyInfo) {
            throw problem("is encrypted and etcdj cannot ask for its passphrase; decrypt it first (openssl pkey -in "
                    + path + " -out " + path + ".insecure)", null);
        }
        PrivateKeyInfo info = parsed instanceof PEMKeyPair pair ? pair.getPrivateKeyInfo() : (PrivateKeyInfo) parsed;
        PrivateKey key;
        try {
            key = new JcaPEMKeyConverter().getPrivateKey(info);
        } catch (Exception e) {
            throw problem("holds a private key that cannot be used (" + oneLine(e) + ")", e);
        }
        if (!KEY_ALGORITHMS.contains(key.getAlgorithm())) {
            throw problem("holds a " + key.getAlgorithm() + " key; etcdj accepts RSA and EC keys", null);
        }
        return key;
    }

    /** Refuses the file if any of {@code certificates} is expired or not yet valid at {@code now}. */
    void requireValid(List<X509Certificate> certificates, Instant now) throws TlsConfigException {
        for (X509Certificate certificate : certificates) {
            String subject = certificate.getSubjectX500Principal().getName();
            try {
                certificate.checkValidity(Date.from(now));
            } catch (CertificateExpiredException e) {
                throw problem("holds an expired certificate (" + subject + ", expired "
                        + certificate.getNotAfter().toInstant() + ")", e);
            } catch (CertificateNotYetValidException e) {
                throw problem("holds a certificate that is not yet valid (" + subject + ", valid from "
                        + certificate.getNotBefore().toInstant() + ")", e);
            }
        }
    }

    TlsConfigException problem(String what, Throwable cause) {
        return problem(role, path, what, cause);
    }

    private static TlsConfigException problem(String role, Path path, String what, Throwable cause) {
        return new TlsConfigException("TLS " + role + " " + path + " " + what, cause);
    }

    /** Lets PEMParser do the decoding of the types it knows, one block at a time. */
    private static Object parse(PemObject block) throws IOException {
        StringWriter text = new StringWriter();
        try (PemWriter writer = new PemWriter(text)) {
            writer.writeObject(block);
        }
        try (PEMParser parser = new PEMParser(new StringReader(text.toString()))) {
            Object parsed = parser.readObject();
            if (parsed == null) {
                throw new IOException("empty " + block.getType() + " block");
            }
            return parsed;
        }
    }

    /** For messages: what the file does hold, so a key given as a certificate is easy to spot. */
    private String found() {
        Set<String> types = new LinkedHashSet<>();
        blocks.forEach(b -> types.add(b.getType()));
        return " (it holds " + String.join(", ", types) + ")";
    }

    static String oneLine(Throwable e) {
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            return e.getClass().getSimpleName();
        }
        return message.replaceAll("\\s+", " ").trim();
    }
}
