package io.etcdj.it;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalInt;

/**
 * A cluster whose machines each run in a network namespace of their own ({@link NetNamespaces}),
 * binding their namespace's address on the usual ports 4001 and 7001. The first machine starts the
 * cluster; each next one joins with {@code -peers} naming every machine before it. The test talks
 * to them from the root namespace.
 *
 * <p>Closing kills every server, then removes the namespaces: on every exit path, since a test holds
 * this in try-with-resources and {@link NetNamespaces} has its own shutdown hook.
 */
final class NetCluster implements AutoCloseable {
    static final int CLIENT_PORT = 4001;
    static final int PEER_PORT = 7001;
    private static final List<String> JVM_ARGS = List.of(System.getProperty("etcdj.it.clusterJvmArgs",
            "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC").trim().split("\\s+"));

    private final NetNamespaces net;
    private final List<EtcdProcess> machines = Collections.synchronizedList(new ArrayList<>());

    private NetCluster(NetNamespaces net) {
        this.net = net;
    }

    static NetCluster start(int size) {
        NetCluster cluster = new NetCluster(NetNamespaces.create(size));
        try {
            for (int i = 0; i < size; i++) {
                List<String> flags = new ArrayList<>(List.of("-max-retry-attempts", "10"));
                if (i > 0) {
                    List<String> peers = new ArrayList<>();
                    for (int j = 0; j < i; j++) {
                        peers.add(cluster.net.address(j) + ":" + PEER_PORT);
                    }
                    flags.addAll(List.of("-peers", String.join(",", peers)));
                }
                EtcdProcess.Placement placement = new EtcdProcess.Placement(cluster.net.address(i), CLIENT_PORT,
                        PEER_PORT, cluster.net.execPrefix(i));
                cluster.machines.add(EtcdProcess.startMember("m" + i, JVM_ARGS, flags, placement));
            }
            return cluster;
        } catch (RuntimeException | Error e) {
            cluster.printLogs();
            cluster.close();
            throw e;
        }
    }

    NetNamespaces net() {
        return net;
    }

    int size() {
        return machines.size();
    }

    EtcdProcess machine(int i) {
        return machines.get(i);
    }

    String address(int i) {
        return net.address(i);
    }

    /** The position of the machine with this peer URL, or -1. */
    int byPeerUrl(String peerUrl) {
        for (int i = 0; i < size(); i++) {
            if (machine(i).peerUrl().equals(peerUrl.trim())) {
                return i;
            }
        }
        return -1;
    }

    /** The machine {@code i} believes leads, as {@code GET /v2/leader} on it says; empty if none or unreachable. */
    OptionalInt leaderSeenBy(int i, Duration timeout) {
        try (HttpConnection c = HttpConnection.open(address(i), CLIENT_PORT, timeout)) {
            HttpAnswer answer = c.get("/v2/leader");
            int leader = answer.status() == 200 ? byPeerUrl(answer.text()) : -1;
            return leader < 0 ? OptionalInt.empty() : OptionalInt.of(leader);
        } catch (IOException e) {
            return OptionalInt.empty();
        }
    }

    /** The leader once every machine in {@code among} names the same one, itself among them. */
    int awaitLeader(List<Integer> among, Duration within) {
        return EtcdCluster.poll(within, "machines " + among + " to agree on a leader", () -> {
            Integer agreed = null;
            for (int i : among) {
                OptionalInt seen = leaderSeenBy(i, Duration.ofSeconds(1));
                if (seen.isEmpty() || !among.contains(seen.getAsInt())
                        || (agreed != null && agreed != seen.getAsInt())) {
                    return null;
                }
                agreed = seen.getAsInt();
            }
            return agreed;
        });
    }

    List<Integer> all() {
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < size(); i++) {
            all.add(i);
        }
        return all;
    }

    /** Runs {@code body}; on failure prints every machine's log before passing the failure on. */
    void showLogsOnFailure(EtcdProcess.Body body) throws Exception {
        try {
            body.run();
        } catch (Exception | Error e) {
            printLogs();
            throw e;
        }
    }

    void printLogs() {
        StringBuilder out = new StringBuilder();
        for (EtcdProcess m : new ArrayList<>(machines)) {
            out.append("----- ").append(m).append(m.isAlive() ? "" : " (down)").append(" log -----\n")
                    .append(m.logTail(30_000)).append('\n');
        }
        System.err.print(out);
    }

    @Override
    public void close() {
        try {
            for (EtcdProcess m : new ArrayList<>(machines)) {
                m.close();
            }
        } finally {
            net.close();
        }
    }

    @Override
    public String toString() {
        return machines + " on " + net;
    }
}
