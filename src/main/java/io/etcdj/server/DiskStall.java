package io.etcdj.server;

import io.etcdj.store.EtcdException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Whether the node loop is stalled on its disk: the log could not be written (full, or an I/O
 * error), so the loop holds the Ready it could not persist and tries it again, first after
 * {@code firstRetryNanos}, then twice as long each time up to {@link #MAX_RETRY_NANOS}. It logs
 * one line when the stall starts and one when it ends, never one per retry.
 *
 * <p>The cause, published for other threads, is also what refused clients are told. Node loop
 * only, except {@link #stalled()} and {@link #refusal}.
 */
final class DiskStall {
    private static final Logger LOG = LoggerFactory.getLogger(DiskStall.class);
    static final long MAX_RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final long firstRetryNanos;
    /** Why writes are refused, or null while the disk works. */
    private volatile String cause;
    private long since;
    private long retryAfter;
    private long nextRetry;
    private int retries;
    private long droppedMessages;

    DiskStall(long firstRetryNanos) {
        this.firstRetryNanos = Math.max(1, Math.min(firstRetryNanos, MAX_RETRY_NANOS));
    }

    boolean stalled() {
        return cause != null;
    }

    /**
     * A write failed at {@code now}; schedules the next try.
     *
     * @return true when this starts a stall (the caller then stops promising durability)
     */
    boolean failed(IOException e, long now) {
        if (cause != null) {
            retries++;
            retryAfter = Math.min(retryAfter * 2, MAX_RETRY_NANOS);
            nextRetry = now + retryAfter;
            return false;
        }
        cause = describe(e);
        since = now;
        retries = 0;
        droppedMessages = 0;
        retryAfter = firstRetryNanos;
        nextRetry = now + retryAfter;
        LOG.warn("disk stalled: {}; serving reads and watches only, retrying the write up to every {} ms",
                cause, TimeUnit.NANOSECONDS.toMillis(MAX_RETRY_NANOS));
        return true;
    }

    /** Why writes are refused, or null while the disk works. */
    String cause() {
        return cause;
    }

    /** Whether the held write should be tried again at {@code now}. */
    boolean retryDue(long now) {
        return cause != null && now - nextRetry >= 0;
    }

    /** A retry succeeded: writes are taken again. */
    void recovered(long now) {
        if (cause == null) {
            return;
        }
        LOG.info("disk recovered after {} ms and {} retries ({} peer messages dropped meanwhile): taking writes again",
                TimeUnit.NANOSECONDS.toMillis(now - since), retries, droppedMessages);
        cause = null;
    }

    /** Counts a peer message dropped because of the stall. */
    void droppedMessage() {
        droppedMessages++;
    }

    /** The error 300 a client request is refused with while stalled. */
    EtcdException refusal(long storeIndex) {
        String why = cause;
        return new EtcdException(EtcdException.RAFT_INTERNAL, why == null ? "the disk of this machine failed" : why,
                storeIndex);
    }

    /** One line for operators and clients: what failed, and when writes come back. */
    static String describe(IOException e) {
        String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        String lower = reason.toLowerCase(Locale.ROOT);
        if (lower.contains("no space left") || lower.contains("quota")) {
            return "the disk of this machine is full (" + reason + "): writes are refused until it has space again";
        }
        return "the disk of this machine cannot be written (" + reason
                + "): writes are refused until it can be written again";
    }
}
