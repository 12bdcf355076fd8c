package io.etcdj.tls;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * A JDK {@link SSLContext} for clients that speak through {@code java.net.http} rather than Netty
 * (etcdctl), built from the same PEM files and with the same checks as {@link TlsContexts}.
 */
public final class JdkClientContext {
    private JdkClientContext() {}

    /**
     * @param certFile the client's certificate, or null to present none (then keyFile is null too)
     * @param caFile   the CA that signed the servers' certificates, or null to trust the JDK's CAs
     */
    public static SSLContext build(Path certFile, Path keyFile, Path caFile) throws TlsConfigException {
        if ((certFile == null) != (keyFile == null)) {
            throw new TlsConfigException("--cert-file and --key-file must both be given (cert " + certFile
                    + ", key " + keyFile + ")", null);
        }
        Instant now = Instant.now();
        try {
            KeyManagerFactory keys = null;
            if (certFile != null) {
                Identity identity = Identity.load(certFile, keyFile, now);
                KeyStore store = emptyStore();
                store.setKeyEntry("client", identity.key(), new char[0],
                        identity.chain().toArray(new X509Certificate[0]));
                keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keys.init(store, new char[0]);
            }
            TrustManagerFactory trust = null;
            if (caFile != null) {
                List<X509Certificate> authorities = TlsContexts.authorities(caFile, now);
                KeyStore store = emptyStore();
                for (int i = 0; i < authorities.size(); i++) {
                    store.setCertificateEntry("ca" + i, authorities.get(i));
                }
                trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trust.init(store);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys == null ? null : keys.getKeyManagers(), trust == null ? null : trust.getTrustManagers(),
                    null);
            return context;
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new TlsConfigException("TLS context cannot be built (" + PemFile.oneLine(e) + ")", e);
        }
    }

    private static KeyStore emptyStore() throws GeneralSecurityException, java.io.IOException {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        return store;
    }
}
