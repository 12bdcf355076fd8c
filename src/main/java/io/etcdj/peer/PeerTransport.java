package io.etcdj.peer;

import io.etcdj.raft.Message;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Carries this machine's Raft messages to the other members: one persistent stream per peer
 * (see {@link StreamUpgrade}), opened on demand, each with a bounded queue. {@link #send} never
 * blocks: it queues, and the peer's event loop writes the whole batch with one flush. Raft
 * tolerates loss, so a full queue or an unreachable peer drops messages and says so through
 * {@link PeerReports}.
 */
public final class PeerTransport implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PeerTransport.class);

    /**
     * Limits and timings.
     *
     * @param queueMessages  messages queued per peer before dropping
     * @param queueBytes     approximate bytes queued per peer before dropping
     * @param connectTimeout time to connect (the TLS handshake and upgrade then get
     *                       {@link OutboundStream#SETUP_LIMIT} more)
     * @param minBackoff     wait before reconnecting after a lost stream, and the first backoff
     * @param maxBackoff     longest wait between attempts to reach an unreachable peer
     * @param ioThreads      event loop threads shared by all streams
     * @param stallTimeout   how long data sent on an open stream may go unacknowledged by the peer's
     *                       TCP before the stream counts as lost (where epoll offers TCP_USER_TIMEOUT)
     */
    public record Options(int queueMessages, long queueBytes, Duration connectTimeout, Duration minBackoff,
                          Duration maxBackoff, int ioThreads, Duration stallTimeout) {
        /** A one-second stall timeout: see {@link #defaults()}. */
        public Options(int queueMessages, long queueBytes, Duration connectTimeout, Duration minBackoff,
                       Duration maxBackoff, int ioThreads) {
            this(queueMessages, queueBytes, connectTimeout, minBackoff, maxBackoff, ioThreads, Duration.ofSeconds(1));
        }

        public Options {
            if (stallTimeout.isNegative() || stallTimeout.isZero()) {
                throw new IllegalArgumentException("stall timeout must be positive");
            }
            if (queueMessages < 1 || queueBytes < 1 || ioThreads < 1) {
                throw new IllegalArgumentException("queue limits and threads must be positive");
            }
            if (minBackoff.isNegative() || minBackoff.isZero() || maxBackoff.compareTo(minBackoff) < 0) {
                throw new IllegalArgumentException("backoff must satisfy 0 < min <= max");
            }
            if (connectTimeout.isNegative() || connectTimeout.isZero()) {
                throw new IllegalArgumentException("connect timeout must be positive");
            }
        }

        /**
         * 4096 messages or 64 MiB per peer, 500 ms to connect, backoff from 50 to 250 ms, one thread,
         * a stream lost after 1 s without acknowledgement.
         *
         * <p>These bound how soon a member is heard again once a partition heals. A stream open when
         * packets start to vanish is not closed by TCP for many minutes, and when they flow again TCP
         * resends only when its doubled and redoubled retransmission timer fires: seconds after the
         * heal. So a stream whose data goes unacknowledged for the stall timeout is dropped, and
         * reconnection is tried again every connect timeout plus backoff, which stays under a second
         * (a SYN into a partition is never answered, so each try lasts the whole connect timeout).
         */
        public static Options defaults() {
            return new Options(4096, 64L << 20, Duration.ofMillis(500), Duration.ofMillis(50), Duration.ofMillis(250), 1,
                    Duration.ofSeconds(1));
        }
    }

    private final String localName;
    private final PeerReports reports;
    private final SslContext sslContext;
    private final Options options;
    private final EventLoopGroup group;
    private final Map<String, OutboundStream> streams = new ConcurrentHashMap<>();
    private final Set<String> unknownReported = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;
    private volatile String localUrl = "";

    /**
     * @param localName  this machine's name, sent when opening streams
     * @param reports    told about unreachable peers and snapshot outcomes, from network threads
     * @param sslContext a client-side TLS context, or {@code null} for plain connections
     */
    public PeerTransport(String localName, PeerReports reports, SslContext sslContext) {
        this(localName, reports, sslContext, Options.defaults());
    }

    public PeerTransport(String localName, PeerReports reports, SslContext sslContext, Options options) {
        this.localName = localName;
        this.reports = reports;
        this.sslContext = sslContext;
        this.options = options;
        this.group = EventLoops.group(options.ioThreads(), "peer-transport");
    }

    /**
     * The peer URL this machine is reached at, sent when opening streams so that a receiver that
     * does not know this machine yet (a new member being brought up to date) can answer it.
     */
    public void advertise(String peerUrl) {
        this.localUrl = peerUrl == null ? "" : peerUrl;
    }

    /**
     * Queues messages for their recipients and has them written, one flush per peer for the
     * batch. Never blocks. A message to a member without a known peer URL is dropped and the
     * member reported unreachable (and a snapshot reported not delivered).
     */
    public void send(List<Message> messages) {
        if (closed || messages.isEmpty()) {
            return;
        }
        List<OutboundStream> touched = new ArrayList<>(4);
        for (Message m : messages) {
            OutboundStream stream = streams.get(m.to());
            if (stream == null) {
                unknownRecipient(m);
                continue;
            }
            stream.enqueue(m);
            if (!touched.contains(stream)) {
                touched.add(stream);
            }
        }
        for (OutboundStream stream : touched) {
            stream.scheduleFlush();
        }
    }

    private void unknownRecipient(Message m) {
        if (unknownReported.add(m.to())) {
            log.warn("no peer URL known for {}; dropping its messages", m.to());
        }
        if (m instanceof Message.InstallSnapshot) {
            reports.snapshotSent(m.to(), false);
        }
        reports.unreachable(m.to());
    }

    /**
     * Sets the peers: name to peer URL. New peers get a stream (opened when there is something
     * to send), peers gone or moved lose theirs. This machine's own name is ignored.
     */
    public synchronized void updatePeers(Map<String, String> nameToPeerUrl) {
        if (closed) {
            return;
        }
        for (Map.Entry<String, String> e : nameToPeerUrl.entrySet()) {
            String name = e.getKey();
            if (name.equals(localName)) {
                continue;
            }
            PeerAddress address;
            try {
                address = PeerAddress.parse(e.getValue());
            } catch (IllegalArgumentException bad) {
                log.warn("ignoring peer {}: {}", name, bad.getMessage());
                continue;
            }
            OutboundStream current = streams.get(name);
            if (current != null && current.address().equals(address)) {
                continue;
            }
            streams.put(name, new OutboundStream(localName, localUrl, name, address, group.next(), sslContext, options, reports));
            unknownReported.remove(name);
            if (current != null) {
                log.info("peer {} moved to {}", name, address);
                current.close();
            }
        }
        streams.entrySet().removeIf(e -> {
            boolean gone = !nameToPeerUrl.containsKey(e.getKey());
            if (gone) {
                log.info("peer {} removed", e.getKey());
                e.getValue().close();
            }
            return gone;
        });
    }

    /**
     * Opens the stream to a peer set by {@link #updatePeers} now, before there is anything to send:
     * for a machine whose join the leader proposed, so that the append sent when the change is
     * applied finds the connection and upgrade done. A peer that cannot be reached is reported
     * as usual and tried again only once there is something to send. Unknown names are ignored.
     */
    public void openAhead(String name) {
        OutboundStream stream = streams.get(name);
        if (stream != null && !closed) {
            stream.openAhead();
        }
    }

    /** Whether a stream to the peer is open now (connected and upgraded). */
    boolean isOpen(String name) {
        OutboundStream stream = streams.get(name);
        return stream != null && stream.isOpen();
    }

    /** Closes every stream and releases the threads; later sends are ignored. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        streams.values().forEach(OutboundStream::close);
        streams.clear();
        EventLoops.shutDown(group);
    }
}
