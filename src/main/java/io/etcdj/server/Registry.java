package io.etcdj.server;

import io.etcdj.store.EtcdException;
import io.etcdj.store.NodeView;
import io.etcdj.store.Store;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The machines of the cluster as recorded in the store under {@code /_etcd/machines/<name>}, with
 * the value {@code etcd=<client url>&raft=<peer url>} (form-encoded, keys in order) as the
 * reference writes it. A cache of the URLs keeps lookups off the store; only the applier changes
 * it (on joins, removals and snapshot restores), so it always mirrors the applied log.
 */
public final class Registry {
    public static final String KEY = "/_etcd/machines";

    /** The URLs of one machine. */
    public record Machine(String name, String peerUrl, String clientUrl) {}

    private final Store store;
    private final Map<String, Machine> machines = new ConcurrentHashMap<>();

    public Registry(Store store) {
        this.store = store;
    }

    /**
     * Applies a join: registers the machine unless it is already known. Looks the machine and the
     * count up in the store first, as the reference does (those lookups show in the store stats).
     *
     * @return true when the machine was added
     */
    boolean register(Command.Join join, int maxClusterSize) {
        if (registered(join.name())) {
            return false;
        }
        int count = count(); // looked up even without a limit: the reference's lookups show in the stats
        if (maxClusterSize > 0 && count >= maxClusterSize) {
            throw new EtcdException(103, "", store.index());
        }
        String value = "etcd=" + URLEncoder.encode(join.etcdUrl(), StandardCharsets.UTF_8)
                + "&raft=" + URLEncoder.encode(join.raftUrl(), StandardCharsets.UTF_8);
        store.create(KEY + "/" + join.name(), false, value, false, null);
        machines.put(join.name(), new Machine(join.name(), join.raftUrl(), join.etcdUrl()));
        return true;
    }

    /** Applies a removal: deletes the machine's entry, as the reference does. */
    void unregister(String name) {
        machines.remove(name);
        try {
            store.delete(KEY + "/" + name, false, false);
        } catch (EtcdException notFound) {
            // never registered (e.g. its join was refused as too many): nothing to remove
        }
    }

    /** Forgets the cache and reads every machine from the store again (after a snapshot replaced it). */
    void reload() {
        machines.clear();
        try {
            List<NodeView> nodes = store.get(KEY, false, false).node().nodes();
            if (nodes != null) {
                for (NodeView n : nodes) {
                    String name = n.key().substring(n.key().lastIndexOf('/') + 1);
                    machines.put(name, parse(name, n.value()));
                }
            }
        } catch (EtcdException empty) {
            // no machine registered in this store
        }
    }

    /**
     * The machine with this name, or null. Safe from any thread: it reads the cache, which only
     * the applier changes, so every member answers from its applied log alone.
     */
    public Machine lookup(String name) {
        return machines.get(name);
    }

    /** Whether the store holds this machine: a store read, counted in its stats as the reference's is. */
    private boolean registered(String name) {
        try {
            store.get(KEY + "/" + name, false, false);
            return true;
        } catch (EtcdException notFound) {
            return false;
        }
    }

    int count() {
        try {
            List<NodeView> nodes = store.get(KEY, false, false).node().nodes();
            return nodes == null ? 0 : nodes.size();
        } catch (EtcdException notFound) {
            return 0;
        }
    }

    /** Known machines: the cache is filled by every join applied since start (replay included). */
    public List<Machine> machines() {
        return new ArrayList<>(machines.values());
    }

    /** Client URLs, the leader's first, then the others. */
    public List<String> clientUrls(String leaderName) {
        List<String> urls = new ArrayList<>();
        Machine leader = leaderName == null ? null : machines.get(leaderName);
        if (leader != null) {
            urls.add(leader.clientUrl());
        }
        machines.values().stream()
                .filter(m -> !m.name().equals(leaderName))
                .sorted((a, b) -> a.name().compareTo(b.name()))
                .forEach(m -> urls.add(m.clientUrl()));
        return urls;
    }

    private static Machine parse(String name, String value) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String pair : (value == null ? "" : value).split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                fields.put(pair.substring(0, eq),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return new Machine(name, fields.getOrDefault("raft", ""), fields.getOrDefault("etcd", ""));
    }
}
