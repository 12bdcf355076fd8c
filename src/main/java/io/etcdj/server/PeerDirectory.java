package io.etcdj.server;

import io.etcdj.peer.PeerTransport;
import io.etcdj.raft.Membership;

import java.util.HashMap;
import java.util.Map;

/**
 * Where the other members listen, as the transport must know it: the peer URL each member
 * registered through the log, plus hints from machines that opened a stream to this one before
 * this machine's log names them (a new machine must answer the leader that sends it the log).
 * Node loop only.
 */
final class PeerDirectory {
    private static final int MAX_HINTS = 64;

    private final String self;
    private final Registry registry;
    private final PeerTransport transport;
    private final FollowerStats followerStats;
    private final Map<String, String> hints = new HashMap<>();

    PeerDirectory(String self, Registry registry, PeerTransport transport, FollowerStats followerStats) {
        this.self = self;
        this.registry = registry;
        this.transport = transport;
        this.followerStats = followerStats;
    }

    /**
     * A machine said where it listens. Taken only for names this machine's registry does not know
     * (a leader added after the end of its log, or any machine while it joins), and only a few:
     * what the log says always wins.
     */
    void hint(String name, String peerUrl, Membership membership, boolean leader) {
        if (name.equals(self) || peerUrl.isEmpty() || registry.lookup(name) != null
                || (hints.size() >= MAX_HINTS && !hints.containsKey(name))) {
            return;
        }
        if (!peerUrl.equals(hints.put(name, peerUrl))) {
            update(membership, leader);
            // The machine that opened a stream here sends what must be answered (a joiner's first
            // append, a new leader's heartbeat): the stream back is opened now, beside that work,
            // rather than when the first answer is ready.
            transport.openAhead(name);
        }
    }

    /**
     * The leader proposed the join of {@code name}: its address is hinted and its stream opened
     * now, so that the first append, sent when the change is applied, need not wait for it.
     */
    void joinProposed(String name, String peerUrl, Membership membership) {
        hint(name, peerUrl, membership, true);
        transport.openAhead(name);
    }

    /**
     * A join proposed here will not be answered here: its hint goes, and with it the stream opened
     * for it, unless the log has named the machine meanwhile (then its stream stays, from the log).
     */
    void joinAbandoned(String name, Membership membership, boolean leader) {
        if (registry.lookup(name) == null && !membership.contains(name) && hints.remove(name) != null) {
            update(membership, leader);
        }
    }

    /** Tells the transport the current members' peer URLs (after a membership change or restore). */
    void update(Membership membership, boolean leader) {
        hints.keySet().removeIf(name -> registry.lookup(name) != null);
        Map<String, String> peers = new HashMap<>(hints);
        for (String member : membership.members()) {
            if (!member.equals(self)) {
                Registry.Machine m = registry.lookup(member);
                if (m != null) {
                    peers.put(member, m.peerUrl());
                }
            }
        }
        transport.updatePeers(peers);
        if (leader) {
            followerStats.retain(membership.members().stream().filter(n -> !n.equals(self)).toList());
        }
    }

    /**
     * A Raft request goes to {@code member}: v0.2.0 looked its URL up in its registry then, a store
     * read the first time, which shows in the store statistics.
     */
    void requestSent(String member) {
        registry.lookedUp(member);
    }
}
