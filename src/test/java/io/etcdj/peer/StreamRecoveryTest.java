package io.etcdj.peer;

import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollChannelOption;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How soon a stream to a peer recovers once a partition heals. Measured from outside, an isolated
 * leader kept answering error 300 for 3 to 5 s after the heal: its peers' streams to it had stayed
 * open through the cut (TCP does not give up for minutes), and resumed only when TCP's backed-off
 * retransmission timer fired. And once a stream was found lost, reconnecting waited for up to a
 * 1 s connect timeout (a SYN into a partition is never answered) plus up to 2 s of backoff.
 */
class StreamRecoveryTest {

    @Test
    void aStreamWhoseDataGoesUnacknowledgedIsDroppedByTheKernelAfterTheStallTimeout() {
        PeerTransport.Options options = PeerTransport.Options.defaults();

        Map<ChannelOption<?>, Object> epoll = OutboundStream.socketOptions(options, true);

        assertEquals((int) options.stallTimeout().toMillis(), epoll.get(EpollChannelOption.TCP_USER_TIMEOUT));
        assertTrue(options.stallTimeout().compareTo(Duration.ofSeconds(1)) <= 0, options.toString());
        assertEquals((int) options.connectTimeout().toMillis(), epoll.get(ChannelOption.CONNECT_TIMEOUT_MILLIS));
    }

    @Test
    void nioHasNoStallTimeoutToSet() {
        Map<ChannelOption<?>, Object> nio = OutboundStream.socketOptions(PeerTransport.Options.defaults(), false);

        assertFalse(nio.containsKey(EpollChannelOption.TCP_USER_TIMEOUT));
        assertTrue(nio.containsKey(ChannelOption.CONNECT_TIMEOUT_MILLIS));
    }

    @Test
    void aPeerBehindAHealedPartitionIsTriedAgainWithinASecond() {
        // every try into a partition lasts the whole connect timeout, then waits at most the longest backoff
        PeerTransport.Options options = PeerTransport.Options.defaults();

        Duration worstGap = options.connectTimeout().plus(options.maxBackoff());

        assertTrue(worstGap.compareTo(Duration.ofSeconds(1)) < 0, "a healed peer may wait " + worstGap);
    }

    @Test
    void theSixArgumentOptionsKeepAOneSecondStallTimeout() {
        PeerTransport.Options options = new PeerTransport.Options(1, 1, Duration.ofSeconds(1), Duration.ofMillis(1),
                Duration.ofMillis(2), 1);

        assertEquals(Duration.ofSeconds(1), options.stallTimeout());
    }
}
