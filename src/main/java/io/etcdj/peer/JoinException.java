package io.etcdj.peer;

/**
 * Joining a cluster failed. When the cluster refused the machine (e.g. error 103, the cluster is
 * full) the error code and message are the cluster's, and retrying will not help.
 */
public final class JoinException extends Exception {
    private final int errorCode;

    public JoinException(String message, Throwable cause) {
        super(message, cause);
        this.errorCode = 0;
    }

    public JoinException(int errorCode, String message) {
        super(message);
        this.errorCode = errorCode;
    }

    /** The cluster's error code when it refused the join, 0 when it could not be asked. */
    public int errorCode() {
        return errorCode;
    }

    /** Whether the cluster itself said no: asking again is pointless. */
    public boolean refused() {
        return errorCode != 0;
    }
}
