package io.etcdj.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Faults for a {@link NetCluster}, chosen by a seeded random: the same seed gives the same faults
 * on the same members (the leader, where a fault aims at it, is whichever machine leads then).
 * Each fault is started, held for a while by the caller, and undone with {@link Fault#heal}.
 */
final class Nemesis {
    enum Kind {
        /** A minority (one of three, two of five) cut from the rest. */
        MAJORITY_MINORITY,
        /** The leader cut from everyone. */
        ISOLATE_LEADER,
        /** Two halves that cannot talk, and one member that talks to both. */
        BRIDGE,
        /** The leader hears nobody, but everyone still hears it (or the reverse). */
        ONE_WAY,
        /** SIGKILL of a member (often the leader), restarted on the same data at the heal. */
        KILL,
        /** SIGSTOP of a member (often the leader), SIGCONT at the heal. */
        PAUSE
    }

    /** A fault in place: what it did, and the members cut off by it, who must answer again after the heal. */
    record Fault(Kind kind, String description, List<Integer> majority, List<Integer> cutOff, Runnable undo) {
        void heal() {
            undo.run();
        }
    }

    private final NetCluster cluster;
    private final Random random;
    private final Consumer<String> log;

    Nemesis(NetCluster cluster, Random random, Consumer<String> log) {
        this.cluster = cluster;
        this.random = random;
        this.log = log;
    }

    Kind pick() {
        Kind[] kinds = Kind.values();
        return kinds[random.nextInt(kinds.length)];
    }

    Fault start(Kind kind) {
        int n = cluster.size();
        List<Integer> members = shuffled();
        NetNamespaces net = cluster.net();
        Fault fault = switch (kind) {
            case MAJORITY_MINORITY -> {
                List<Integer> minority = members.subList(0, (n - 1) / 2);
                List<Integer> majority = members.subList((n - 1) / 2, n);
                cutBetween(minority, majority);
                yield new Fault(kind, "cut " + names(minority) + " | " + names(majority), majority, minority, net::heal);
            }
            case ISOLATE_LEADER -> {
                int leader = leaderOr(members.get(0));
                List<Integer> rest = without(leader);
                cutBetween(List.of(leader), rest);
                yield new Fault(kind, "isolate leader m" + leader, rest, List.of(leader), net::heal);
            }
            case BRIDGE -> {
                int bridge = members.get(0);
                List<Integer> others = members.subList(1, n);
                List<Integer> left = others.subList(0, others.size() / 2);
                List<Integer> right = others.subList(others.size() / 2, others.size());
                cutBetween(left, right);
                yield new Fault(kind, "bridge: " + names(left) + " | " + names(right) + " both see m" + bridge,
                        all(), List.of(), net::heal);
            }
            case ONE_WAY -> {
                int leader = leaderOr(members.get(0));
                boolean deaf = random.nextBoolean();
                for (int other : without(leader)) {
                    if (deaf) {
                        net.dropFrom(leader, other);
                    } else {
                        net.dropFrom(other, leader);
                    }
                }
                yield new Fault(kind, deaf ? "leader m" + leader + " hears nobody (others hear it)"
                        : "nobody hears leader m" + leader + " (it hears them)", without(leader), List.of(leader), net::heal);
            }
            case KILL -> {
                int victim = random.nextBoolean() ? leaderOr(members.get(0)) : members.get(0);
                cluster.machine(victim).kill();
                yield new Fault(kind, "kill m" + victim, without(victim), List.of(victim),
                        () -> cluster.machine(victim).restart());
            }
            case PAUSE -> {
                int victim = random.nextBoolean() ? leaderOr(members.get(0)) : members.get(0);
                cluster.machine(victim).signal("STOP");
                yield new Fault(kind, "pause m" + victim, without(victim), List.of(victim),
                        () -> cluster.machine(victim).signal("CONT"));
            }
        };
        log.accept("nemesis: " + fault.description());
        return fault;
    }

    private void cutBetween(List<Integer> a, List<Integer> b) {
        for (int x : a) {
            for (int y : b) {
                cluster.net().cut(x, y);
            }
        }
    }

    private int leaderOr(int fallback) {
        for (int i : shuffled()) {
            OptionalInt seen = cluster.leaderSeenBy(i, Duration.ofMillis(500));
            if (seen.isPresent()) {
                return seen.getAsInt();
            }
        }
        return fallback;
    }

    private List<Integer> shuffled() {
        List<Integer> members = all();
        Collections.shuffle(members, random);
        return members;
    }

    private List<Integer> all() {
        return new ArrayList<>(cluster.all());
    }

    private List<Integer> without(int member) {
        List<Integer> rest = all();
        rest.remove(Integer.valueOf(member));
        return rest;
    }

    private static String names(List<Integer> members) {
        return members.stream().map(i -> "m" + i).toList().toString();
    }
}
