package io.etcdj.tls;

import io.etcdj.config.TlsFiles;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;

import javax.net.ssl.SSLException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * Netty TLS contexts for a member's listeners and for its connections to peers, built from the PEM
 * files the operator named. All files are read and checked here, once, at start: a file that
 * cannot be used is refused with a {@link TlsConfigException} naming it, never at the first
 * handshake.
 *
 * <p>As in the reference: a listener given a CA file requires every client to present a
 * certificate signed by that CA, and without one asks for none. A member dialing its peers
 * presents its own certificate and trusts the CA file when given, else the JVM's default trust
 * store; it checks that the peer's certificate names the host it dialed.
 */
public final class TlsContexts {
    /** Older versions are refused by the JDK anyway; saying so keeps it true on any JDK. */
    static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    /** Forward-secret AEAD suites only; those the running JDK lacks are dropped. */
    static final List<String> CIPHER_SUITES = List.of(
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    private TlsContexts() {
    }

    /**
     * The context of a listener ({@code -cert-file/-key-file/-ca-file} for the client port,
     * the {@code -peer-} ones for the peer port).
     *
     * @return the server context, or {@code null} when the files do not turn TLS on (plain HTTP)
     */
    public static SslContext server(TlsFiles files) throws TlsConfigException {
        if (!files.enabled()) {
            return null;
        }
        return server(path(files.certFile()), path(files.keyFile()), optionalPath(files.caFile()));
    }

    /**
     * The context a member uses to dial its peers, from its peer files.
     *
     * @return the client context, or {@code null} when the files do not turn TLS on (plain HTTP)
     */
    public static SslContext client(TlsFiles files) throws TlsConfigException {
        if (!files.enabled()) {
            return null;
        }
        return client(path(files.certFile()), path(files.keyFile()), optionalPath(files.caFile()));
    }

    /**
     * A server context presenting {@code certFile} (a certificate, optionally followed by its
     * chain) with the key in {@code keyFile}.
     *
     * @param caFile when not null, clients must present a certificate signed by one of its
     *               certificates; when null, no client certificate is asked for
     */
    public static SslContext server(Path certFile, Path keyFile, Path caFile) throws TlsConfigException {
        return server(certFile, keyFile, caFile, Clock.systemUTC().instant());
    }

    /**
     * A client context.
     *
     * @param certFile the certificate presented when the server asks for one, or null for none
     * @param keyFile  its key; null exactly when {@code certFile} is
     * @param caFile   the CAs trusted to sign servers' certificates, or null for the JVM's defaults
     */
    public static SslContext client(Path certFile, Path keyFile, Path caFile) throws TlsConfigException {
        return client(certFile, keyFile, caFile, Clock.systemUTC().instant());
    }

    static SslContext server(Path certFile, Path keyFile, Path caFile, Instant now) throws TlsConfigException {
        Identity identity = Identity.load(certFile, keyFile, now);
        SslContextBuilder builder = SslContextBuilder.forServer(identity.key(), identity.chain());
        if (caFile != null) {
            builder.trustManager(authorities(caFile, now)).clientAuth(ClientAuth.REQUIRE);
        } else {
            builder.clientAuth(ClientAuth.NONE);
        }
        return build(builder, certFile, keyFile);
    }

    static SslContext client(Path certFile, Path keyFile, Path caFile, Instant now) throws TlsConfigException {
        if ((certFile == null) != (keyFile == null)) {
            throw new IllegalArgumentException("certificate and key files go together: cert=" + certFile
                    + " key=" + keyFile);
        }
        // Go's client, which the reference used, checks the host name; Netty's does only when asked.
        SslContextBuilder builder = SslContextBuilder.forClient().endpointIdentificationAlgorithm("HTTPS");
        if (certFile != null) {
            Identity identity = Identity.load(certFile, keyFile, now);
            builder.keyManager(identity.key(), identity.chain());
        }
        if (caFile != null) {
            builder.trustManager(authorities(caFile, now));
        }
        return build(builder, certFile, keyFile);
    }

    /** The certificates of a CA file, all trusted (the reference read only the first one). */
    static List<X509Certificate> authorities(Path caFile, Instant now) throws TlsConfigException {
        PemFile file = PemFile.read(caFile, "CA file");
        List<X509Certificate> authorities = file.certificates();
        file.requireValid(authorities, now);
        return authorities;
    }

    private static SslContext build(SslContextBuilder builder, Path certFile, Path keyFile)
            throws TlsConfigException {
        try {
            return builder.sslProvider(SslProvider.JDK)
                    .protocols(PROTOCOLS)
                    .ciphers(CIPHER_SUITES, SupportedCipherSuiteFilter.INSTANCE)
                    .build();
        } catch (SSLException | RuntimeException e) {
            String files = certFile == null ? "" : " with certificate file " + certFile + " and key file " + keyFile;
            throw new TlsConfigException("TLS context cannot be built" + files + " (" + PemFile.oneLine(e) + ")", e);
        }
    }

    private static Path path(String file) throws TlsConfigException {
        try {
            return Path.of(file);
        } catch (InvalidPathException e) {
            throw new TlsConfigException("TLS file name \"" + file + "\" is not a valid path (" + e.getReason() + ")", e);
        }
    }

    private static Path optionalPath(String file) throws TlsConfigException {
        return file.isEmpty() ? null : path(file);
    }
}
