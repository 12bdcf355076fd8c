package io.etcdj.peer;

/**
 * Lets one log line through per interval and counts the ones held back, for events a peer can
 * repeat as fast as it can send (dropped messages). Used from one thread: not thread-safe.
 */
public final class LogThrottle {
    private final long intervalNanos;
    private long nextNanos;
    private long suppressed;

    public LogThrottle(long intervalNanos) {
        this.intervalNanos = intervalNanos;
    }

    /**
     * Whether to log now; if so, {@link #suppressed()} tells how many were held back before.
     */
    public boolean allow(long nowNanos) {
        if (nextNanos != 0 && nowNanos - nextNanos < 0) {
            suppressed++;
            return false;
        }
        nextNanos = nowNanos + intervalNanos;
        return true;
    }

    /** Events held back since the last one let through; resets the count. */
    public long suppressed() {
        long n = suppressed;
        suppressed = 0;
        return n;
    }
}
