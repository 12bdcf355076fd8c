package io.etcdj.raft;

import java.util.HashSet;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;

/**
 * The simulated network: messages in flight ordered by virtual delivery time. It drops,
 * duplicates, delays (hence reorders) and partitions, all drawn from the simulation's random.
 * Time is in tenths of a tick.
 */
final class SimNetwork {
    record InFlight(long deliverAt, long seq, Message message) {}

    private final Random random;
    private final PriorityQueue<InFlight> queue = new PriorityQueue<>(
            (a, b) -> a.deliverAt != b.deliverAt ? Long.compare(a.deliverAt, b.deliverAt) : Long.compare(a.seq, b.seq));
    /** Pairs "a>b" that cannot talk; symmetric entries are added together. */
    private final Set<String> cut = new HashSet<>();
    private long seq;
    double dropRate;
    double duplicateRate;
    int maxDelay = 15;

    SimNetwork(Random random) {
        this.random = random;
    }

    /** Queues a message; returns false if it was dropped on the spot. */
    boolean send(Message m, long now) {
        if (!canTalk(m.from(), m.to()) || random.nextDouble() < dropRate) {
            return false;
        }
        queue.add(new InFlight(now + delay(), seq++, m));
        if (random.nextDouble() < duplicateRate) {
            queue.add(new InFlight(now + delay(), seq++, m));
        }
        return true;
    }

    private long delay() {
        // Mostly short, sometimes long: long ones overtake nothing but get overtaken, i.e. reorder.
        return random.nextInt(10) == 0 ? 1 + random.nextInt(maxDelay * 4) : 1 + random.nextInt(maxDelay);
    }

    /** The next message due at or before {@code until}, or null. */
    InFlight poll(long until) {
        InFlight head = queue.peek();
        if (head == null || head.deliverAt > until) {
            return null;
        }
        return queue.poll();
    }

    boolean canTalk(String a, String b) {
        return cut.isEmpty() || !cut.contains(a + ">" + b);
    }

    void partition(Set<String> side, Set<String> all) {
        for (String a : side) {
            for (String b : all) {
                if (!side.contains(b)) {
                    cut.add(a + ">" + b);
                    cut.add(b + ">" + a);
                }
            }
        }
    }

    void heal() {
        cut.clear();
    }

    int inFlight() {
        return queue.size();
    }
}
