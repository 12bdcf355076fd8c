package io.etcdj.server;

import io.etcdj.peer.LogThrottle;
import io.etcdj.raft.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Peer messages the node refused, logged for operators without letting a flood of them flood the
 * log: at most one line per interval, with the count of those held back. Node loop only.
 */
final class DroppedMessages {
    private static final Logger LOG = LoggerFactory.getLogger(DroppedMessages.class);

    private final LogThrottle throttle = new LogThrottle(10_000_000_000L);

    void note(Message m, String why) {
        if (throttle.allow(System.nanoTime())) {
            long held = throttle.suppressed();
            LOG.warn("dropped a {} from {}: {}{}", m.getClass().getSimpleName(), m.from(), why,
                    held == 0 ? "" : " (" + held + " more dropped since the last report)");
        }
    }
}
