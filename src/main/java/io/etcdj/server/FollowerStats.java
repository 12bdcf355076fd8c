package io.etcdj.server;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Map;
import java.util.TreeMap;

/**
 * The leader's view of its followers for {@code /v2/stats/leader}: per follower the latency of
 * append and heartbeat round trips in milliseconds (current, average, standard deviation, minimum,
 * maximum) and how many succeeded or failed. Updated by the node loop, read by HTTP threads.
 */
final class FollowerStats {
    private static final class Follower {
        long sentAt = -1;
        double current;
        double average;
        double averageSquare;
        double minimum = Double.MAX_VALUE;
        double maximum;
        long success;
        long fail;
    }

    private final Map<String, Follower> followers = new TreeMap<>();

    /** A request went out to {@code name}; only the oldest unanswered one is timed. */
    synchronized void sent(String name, long nanoTime) {
        Follower f = followers.get(name);
        if (f != null && f.sentAt < 0) {
            f.sentAt = nanoTime;
        }
    }

    synchronized void answered(String name, boolean success, long nanoTime) {
        Follower f = followers.get(name);
        if (f == null) {
            return; // not a follower of ours (any more): a late answer from a removed machine
        }
        if (!success) {
            f.fail++;
            f.sentAt = -1;
            return;
        }
        if (f.sentAt < 0) {
            return;
        }
        double ms = (nanoTime - f.sentAt) / 1e6;
        f.sentAt = -1;
        double total = f.success * f.average;
        double totalSquare = f.success * f.averageSquare;
        f.success++;
        f.current = ms;
        f.maximum = Math.max(f.maximum, ms);
        f.minimum = Math.min(f.minimum, ms);
        f.average = (total + ms) / f.success;
        f.averageSquare = (totalSquare + ms * ms) / f.success;
    }

    synchronized void unreachable(String name) {
        Follower f = followers.get(name);
        if (f != null) {
            f.fail++;
            f.sentAt = -1;
        }
    }

    /**
     * Keeps exactly these followers (after a membership change or a new term of leadership): only
     * they are counted from now on.
     */
    synchronized void retain(java.util.Collection<String> names) {
        followers.keySet().retainAll(names);
        for (String n : names) {
            followers.computeIfAbsent(n, k -> new Follower());
        }
    }

    synchronized void clear() {
        followers.clear();
    }

    synchronized String json(String leader) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("leader", leader);
        ObjectNode all = root.putObject("followers");
        followers.forEach((name, f) -> {
            ObjectNode node = all.putObject(name);
            ObjectNode latency = node.putObject("latency");
            latency.put("current", f.current);
            latency.put("average", f.average);
            latency.put("standardDeviation", Math.sqrt(Math.max(0, f.averageSquare - f.average * f.average)));
            latency.put("minimum", f.success == 0 ? 0 : f.minimum);
            latency.put("maximum", f.maximum);
            ObjectNode counts = node.putObject("counts");
            counts.put("fail", f.fail);
            counts.put("success", f.success);
        });
        return root.toString();
    }
}
