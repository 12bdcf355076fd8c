package io.etcdj.server;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;

/**
 * The numbers of {@code /v2/stats/self}: this machine's name, role, start time, the leader it
 * follows, since when and for how long, and how many append requests it sent and received.
 */
final class ServerStats {
    private final String name;
    private final Instant startTime;
    /** {@link System#nanoTime()} at {@link #startTime}, to place the leader's start on the same clock. */
    private final long startNanos = System.nanoTime();
    private volatile String state = "follower";
    private volatile String leader = "";
    private volatile long leaderSinceNanos = System.nanoTime();
    private volatile long recvAppendRequests;
    private volatile long sendAppendRequests;

    ServerStats(String name, Instant startTime) {
        this.name = name;
        this.startTime = startTime;
    }

    /** Called by the node loop when the role or the leader changes. */
    void roleChanged(String newState, String newLeader) {
        state = newState;
        if (!newLeader.equals(leader)) {
            leader = newLeader;
            leaderSinceNanos = System.nanoTime();
        }
    }

    void appendSent(int count) {
        sendAppendRequests += count;
    }

    void appendReceived() {
        recvAppendRequests++;
    }

    String json() {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("name", name);
        root.put("state", state);
        root.put("startTime", DateTimeFormatter.ISO_INSTANT.format(startTime));
        ObjectNode info = root.putObject("leaderInfo");
        info.put("leader", leader);
        info.put("uptime", goDuration(Duration.ofNanos(System.nanoTime() - leaderSinceNanos)));
        // an extension of later v2 versions: since when this leader is known here
        info.put("startTime", DateTimeFormatter.ISO_INSTANT.format(startTime.plusNanos(leaderSinceNanos - startNanos)));
        root.put("recvAppendRequestCnt", recvAppendRequests);
        root.put("sendAppendRequestCnt", sendAppendRequests);
        return root.toString();
    }

    /** A duration written the way Go prints one, e.g. {@code 1h2m3.5s} or {@code 850ms}. */
    static String goDuration(Duration d) {
        long nanos = d.toNanos();
        if (nanos == 0) {
            return "0";
        }
        if (nanos < 1_000) {
            return nanos + "ns";
        }
        if (nanos < 1_000_000) {
            return trim(nanos / 1e3) + "µs";
        }
        if (nanos < 1_000_000_000) {
            return trim(nanos / 1e6) + "ms";
        }
        long h = nanos / 3_600_000_000_000L;
        long m = nanos / 60_000_000_000L % 60;
        double s = (nanos % 60_000_000_000L) / 1e9;
        StringBuilder out = new StringBuilder();
        if (h > 0) {
            out.append(h).append('h');
        }
        if (h > 0 || m > 0) {
            out.append(m).append('m');
        }
        return out.append(trim(s)).append('s').toString();
    }

    private static String trim(double v) {
        String s = String.format("%.9f", v);
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
