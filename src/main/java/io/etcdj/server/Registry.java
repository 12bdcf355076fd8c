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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The machines of the cluster as recorded in the store under {@code /_etcd/machines/<name>}, with
 * the value {@code etcd=<client url>&raft=<peer url>} (form-encoded, keys in order) as the
 * reference writes it. A cache of the URLs keeps lookups off the store; only the applier changes
 * it (on joins, removals and snapshot restores), so it always mirrors the applied log.
 *
 * <p>v0.2.0 kept a cache of its own, filled by reading the store the first time a machine's URLs
 * were wanted, and those reads show in {@code /v2/stats/store}. So that the statistics count what
 * the reference counts, the lookups it made are made here too, as counted store reads, at the same
 * moments ({@link #lookedUp}, {@link #machinesListed}): the set of names the reference would hold
 * in its cache decides whether a lookup reads the store.
 */
public final class Registry {
    public static final String KEY = "/_etcd/machines";

    /** The URLs of one machine. */
    public record Machine(String name, String peerUrl, String clientUrl) {}

    private final Store store;
    private final Map<String, Machine> machines = new ConcurrentHashMap<>();
    /** The names whose URLs v0.2.0's cache would hold: looked up once with success, then not read. */
    private final Set<String> referenceCache = ConcurrentHashMap.newKeySet();
    /** The join id each machine joined with, from the joins applied since the last snapshot. */
    private final Map<String, String> joinIds = new ConcurrentHashMap<>();

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
        referenceCache.remove(join.name()); // the reference drops its cached entry before looking
        if (registered(join.name())) {
            referenceCache.add(join.name());
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
        if (!join.joinId().isEmpty()) {
            joinIds.put(join.name(), join.joinId());
        }
        return true;
    }

    /** Applies a removal: deletes the machine's entry, as the reference does. */
    void unregister(String name) {
        machines.remove(name);
        joinIds.remove(name);
        try {
            store.delete(KEY + "/" + name, false, false);
        } catch (EtcdException notFound) {
            // never registered (e.g. its join was refused as too many): nothing to remove
        }
    }

    /**
     * Forgets the cache and reads every machine from the store again (after a snapshot replaced it).
     * The reference restored its statistics with the snapshot and read nothing then: neither does
     * this read count.
     */
    void reload() {
        machines.clear();
        joinIds.clear(); // snapshots do not keep them: a retried join after one is refused as before
        try {
            List<NodeView> nodes = store.getUncounted(KEY).node().nodes();
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

    /** Whether machine {@code name} joined with this (non-empty) join id, as far as the applied log tells. */
    boolean joinedWith(String name, String joinId) {
        return !joinId.isEmpty() && joinId.equals(joinIds.get(name));
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

    /**
     * v0.2.0's lookup of one machine's URLs, for its statistics: a counted store read unless the
     * reference's cache holds the name, which it then does if the read found the machine. The
     * reference looked up the leader when answering {@code /v2/leader} and when redirecting to it,
     * and a peer when sending it a Raft request. An empty name reads nothing.
     */
    public void lookedUp(String name) {
        if (name == null || name.isEmpty() || referenceCache.contains(name)) {
            return;
        }
        if (registered(name)) {
            referenceCache.add(name);
        }
    }

    /**
     * The store reads of v0.2.0's {@code /v2/machines}: the leader looked up, the machines
     * directory read, then each machine looked up.
     */
    public void machinesListed(String leaderName) {
        lookedUp(leaderName);
        List<NodeView> nodes;
        try {
            nodes = store.get(KEY, false, false).node().nodes();
        } catch (EtcdException none) {
            return;
        }
        if (nodes != null) {
            for (NodeView n : nodes) {
                lookedUp(n.key().substring(n.key().lastIndexOf('/') + 1));
            }
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
