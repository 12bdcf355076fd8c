package io.etcdj.server;

import io.etcdj.raft.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Peer messages the node refused, logged for operators without letting a flood of them flood the
 * log: the first of a kind is logged at once, then at most one line per interval with the count.
 * Node loop only.
 */
final class DroppedMessages {
    private static final Logger LOG = LoggerFactory.getLogger(DroppedMessages.class);
    private static final long INTERVAL_NANOS = 10_000_000_000L;

    private long total;
    private long sinceLastLine;
    private long lastLine = System.nanoTime() - INTERVAL_NANOS;

    void note(Message m, String why) {
        total++;
        sinceLastLine++;
        long now = System.nanoTime();
        if (now - lastLine >= INTERVAL_NANOS) {
            LOG.warn("dropped a {} from {}: {}{}", m.getClass().getSimpleName(), m.from(), why,
                    sinceLastLine > 1 ? " (" + (sinceLastLine - 1) + " more dropped before it)" : "");
            lastLine = now;
            sinceLastLine = 0;
        }
    }

    /** Messages dropped since start. */
    long total() {
        return total;
    }
}
