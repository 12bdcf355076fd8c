package io.etcdj.raft;

import io.etcdj.fs.PowerCutFileSystem.PowerCut;
import io.etcdj.raft.Message.InstallSnapshot;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * A whole cluster in one thread and virtual time, driven by one seed: members tick, a
 * {@link SimNetwork} loses, duplicates, delays and reorders their messages, partitions come and
 * go, members crash and restart from their {@link Disk}, clients propose and read, logs get
 * compacted and membership changes. {@link SafetyChecker} runs on every Ready; at the end the
 * network heals, a new command must commit on every member, and every member must hold every
 * command any member applied (no acknowledged write lost).
 *
 * <p>Each Ready is carried out in the server's order ({@code NodeLoop.processReadies}): a
 * leader's appends and heartbeats are sent before the Ready is persisted, everything else after.
 * With power loss on, members persist through the real log and snapshot files over a
 * {@link io.etcdj.fs.PowerCutFileSystem} ({@link FileDisk}), and a crash is a power cut: between
 * Readies, or armed to strike inside a later file operation (after a leader's early send and
 * before its fsync, between a snapshot's rename and its directory sync, during recovery...).
 * A restart reopens what survived, and {@link FileDisk} checks that it is what was persisted.
 */
final class Simulation {
    private static final int TICK = 10; // virtual time units per tick
    /**
     * Membership changes in a power-loss run. Off by default: with the many crashes of that mode,
     * a follower that was behind when it went down can come back with a membership none of whose
     * members is left, refuse the new leader as a stranger (peers that are not members are not
     * heard: docs/raft.md, "Trust model"), and leave the cluster without a quorum until the
     * operator removes and re-adds it (a liveness limit of the membership filter, not of
     * durability; {@code -Draft.power.membership=true -Draft.power.seed=2704} shows it with three
     * members). The same runs with membership changes found a reset that could leave a torn old
     * segment beside the new one, fixed in WriteAheadLog#resetTo: run them now and then.
     */
    private static final boolean POWER_LOSS_MEMBERSHIP = Boolean.getBoolean("raft.power.membership");

    private final long seed;
    private final Random random;
    private final SimNetwork network;
    private final SafetyChecker checker = new SafetyChecker();
    private final Map<String, SimMember> members = new TreeMap<>();
    private final boolean preVote;
    private final int minSize;
    private final int maxSize;
    private final Deque<String> trace;
    private final Map<Long, Long> pendingReads = new HashMap<>();
    private long now;
    private long nextCommand = 1;
    private long nextRequest = 1;
    private int nextMember;
    private long committedCommands;
    private long deliveredCount;
    /** What the run exercised, to show the simulation is not vacuous. */
    final Map<String, Long> stats = new TreeMap<>();
    /** Injects lies on the network, or null. */
    private final Liar liar;
    /** Whether Raft's safety properties must hold: not when members' names are forged plausibly. */
    private final boolean safety;
    /** Members persist to files that lose their unsynced part in a crash. */
    private final boolean powerLoss;
    /** Commands some member applied: committed, and so reported to their clients. */
    private final Set<Long> acknowledged = new HashSet<>();
    /** Set once the liveness phase starts: no more power cuts. */
    private boolean healed;

    Simulation(long seed, int size, boolean tracing) {
        this(seed, size, tracing, null);
    }

    Simulation(long seed, int size, boolean tracing, Liar.Kind liarKind) {
        this(seed, size, tracing, liarKind, false);
    }

    Simulation(long seed, int size, boolean tracing, Liar.Kind liarKind, boolean powerLoss) {
        this.seed = seed;
        this.powerLoss = powerLoss;
        // Nearby seeds start java.util.Random alike (their first booleans agree): spread them, in
        // the power-loss runs, so that their seeds mix pre-vote on and off in every cluster size.
        this.random = new Random(powerLoss ? seed * 0x9E3779B97F4A7C15L : seed);
        this.network = new SimNetwork(random);
        this.preVote = random.nextBoolean();
        this.minSize = Math.max(2, size - 1);
        this.maxSize = size + 1;
        this.trace = tracing ? new ArrayDeque<>() : null;
        this.liar = liarKind == null ? null : new Liar(new Random(random.nextLong()), liarKind);
        this.safety = liarKind != Liar.Kind.INSIDER;
        List<String> names = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            names.add("m" + nextMember++);
        }
        for (String name : names) {
            SimMember m = newMember(name);
            m.node = RaftNode.bootstrapMembers(config(name), names);
            members.put(name, m);
            process(m);
        }
    }

    private SimMember newMember(String name) {
        SimMember m = new SimMember(name);
        if (powerLoss) {
            m.files = new FileDisk(new Random(random.nextLong()));
            m.files.reopen();
        }
        return m;
    }

    private RaftConfig config(String name) {
        return new RaftConfig(name, 10, 2, 4, 64, preVote, true, new Random(random.nextLong()));
    }

    /** Runs the chaotic phase, then checks that the healed cluster makes progress. */
    void run(int steps) {
        for (int step = 0; step < steps; step++) {
            chaos();
            advanceOneTick(0.05);
            if (liar != null) {
                lie();
            }
        }
        if (safety) {
            liveness();
        }
        for (SimMember m : members.values()) {
            if (m.files != null) {
                stats.merge("power cuts", m.files.fs.cuts(), Long::sum);
            }
        }
    }

    long committedCommands() {
        return committedCommands;
    }

    long messagesDelivered() {
        return deliveredCount;
    }

    String trace() {
        return trace == null ? "(run with -Draft.sim.trace=true for a trace)" : String.join("\n", trace);
    }

    private void count(String what) {
        stats.merge(what, 1L, Long::sum);
    }

    private void log(Supplier<String> event) {
        if (trace != null) {
            trace.add(now + " " + event.get());
            if (trace.size() > 3000) {
                trace.removeFirst();
            }
        }
    }

    private void advanceOneTick(double skipTickRate) {
        for (SimMember m : members.values()) {
            if (m.up() && random.nextDouble() >= skipTickRate) {
                m.node.tick();
                process(m);
            }
        }
        long until = now + TICK;
        SimNetwork.InFlight f;
        while ((f = network.poll(until)) != null) {
            now = Math.max(now, f.deliverAt());
            deliver(f.message());
        }
        now = until;
    }

    private void deliver(Message msg) {
        SimMember to = members.get(msg.to());
        boolean delivered = to != null && to.up() && network.canTalk(msg.from(), msg.to());
        if (msg instanceof InstallSnapshot) {
            // A real transport streams snapshots and knows whether they arrived.
            SimMember from = members.get(msg.from());
            if (from.up()) {
                from.node.reportSnapshot(msg.to(), delivered);
                process(from);
            }
        }
        if (!delivered) {
            return;
        }
        log(() -> "deliver " + msg);
        deliveredCount++;
        to.node.step(msg);
        process(to);
    }

    /** Carries out every Ready of a member, as the server loop does, checking as it goes. */
    private void process(SimMember m) {
        try {
            processReadies(m);
        } catch (PowerCut cut) {
            log(() -> "power cut at " + m.name);
            m.crash();
        }
    }

    private void processReadies(SimMember m) {
        while (m.node.hasReady()) {
            long commitBefore = m.disk.hardState.commit();
            Ready rd = m.node.ready();
            if (rd.snapshot() != null) {
                count("snapshots installed");
                if (safety) {
                    checkSnapshot(m, rd.snapshot());
                }
                m.restore(rd.snapshot());
            }
            checkOverwrite(m, rd);
            // As NodeLoop: a leader's appends promise nothing about its own disk, so they go first.
            List<Message> early = new ArrayList<>();
            List<Message> late = new ArrayList<>();
            for (Message msg : rd.messages()) {
                (m.node.isLeader() && (msg instanceof Message.AppendRequest || msg instanceof Message.Heartbeat)
                        ? early : late).add(msg);
            }
            send(m, early);
            if (m.files != null) {
                if (!healed && !early.isEmpty() && !rd.entries().isEmpty() && random.nextDouble() < 0.01) {
                    m.files.fs.armCut(random.nextInt(2));
                    count("power cuts after a leader's early send");
                }
                m.files.persist(rd);
            }
            m.disk.persist(rd);
            for (Entry e : rd.entries()) {
                if (safety) {
                    checker.persisted(m.name, e, m.disk.termAt(e.index() - 1));
                }
            }
            if (safety && rd.hardState() != null && rd.hardState().commit() > commitBefore) {
                checker.commitAdvanced(m.name, m.node, commitBefore, rd.hardState().commit());
            }
            send(m, late);
            if (random.nextDouble() < 0.02) {
                // Inputs may arrive between ready() and advance(); they show in the next Ready.
                interleave(m);
            }
            for (Entry e : rd.committedEntries()) {
                apply(m, e);
            }
            for (ReadState rs : rd.readStates()) {
                count("reads confirmed");
                Long atLeast = pendingReads.remove(rs.requestId());
                if (safety && atLeast != null && rs.index() < atLeast) {
                    throw new AssertionError("linearizability: read " + rs.requestId() + " at " + m.name
                            + " got index " + rs.index() + " but " + atLeast + " was committed before it was issued");
                }
            }
            if (rd.softState() != null) {
                log(() -> m.name + " " + rd.softState() + " term " + m.node.term());
                if (rd.softState().role() == Role.LEADER) {
                    count("leaders elected");
                    if (safety) {
                        checker.leaderComplete(m.name, m.node);
                    }
                }
            }
            if (safety && m.node.isLeader()) {
                checker.leader(m.name, m.node.term());
            }
            m.node.advance(rd);
            checkInvariants(m);
        }
    }

    private void send(SimMember m, List<Message> messages) {
        for (Message msg : messages) {
            if (!network.send(msg, now) && msg instanceof InstallSnapshot) {
                m.node.reportSnapshot(msg.to(), false);
            }
        }
    }

    /** What a member guarantees about itself whatever it is told. */
    private void checkInvariants(SimMember m) {
        RaftNode n = m.node;
        String where = m.name + " (term " + n.term() + ", commit " + n.commitIndex() + ", applied "
                + n.appliedIndex() + ", last " + n.lastIndex() + "): ";
        if (n.term() < m.seen.term() || n.commitIndex() < m.seen.commit() || n.appliedIndex() < m.seenApplied) {
            throw new AssertionError(where + "went back from term " + m.seen.term() + ", commit "
                    + m.seen.commit() + ", applied " + m.seenApplied);
        }
        if (n.commitIndex() > n.lastIndex() || n.appliedIndex() > n.commitIndex()) {
            throw new AssertionError(where + "commit beyond the log or applied beyond commit");
        }
        m.seen = n.hardState();
        m.seenApplied = n.appliedIndex();
    }

    private void lie() {
        List<SimMember> up = up();
        for (int i = random.nextInt(4); i > 0; i--) {
            SimMember m = up.get(random.nextInt(up.size()));
            Liar.Lie lie = liar.lie(m.node);
            HardState hardBefore = m.node.hardState();
            SoftState softBefore = m.node.softState();
            long lastBefore = m.node.lastIndex();
            StepOutcome outcome;
            try {
                outcome = m.node.step(lie.message());
            } catch (RuntimeException e) {
                throw new AssertionError("step threw on " + lie.message() + " to " + m.name, e);
            }
            log(() -> "lie to " + m.name + ": " + lie.message() + " -> " + outcome);
            if (outcome instanceof StepOutcome.Dropped) {
                count("lies dropped");
                if (!m.node.hardState().equals(hardBefore) || !m.node.softState().equals(softBefore)
                        || m.node.lastIndex() != lastBefore) {
                    throw new AssertionError(m.name + " dropped " + lie.message() + " but changed: "
                            + hardBefore + " " + softBefore + " -> " + m.node.hardState() + " " + m.node.softState());
                }
            } else {
                count("lies taken");
                if (lie.mustDrop()) {
                    throw new AssertionError(m.name + " took " + lie.message() + " in state " + hardBefore + " "
                            + softBefore + " last " + lastBefore);
                }
            }
            process(m);
        }
    }

    private void interleave(SimMember m) {
        if (m.node.isLeader() && random.nextBoolean()) {
            long id = nextCommand++;
            log(() -> "propose " + id + " at " + m.name + " before advance");
            m.node.propose(SimMember.command(id));
        } else {
            log(() -> "tick " + m.name + " before advance");
            m.node.tick();
        }
        count("inputs between ready and advance");
    }

    private void apply(SimMember m, Entry e) {
        if (e.index() != m.appliedIndex + 1) {
            throw new AssertionError(m.name + " applied " + e + " after index " + m.appliedIndex);
        }
        if (safety) {
            checker.applied(m.name, e);
        }
        m.appliedIndex = e.index();
        if (e.type() == EntryType.CONF_CHANGE) {
            count("membership changes applied");
        }
        if (e.type() == EntryType.NORMAL && !e.isNoop()) {
            long id = SimMember.commandId(e);
            if (safety) {
                acknowledged.add(id);
            }
            if (!m.commandIds.add(id) && safety) {
                throw new AssertionError("exactly once: " + m.name + " applied command " + id + " twice");
            }
            m.commands.add(new SimMember.Applied(e.index(), e.term(), id));

            committedCommands = Math.max(committedCommands, m.commands.size());
        }
    }

    /** A snapshot from a leader must agree with everything committed so far. */
    private void checkSnapshot(SimMember m, Snapshot s) {
        SimMember probe = new SimMember("snapshot");
        probe.restore(s);
        for (SimMember.Applied a : probe.commands) {
            Entry committed = checker.committed(a.index());
            if (committed != null && (committed.term() != a.term() || SimMember.commandId(committed) != a.command())) {
                throw new AssertionError(m.name + " received a snapshot with command " + a + " where "
                        + committed + " was applied");
            }
        }
    }

    /** Entries a Ready rewrites must not include any the member already knew committed. */
    private void checkOverwrite(SimMember m, Ready rd) {
        if (rd.entries().isEmpty() || rd.snapshot() != null) {
            return;
        }
        long commit = m.disk.hardState.commit();
        for (Entry e : rd.entries()) {
            if (e.index() > commit || e.index() > m.disk.lastIndex()) {
                break;
            }
            Entry old = m.disk.entry(e.index());
            if (old != null && !old.equals(e)) {
                throw new AssertionError(m.name + " overwrote committed " + old + " with " + e);
            }
        }
    }

    // ---- chaos ----

    private void chaos() {
        if (up().isEmpty()) {
            restart(); // power cuts can take every member down at once
            return;
        }
        if (powerLoss && random.nextDouble() < 0.02) {
            crash();
        }
        double r = random.nextDouble();
        if (r < 0.30) {
            propose();
        } else if (r < 0.35) {
            read();
        } else if (r < 0.36) {
            crash();
        } else if (r < 0.39) {
            restart();
        } else if (r < 0.40) {
            partition();
        } else if (r < 0.42) {
            network.heal();
            log(() -> "heal");
        } else if (r < 0.43) {
            network.dropRate = new double[] {0, 0.02, 0.1, 0.3}[random.nextInt(4)];
            network.duplicateRate = new double[] {0, 0.05, 0.2}[random.nextInt(3)];
            log(() -> "network drop=" + network.dropRate + " dup=" + network.duplicateRate);
        } else if (r < 0.45) {
            compact();
        } else if (r < 0.46 && preVote && (!powerLoss || POWER_LOSS_MEMBERSHIP)) {
            // Without pre-vote, a member that missed a membership change keeps raising its term
            // in elections it cannot win, unseen by members it does not know of, and can starve
            // the others' elections for good (the disruption of §4.2.3 of the thesis).
            changeMembership();
        }
    }

    private List<SimMember> up() {
        List<SimMember> out = new ArrayList<>();
        for (SimMember m : members.values()) {
            if (m.up()) {
                out.add(m);
            }
        }
        return out;
    }

    private SimMember leader() {
        SimMember best = null;
        for (SimMember m : up()) {
            if (m.node.isLeader() && (best == null || m.node.term() > best.node.term())) {
                best = m;
            }
        }
        return best;
    }

    private void propose() {
        List<SimMember> up = up();
        SimMember m = up.get(random.nextInt(up.size()));
        long id = nextCommand++;
        ProposalOutcome out = m.node.propose(SimMember.command(id));
        if (out instanceof ProposalOutcome.NotLeader nl && nl.leader() != null) {
            SimMember leader = members.get(nl.leader());
            if (leader != null && leader.up()) {
                m = leader; // the client follows the redirect
                out = m.node.propose(SimMember.command(id));
            }
        }
        SimMember at = m;
        ProposalOutcome outcome = out;
        log(() -> "propose " + id + " at " + at.name + ": " + outcome);
        process(m);
    }

    private void read() {
        SimMember leader = leader();
        if (leader == null) {
            return;
        }
        long request = nextRequest++;
        pendingReads.put(request, checker.maxCommitted());
        leader.node.readIndex(request);
        process(leader);
    }

    private void crash() {
        List<SimMember> up = up();
        if (up.size() <= 1) {
            return;
        }
        SimMember m = up.get(random.nextInt(up.size()));
        count("crashes");
        if (m.files != null && random.nextBoolean()) {
            // The power goes during one of its next file operations, wherever that falls.
            int after = random.nextInt(12);
            log(() -> "power cut armed at " + m.name + " after " + after + " file operations");
            m.files.fs.armCut(after);
            return;
        }
        log(() -> "crash " + m.name);
        if (m.files != null) {
            m.files.fs.powerCut();
        }
        m.crash();
    }

    private void restart() {
        List<SimMember> down = new ArrayList<>();
        for (SimMember m : members.values()) {
            if (!m.up()) {
                down.add(m);
            }
        }
        if (!down.isEmpty()) {
            restart(down.get(random.nextInt(down.size())));
        }
    }

    private void restart(SimMember m) {
        log(() -> "restart " + m.name);
        RestoredState state = m.disk.restoredState();
        if (m.files != null) {
            if (!healed && random.nextDouble() < 0.1) {
                m.files.fs.armCut(random.nextInt(4)); // while the restart repairs its files
            }
            try {
                state = m.files.reopen();
            } catch (PowerCut cut) {
                log(() -> "power cut while " + m.name + " restarts");
                count("power cuts during recovery");
                return;
            }
            m.files.fs.disarm();
            m.disk.replaceWith(state);
        }
        m.node = RaftNode.create(config(m.name), state);
        m.seen = HardState.EMPTY;
        m.seenApplied = 0;
        if (m.disk.snapshot != null) {
            m.restore(m.disk.snapshot);
        }
        process(m);
    }

    private void partition() {
        Set<String> all = new HashSet<>(members.keySet());
        Set<String> side = new HashSet<>();
        for (String name : all) {
            if (random.nextBoolean()) {
                side.add(name);
            }
        }
        network.partition(side, all);
        log(() -> "partition " + side);
    }

    private void compact() {
        List<SimMember> up = up();
        SimMember m = up.get(random.nextInt(up.size()));
        long snapIndex = m.disk.snapshot == null ? 0 : m.disk.snapshot.index();
        if (m.node.appliedIndex() - snapIndex < 5) {
            return;
        }
        Snapshot s = new Snapshot(m.node.appliedSnapshotMetadata(), m.snapshotData());
        if (m.files != null) {
            try {
                m.files.compact(s);
            } catch (PowerCut cut) {
                log(() -> "power cut while " + m.name + " saves a snapshot");
                m.crash();
                return;
            }
        }
        m.node.compact(s);
        m.disk.compact(s);
        log(() -> "compact " + m.name + " to " + s.index());
        count("compactions");
    }

    private void changeMembership() {
        SimMember leader = leader();
        if (leader == null) {
            return;
        }
        Membership current = leader.node.membership();
        boolean add = current.size() < maxSize && (current.size() <= minSize || random.nextBoolean());
        if (add) {
            String name = "m" + nextMember++;
            ProposalOutcome out = leader.node.proposeMembershipChange(ConfChange.add(name, name.getBytes()));
            log(() -> "add " + name + ": " + out);
            count("membership changes proposed");
            if (out instanceof ProposalOutcome.Accepted) {
                SimMember m = newMember(name);
                m.node = RaftNode.create(config(name), RestoredState.EMPTY);
                members.put(name, m);
            }
        } else {
            String name = current.members().get(random.nextInt(current.size()));
            ProposalOutcome out = leader.node.proposeMembershipChange(ConfChange.remove(name));
            log(() -> "remove " + name + ": " + out);
            count("membership changes proposed");
        }
        process(leader);
    }

    // ---- liveness ----

    private void liveness() {
        healed = true;
        network.heal();
        network.dropRate = 0;
        network.duplicateRate = 0;
        for (SimMember m : members.values()) {
            if (m.files != null) {
                m.files.fs.disarm();
            }
            while (!m.up()) {
                restart(m);
            }
        }
        log(() -> "liveness phase");
        long finalCommand = 0;
        int proposedAt = 0;
        Set<Long> acknowledgedBefore = Set.of();
        for (int step = 0; step < 400; step++) {
            advanceOneTick(0);
            SimMember leader = leader();
            if (leader == null) {
                continue;
            }
            if (finalCommand == 0 || step - proposedAt > 60) {
                long id = nextCommand++;
                if (leader.node.propose(SimMember.command(id)) instanceof ProposalOutcome.Accepted) {
                    finalCommand = id;
                    proposedAt = step;
                    acknowledgedBefore = new HashSet<>(acknowledged);
                    log(() -> "final proposal " + id + " at " + leader.name);
                }
                process(leader);
            }
            if (finalCommand != 0 && appliedEverywhere(leader, finalCommand)) {
                nothingAcknowledgedLost(leader, acknowledgedBefore);
                return;
            }
        }
        StringBuilder state = new StringBuilder();
        for (SimMember m : members.values()) {
            state.append("\n  ").append(m.name).append(m.up() ? " " + m.node.softState() + " term " + m.node.term()
                    + " commit " + m.node.commitIndex() + " last " + m.node.lastIndex() + " members "
                    + m.node.membership().members() : " down");
        }
        throw new AssertionError("liveness: no command committed on every member after healing" + state);
    }

    /**
     * Every member that applied the final command holds every command any member applied before
     * it was proposed: they are earlier in the log.
     */
    private void nothingAcknowledgedLost(SimMember leader, Set<Long> acknowledged) {
        for (String name : leader.node.membership().members()) {
            SimMember m = members.get(name);
            for (long id : acknowledged) {
                if (!m.commandIds.contains(id)) {
                    throw new AssertionError("acknowledged write lost: command " + id + " was applied, but " + name
                            + " does not hold it");
                }
            }
        }
        stats.merge("acknowledged commands", (long) acknowledged.size(), Long::sum);
    }

    private boolean appliedEverywhere(SimMember leader, long command) {
        for (String name : leader.node.membership().members()) {
            SimMember m = members.get(name);
            if (m == null || !m.up() || !m.commandIds.contains(command)) {
                return false;
            }
        }
        return true;
    }

    long seed() {
        return seed;
    }
}
