package io.etcdj.raft;

import io.etcdj.raft.Message.AppendRequest;
import io.etcdj.raft.Message.AppendResponse;
import io.etcdj.raft.Message.Heartbeat;
import io.etcdj.raft.Message.HeartbeatResponse;
import io.etcdj.raft.Message.InstallSnapshot;
import io.etcdj.raft.Message.TimeoutNow;
import io.etcdj.raft.Message.VoteRequest;
import io.etcdj.raft.Message.VoteResponse;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Someone on the peer network who sends members messages no honest member would. Two kinds:
 * <ul>
 *   <li>an {@link Kind#OUTSIDER}: a stranger, the recipient itself, a message for someone else,
 *       or a member's name on a message that is impossible in the recipient's state (a
 *       commit index beyond its log, a second leader in its term, an acknowledgement of
 *       entries the leader does not have, absurd terms and indexes...). Every such lie must be
 *       dropped and change nothing, so the cluster keeps every safety property;</li>
 *   <li>an {@link Kind#INSIDER}: also forges plausible messages in members' names. Raft assumes
 *       members do not lie, so safety may be lost; the core must still never throw nor break
 *       its own invariants.</li>
 * </ul>
 */
final class Liar {
    enum Kind { OUTSIDER, INSIDER }

    /** A lie, and whether the recipient must drop it. */
    record Lie(Message message, boolean mustDrop) {}

    private static final String[] STRANGERS = {"x0", "x1", "intruder", "m"};
    private static final long MAX = MessageShape.MAX;

    private final Random random;
    private final Kind kind;

    Liar(Random random, Kind kind) {
        this.random = random;
        this.kind = kind;
    }

    /**
     * A lie for {@code to}. An outsider's stranger lies go only to members: a machine that is
     * not a member yet hears anyone, as it must while joining.
     */
    Lie lie(RaftNode to) {
        boolean member = to.membership().contains(to.name());
        if (kind == Kind.INSIDER && random.nextInt(3) == 0) {
            return new Lie(plausible(to), false);
        }
        return switch (random.nextInt(member ? 4 : 3)) {
            case 0 -> new Lie(any(to.name(), to.name(), to), true);
            case 1 -> new Lie(any(aMember(to), "elsewhere", to), true);
            case 2 -> new Lie(impossible(to), true);
            default -> new Lie(any(STRANGERS[random.nextInt(STRANGERS.length)], to.name(), to), true);
        };
    }

    private String aMember(RaftNode to) {
        List<String> others = new ArrayList<>(to.membership().members());
        others.remove(to.name());
        return others.isEmpty() ? "m0" : others.get(random.nextInt(others.size()));
    }

    // ---- any message: random kind, values near the recipient's or absurd

    private Message any(String from, String to, RaftNode node) {
        long t = term(node);
        return switch (random.nextInt(8)) {
            case 0 -> new VoteRequest(from, to, t, random.nextBoolean(), index(node), Math.min(t, term(node)),
                    random.nextBoolean());
            case 1 -> new VoteResponse(from, to, t, random.nextBoolean(), random.nextBoolean());
            case 2 -> append(from, to, t, node);
            case 3 -> new AppendResponse(from, to, t, random.nextBoolean(), index(node), index(node), term(node),
                    random.nextInt(4) == 0);
            case 4 -> new Heartbeat(from, to, t, index(node), random.nextInt(3));
            case 5 -> new HeartbeatResponse(from, to, t, random.nextInt(3));
            case 6 -> new InstallSnapshot(from, to, t, snapshot(node, t));
            default -> new TimeoutNow(from, to, t);
        };
    }

    private long term(RaftNode node) {
        return switch (random.nextInt(6)) {
            case 0 -> random.nextInt(3);
            case 1 -> MAX + random.nextInt(1000);
            case 2 -> Long.MAX_VALUE;
            case 3 -> -1 - random.nextInt(5);
            default -> Math.max(0, node.term() - 1 + random.nextInt(4));
        };
    }

    private long index(RaftNode node) {
        return switch (random.nextInt(6)) {
            case 0 -> 0;
            case 1 -> Long.MAX_VALUE;
            case 2 -> -1;
            case 3 -> node.lastIndex() + 1 + random.nextInt(1000);
            default -> Math.max(0, node.commitIndex() - 2 + random.nextInt(5));
        };
    }

    private AppendRequest append(String from, String to, long term, RaftNode node) {
        long prev = Math.max(0, node.commitIndex() - 1 + random.nextInt(3));
        long prevTerm = prev == 0 ? 0 : Math.max(1, node.termAt(prev));
        long entryTerm = Math.max(1, Math.min(Math.max(term, 1), Math.max(prevTerm, 1)));
        List<Entry> entries = new ArrayList<>();
        int n = random.nextInt(4);
        long index = prev + 1 + (random.nextInt(5) == 0 ? random.nextInt(3) - 1 : 0);
        for (int i = 0; i < n; i++) {
            entries.add(entry(Math.max(1, index + i), entryTerm));
        }
        return new AppendRequest(from, to, term, prev, prevTerm, entries, index(node));
    }

    private Entry entry(long index, long term) {
        if (random.nextInt(4) == 0) {
            byte[] garbage = new byte[random.nextInt(12)];
            random.nextBytes(garbage);
            return new Entry(index, term, EntryType.CONF_CHANGE, random.nextBoolean() ? garbage
                    : ConfChange.add("m" + (200 + random.nextInt(3)), null).toBytes());
        }
        // The simulation's state machine reads an 8-byte command id; forged ones are negative.
        return new Entry(index, term, EntryType.NORMAL, ByteBuffer.allocate(8).putLong(-1 - random.nextInt(1 << 20)).array());
    }

    private Snapshot snapshot(RaftNode node, long messageTerm) {
        long index = switch (random.nextInt(4)) {
            case 0 -> Long.MAX_VALUE;
            case 1 -> Math.max(1, node.commitIndex());
            default -> node.lastIndex() + 1 + random.nextInt(50);
        };
        long term = Math.max(1, random.nextBoolean() ? messageTerm : node.term());
        Membership members = random.nextInt(3) == 0 ? Membership.EMPTY : node.membership();
        return new Snapshot(new SnapshotMetadata(index, term, members), emptyStateMachine());
    }

    /** What the simulation's state machine reads: no command applied. */
    private static byte[] emptyStateMachine() {
        return new byte[8];
    }

    // ---- a member's name on what no member could send to this recipient now

    private Message impossible(RaftNode node) {
        String self = node.name();
        String from = aMember(node);
        long t = node.term();
        return switch (random.nextInt(9)) {
            case 0 -> new Heartbeat(from, self, t + random.nextInt(3), node.lastIndex() + 1 + random.nextInt(1 << 20), 0);
            case 1 -> new AppendRequest(from, self, t + 1, node.lastIndex(), node.termAt(node.lastIndex()),
                    List.of(entry(node.lastIndex() + 2, t + 1)), 0);
            case 2 -> new AppendRequest(from, self, t, 0, 0, List.of(entry(1, t + 1 + random.nextInt(5))), 0);
            case 3 -> new VoteRequest(from, self, t + 1, random.nextBoolean(), node.lastIndex(), t + 2, false);
            case 4 -> new InstallSnapshot(from, self, t + 1, new Snapshot(new SnapshotMetadata(node.lastIndex() + 5,
                    t + 1, Membership.EMPTY), emptyStateMachine()));
            case 5 -> new InstallSnapshot(from, self, t + 1, new Snapshot(new SnapshotMetadata(node.lastIndex() + 5,
                    t + 2, node.membership()), emptyStateMachine()));
            case 6 -> new VoteResponse(from, self, t + 1 + random.nextInt(3), false, true);
            case 7 -> new AppendRequest(from, self, -1 - random.nextInt(3), 0, 0, List.of(), 0);
            default -> sameTermLie(node, from);
        };
    }

    /** In the recipient's own term: a second leader, or an answer the leader never asked for. */
    private Message sameTermLie(RaftNode node, String from) {
        String self = node.name();
        long t = node.term();
        if (node.isLeader()) {
            return switch (random.nextInt(3)) {
                case 0 -> new AppendResponse(from, self, t, true, node.lastIndex() + 1 + random.nextInt(100), 0, 0);
                case 1 -> new HeartbeatResponse(from, self, t, 1L << 40);
                default -> new Heartbeat(from, self, t, 0, 0);
            };
        }
        String leader = node.leader();
        if (leader != null && !leader.equals(from) && !leader.equals(self)) {
            return new AppendRequest(from, self, t, node.commitIndex(), node.termAt(node.commitIndex()), List.of(), 0);
        }
        return new Heartbeat(from, self, t, node.lastIndex() + 1, 0);
    }

    // ---- plausible lies in a member's name (insider only)

    private Message plausible(RaftNode node) {
        String from = aMember(node);
        String self = node.name();
        long t = Math.max(0, node.term() + random.nextInt(3) - 1);
        long last = node.lastIndex();
        return switch (random.nextInt(6)) {
            case 0 -> new VoteRequest(from, self, t, random.nextBoolean(), last + random.nextInt(3), t, false);
            case 1 -> new VoteResponse(from, self, t, random.nextBoolean(), true);
            case 2 -> {
                long prev = Math.max(node.commitIndex(), last - random.nextInt(3));
                long prevTerm = Math.max(0, node.termAt(prev));
                List<Entry> entries = new ArrayList<>();
                for (int i = 1; i <= random.nextInt(4); i++) {
                    entries.add(entry(prev + i, Math.max(prevTerm, Math.max(1, t))));
                }
                yield new AppendRequest(from, self, Math.max(t, prevTerm), prev, prevTerm, entries,
                        prev + entries.size());
            }
            case 3 -> new AppendResponse(from, self, t, true, Math.min(last, node.commitIndex() + random.nextInt(3)), 0, 0);
            case 4 -> new Heartbeat(from, self, t, Math.min(last, node.commitIndex() + random.nextInt(3)), 0);
            default -> new InstallSnapshot(from, self, Math.max(1, t), new Snapshot(new SnapshotMetadata(
                    last + 1 + random.nextInt(5), Math.max(1, t), node.membership().size() == 0
                            ? Membership.of(self, from) : node.membership()), emptyStateMachine()));
        };
    }
}
