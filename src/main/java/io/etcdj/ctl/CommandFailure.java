package io.etcdj.ctl;

/**
 * A command cannot go on: printed as {@code Error:  <message>}, then etcdctl exits with the code.
 * Codes are etcdctl's: 1 bad arguments, 2 no connection, 4 a server error, 5 cluster not healthy.
 */
final class CommandFailure extends Exception {
    static final int BAD_ARGS = 1;
    static final int BAD_CONNECTION = 2;
    static final int SERVER_ERROR = 4;
    static final int CLUSTER_NOT_HEALTHY = 5;

    private final int exitCode;

    CommandFailure(int exitCode, String message) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
