package io.etcdj.peer;

/**
 * A frame that this machine cannot read: an unknown format version or kind, a truncated or
 * over-long frame, or values the Raft message records refuse. The connection that carried it is
 * closed, since nothing after it can be trusted to be aligned.
 */
public final class WireFormatException extends IllegalArgumentException {
    public WireFormatException(String message) {
        super(message);
    }

    public WireFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
