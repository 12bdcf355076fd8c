package io.etcdj.raft;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Members in one process with a FIFO network the test controls (after etcd-io/raft's test
 * network): every Ready is carried out as the server would, messages are queued, and
 * {@link #stabilize()} delivers until nothing moves.
 */
final class LocalCluster {
    static final class Member {
        final String name;
        RaftNode node;
        final Disk disk = new Disk();
        final List<Entry> applied = new ArrayList<>();
        final List<ReadState> readStates = new ArrayList<>();

        Member(String name) {
            this.name = name;
        }
    }

    final Map<String, Member> members = new LinkedHashMap<>();
    final Deque<Message> network = new ArrayDeque<>();
    private final Set<String> isolated = new HashSet<>();
    private Predicate<Message> drop = m -> false;
    private final Random random;
    private RaftConfig template;
    /** When set, every Ready and every delivered or dropped message is written here. */
    List<String> transcript;

    LocalCluster(long seed, String... names) {
        random = new Random(seed);
        template = RaftConfig.defaults("x", random).withTicks(10, 1);
        for (String name : names) {
            Member m = new Member(name);
            m.node = RaftNode.bootstrapMembers(config(name), List.of(names));
            members.put(name, m);
        }
        process();
    }

    LocalCluster withConfig(java.util.function.UnaryOperator<RaftConfig> change) {
        template = change.apply(template);
        for (Member m : members.values()) {
            m.node = RaftNode.create(config(m.name), m.disk.restoredState());
            m.applied.clear();
        }
        process();
        return this;
    }

    RaftConfig config(String name) {
        return new RaftConfig(name, template.electionTicks(), template.heartbeatTicks(),
                template.maxInflightMessages(), template.maxBytesPerMessage(), template.preVote(),
                template.checkQuorum(), random);
    }

    RaftNode node(String name) {
        return members.get(name).node;
    }

    Member member(String name) {
        return members.get(name);
    }

    /** A member that is not yet part of the cluster, started empty (it waits for a leader). */
    Member addEmpty(String name) {
        Member m = new Member(name);
        m.node = RaftNode.create(config(name), RestoredState.EMPTY);
        members.put(name, m);
        return m;
    }

    void restart(String name) {
        Member m = members.get(name);
        m.node = RaftNode.create(config(name), m.disk.restoredState());
        m.applied.clear();
        process();
    }

    void isolate(String name) {
        isolated.add(name);
    }

    void heal() {
        isolated.clear();
        drop = msg -> false;
    }

    void dropIf(Predicate<Message> filter) {
        drop = filter;
    }

    /** Carries out every pending Ready of every member. */
    void process() {
        boolean any = true;
        while (any) {
            any = false;
            for (Member m : members.values()) {
                while (m.node.hasReady()) {
                    any = true;
                    Ready rd = m.node.ready();
                    if (transcript != null) {
                        transcript.add(ScriptFormat.ready(m.name, rd));
                    }
                    m.disk.persist(rd);
                    network.addAll(rd.messages());
                    if (rd.snapshot() != null) {
                        m.applied.clear();
                    }
                    m.applied.addAll(rd.committedEntries());
                    m.readStates.addAll(rd.readStates());
                    m.node.advance(rd);
                }
            }
        }
    }

    /** Delivers queued messages (and their consequences) until the network is quiet. */
    void stabilize() {
        process();
        while (!network.isEmpty()) {
            deliverOne();
            process();
        }
    }

    /** Takes everything queued off the network without delivering it. */
    List<Message> drain() {
        process();
        List<Message> out = new ArrayList<>(network);
        network.clear();
        return out;
    }

    void deliverOne() {
        Message msg = network.poll();
        Member to = members.get(msg.to());
        if (to == null || isolated.contains(msg.from()) || isolated.contains(msg.to()) || drop.test(msg)) {
            if (transcript != null) {
                transcript.add("dropped " + ScriptFormat.message(msg));
            }
            return;
        }
        if (transcript != null) {
            transcript.add(ScriptFormat.message(msg));
        }
        to.node.step(msg);
    }

    void deliver(Message msg) {
        members.get(msg.to()).node.step(msg);
        process();
    }

    void tick(String name, int times) {
        for (int i = 0; i < times; i++) {
            node(name).tick();
        }
        process();
    }

    void tickAll(int times) {
        for (int i = 0; i < times; i++) {
            for (Member m : members.values()) {
                m.node.tick();
            }
            stabilize();
        }
    }

    void elect(String name) {
        node(name).campaign();
        stabilize();
        if (!node(name).isLeader()) {
            throw new AssertionError(name + " did not win the election");
        }
    }

    ProposalOutcome propose(String name, String data) {
        ProposalOutcome out = node(name).propose(data.getBytes(StandardCharsets.UTF_8));
        process();
        return out;
    }

    /** The applied client commands of a member, as strings. */
    List<String> commands(String name) {
        List<String> out = new ArrayList<>();
        for (Entry e : members.get(name).applied) {
            if (e.type() == EntryType.NORMAL && !e.isNoop()) {
                out.add(new String(e.data(), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    /** Messages of a type from the queue, without removing them. */
    <T extends Message> List<T> queued(Class<T> type) {
        List<T> out = new ArrayList<>();
        for (Message m : network) {
            if (type.isInstance(m)) {
                out.add(type.cast(m));
            }
        }
        return out;
    }
}
