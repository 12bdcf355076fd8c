package io.etcdj.tls;

/**
 * A certificate, key or CA file the operator gave cannot be used. The message is one line, ready
 * for stderr, and names the file at fault.
 */
public final class TlsConfigException extends Exception {
    public TlsConfigException(String message) {
        super(message);
    }

    public TlsConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
