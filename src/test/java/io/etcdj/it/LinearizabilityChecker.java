package io.etcdj.it;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Decides whether the history of one register is linearizable: whether every operation can be
 * given a single moment between its invocation and its completion such that, taken in that order,
 * each one agrees with a plain register starting absent.
 *
 * <p>The search is Wing and Gong's, with Lowe's memoisation (as Knossos and Porcupine do it). The
 * history becomes one list of call and return entries in time order. Walking it, a call may be
 * linearized now if the register allows it in the current state: it is then lifted out of the
 * list (with its return), and the walk restarts from the head. Reaching a return entry means its
 * call should have been linearized already: the search backtracks to the last choice. A pair
 * (set of linearized operations, register state) seen before cannot lead anywhere new and is cut.
 *
 * <p>An operation of unknown outcome has a call and no return: the search may linearize it
 * anywhere after its call, or never. The history is linearizable once every operation with a
 * return is linearized.
 */
final class LinearizabilityChecker {

    /** The verdict; {@code explored} counts the distinct configurations the search visited. */
    record Result(Verdict verdict, long explored, String detail) {}

    enum Verdict { LINEARIZABLE, NOT_LINEARIZABLE, GAVE_UP }

    private final long maxExplored;

    /** @param maxExplored configurations after which the search gives up (a guard against blow-up) */
    LinearizabilityChecker(long maxExplored) {
        this.maxExplored = maxExplored;
    }

    LinearizabilityChecker() {
        this(5_000_000);
    }

    private static final class Entry {
        final int id;
        final RegisterOp op;
        final boolean call;
        final long time;
        Entry match;
        Entry prev;
        Entry next;

        Entry(int id, RegisterOp op, boolean call, long time) {
            this.id = id;
            this.op = op;
            this.call = call;
            this.time = time;
        }
    }

    private record Seen(BitSet linearized, String state) {}

    private record Choice(Entry call, String stateBefore) {}

    /** A sentinel "no value" distinct from every string a register may hold. */
    private static final String ABSENT = null;

