package io.etcdj.config;

/**
 * The CA, certificate and key files of one listener; an empty string means not set. TLS is on
 * when the certificate and the key are both given; the CA file, when given, makes the listener
 * require and verify client certificates.
 */
public record TlsFiles(
        String caFile,
        String certFile,
        String keyFile) {

    public static final TlsFiles NONE = new TlsFiles("", "", "");

    public TlsFiles {
        caFile = caFile == null ? "" : caFile;
        certFile = certFile == null ? "" : certFile;
        keyFile = keyFile == null ? "" : keyFile;
    }

    /** Whether the listener speaks TLS. */
    public boolean enabled() {
        return !certFile.isEmpty() && !keyFile.isEmpty();
    }

    /** Whether peers or clients must present a certificate signed by the CA file. */
    public boolean verifiesClients() {
        return enabled() && !caFile.isEmpty();
    }

    public String scheme() {
        return enabled() ? "https" : "http";
    }

    /** For messages: the files given, or {@code none}. */
    @Override
    public String toString() {
        if (caFile.isEmpty() && certFile.isEmpty() && keyFile.isEmpty()) {
            return "none";
        }
        return "cert=" + certFile + " key=" + keyFile + (caFile.isEmpty() ? "" : " ca=" + caFile);
    }
}
