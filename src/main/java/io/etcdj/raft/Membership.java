package io.etcdj.raft;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * The voting members of the cluster, by name, sorted so that every iteration over them is the
 * same on every member and in every run (the simulation depends on this).
 *
 * @param members sorted, distinct, immutable member names
 */
public record Membership(List<String> members) {
    public static final Membership EMPTY = new Membership(List.of());

    public Membership {
        TreeSet<String> sorted = new TreeSet<>();
        for (String m : members) {
            if (m == null || m.isEmpty()) {
                throw new IllegalArgumentException("member names must be non-empty");
            }
            sorted.add(m);
        }
        members = List.copyOf(sorted);
    }

    public static Membership of(Collection<String> names) {
        return new Membership(new ArrayList<>(names));
    }

    public static Membership of(String... names) {
        return new Membership(List.of(names));
    }

    public boolean contains(String name) {
        return members.contains(name);
    }

    public int size() {
        return members.size();
    }

    /** Votes (or replicas) needed for a decision: a strict majority (§5.2). */
    public int quorum() {
        return members.size() / 2 + 1;
    }

    public Membership with(String name) {
        List<String> copy = new ArrayList<>(members);
        copy.add(name);
        return new Membership(copy);
    }

    public Membership without(String name) {
        List<String> copy = new ArrayList<>(members);
        copy.remove(name);
        return new Membership(copy);
    }
}