    Result check(List<RegisterOp> original) {
        List<RegisterOp> history = withUnseenValuesMerged(original);
        Entry head = buildList(history);
        // Operations of unknown outcome that do exactly the same thing are interchangeable: of each
        // such class only the earliest not yet linearized is tried, so the search counts how many
        // of a class it used rather than choosing which (a set of n would otherwise give 2^n paths).
        Map<RegisterOp, List<Integer>> classes = new HashMap<>();
        int[] classOf = new int[history.size()];
        int[] rankInClass = new int[history.size()];
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < history.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingLong(i -> history.get(i).invoked()));
        List<RegisterOp> keys = new ArrayList<>();
        for (int i : order) {
            RegisterOp op = history.get(i);
            if (op.known()) {
                classOf[i] = -1;
                continue;
            }
            RegisterOp key = new RegisterOp(0, op.kind(), op.value(), op.expected(), op.outcome(), 0, Long.MAX_VALUE);
            List<Integer> members = classes.computeIfAbsent(key, k -> {
                keys.add(k);
                return new ArrayList<>();
            });
            classOf[i] = keys.indexOf(key);
            rankInClass[i] = members.size();
            members.add(i);
        }
        int[] usedOfClass = new int[keys.size()];
        int pending = (int) history.stream().filter(RegisterOp::known).count();
        Set<Seen> seen = new HashSet<>();
        Deque<Choice> choices = new ArrayDeque<>();
        BitSet linearized = new BitSet(history.size());
        String state = ABSENT;
        Entry entry = head.next;
        int longest = 0;
        List<RegisterOp> longestPrefix = List.of();
        while (pending > 0) {
            if (seen.size() > maxExplored) {
                return new Result(Verdict.GAVE_UP, seen.size(), "search stopped after " + maxExplored + " configurations");
            }
            if (entry.call && classOf[entry.id] >= 0 && rankInClass[entry.id] != usedOfClass[classOf[entry.id]]) {
                entry = entry.next;
                continue;
            }
            if (entry.call) {
                String next = apply(state, entry.op);
                if (next != NOT_ALLOWED) {
                    BitSet with = (BitSet) linearized.clone();
                    with.set(entry.id);
                    if (seen.add(new Seen(with, next))) {
                        choices.push(new Choice(entry, state));
                        linearized = with;
                        state = next;
                        if (entry.match != null) {
                            pending--;
                        } else {
                            usedOfClass[classOf[entry.id]]++;
                        }
                        lift(entry);
                        if (choices.size() > longest) {
                            longest = choices.size();
                            longestPrefix = choices.stream().map(c -> c.call.op).toList();
                        }
                        entry = head.next;
                        continue;
                    }
                }
                entry = entry.next;
            } else {
                if (choices.isEmpty()) {
                    return new Result(Verdict.NOT_LINEARIZABLE, seen.size(), describe(entry.op, longestPrefix));
                }
                Choice last = choices.pop();
                state = last.stateBefore;
                linearized = (BitSet) linearized.clone();
                linearized.clear(last.call.id);
                if (last.call.match != null) {
                    pending++;
                } else {
                    usedOfClass[classOf[last.call.id]]--;
                }
                unlift(last.call);
                entry = last.call.next;
            }
        }
        return new Result(Verdict.LINEARIZABLE, seen.size(), "");
    }

    /** The one value that stands for every value written by an operation of unknown outcome and never seen. */
    private static final String UNSEEN = new String("(unseen)");

    /**
     * A value no read returned and no cas expected can only ever compare unequal: an operation of
     * unknown outcome that writes one is as good as any other that does. Giving them all the same
     * value lets the memo see those configurations as one, which keeps histories with many timed-out
     * writes cheap to check.
     */
    private static List<RegisterOp> withUnseenValuesMerged(List<RegisterOp> history) {
        Set<String> seenValues = new HashSet<>();
        for (RegisterOp op : history) {
            if (op.kind() == RegisterOp.Kind.READ && op.value() != null) {
                seenValues.add(op.value());
            }
            if (op.kind() == RegisterOp.Kind.CAS && op.expected() != null) {
                seenValues.add(op.expected());
            }
        }
        List<RegisterOp> merged = new ArrayList<>(history.size());
        for (RegisterOp op : history) {
            boolean unseen = !op.known() && op.kind() != RegisterOp.Kind.READ && !seenValues.contains(op.value());
            merged.add(unseen ? new RegisterOp(op.process(), op.kind(), UNSEEN, op.expected(), op.outcome(),
                    op.invoked(), op.completed()) : op);
        }
        return merged;
    }

    /** Marks a state change the register refuses. */
    private static final String NOT_ALLOWED = new String("not allowed");

    /** The register's state after {@code op} from {@code state}, or {@link #NOT_ALLOWED}. */
    private static String apply(String state, RegisterOp op) {
        return switch (op.kind()) {
            case READ -> Objects.equals(state, op.value()) ? state : NOT_ALLOWED;
            case WRITE -> op.value();
            case CAS -> switch (op.outcome()) {
                case OK, UNKNOWN -> Objects.equals(state, op.expected()) ? op.value() : NOT_ALLOWED;
                case CAS_FAILED -> Objects.equals(state, op.expected()) ? NOT_ALLOWED : state;
            };
        };
    }

    /** Calls and returns sorted by time; at equal times calls first, so touching operations overlap. */
    private static Entry buildList(List<RegisterOp> history) {
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < history.size(); i++) {
            RegisterOp op = history.get(i);
            if (op.completed() < op.invoked()) {
                throw new IllegalArgumentException("completes before it starts: " + op);
            }
            Entry call = new Entry(i, op, true, op.invoked());
            entries.add(call);
            if (op.known()) {
                Entry ret = new Entry(i, op, false, op.completed());
                call.match = ret;
                ret.match = call;
                entries.add(ret);
            }
        }
        entries.sort(Comparator.comparingLong((Entry e) -> e.time).thenComparing(e -> !e.call));
        Entry head = new Entry(-1, null, true, Long.MIN_VALUE);
        Entry tail = head;
        for (Entry e : entries) {
            tail.next = e;
            e.prev = tail;
            tail = e;
        }
        return head;
    }

    private static void lift(Entry call) {
        unlink(call);
        if (call.match != null) {
            unlink(call.match);
        }
    }

    /** Puts back what {@link #lift} took out, in reverse order, so the links are as before. */
    private static void unlift(Entry call) {
        if (call.match != null) {
            relink(call.match);
        }
        relink(call);
    }

    private static void unlink(Entry e) {
        e.prev.next = e.next;
        if (e.next != null) {
            e.next.prev = e.prev;
        }
    }

    private static void relink(Entry e) {
        e.prev.next = e;
        if (e.next != null) {
            e.next.prev = e;
        }
    }

    private static String describe(RegisterOp stuck, List<RegisterOp> longestPrefix) {
        List<RegisterOp> order = new ArrayList<>(longestPrefix);
        java.util.Collections.reverse(order);
        int from = Math.max(0, order.size() - 8);
        return "no linearization; the longest found (" + order.size() + " ops) ends with " + order.subList(from, order.size())
                + "; first operation that could not be placed: " + stuck;
    }
}
