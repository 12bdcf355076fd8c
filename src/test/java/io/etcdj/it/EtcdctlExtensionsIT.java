package io.etcdj.it;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The parts of etcdctl that need the server's etcd 2 extensions (docs/api.md): compare-and-delete
 * for {@code rm --with-value/--with-index}, {@code prevNode} for what {@code rm} prints,
 * {@code /v2/members} for the member ids and {@code /health} for cluster-health. Written against
 * etcd v2's documented behaviour; on a server without the extensions these fail.
 */
class EtcdctlExtensionsIT {

    @Test
    void rmWithValueOrIndexIsACompareAndDeleteAndPrintsThePreviousValue() throws Exception {
        try (EtcdCluster cluster = EtcdCluster.start(1)) {
            cluster.showLogsOnFailure(() -> {
                List<String> global = List.of("--peers", cluster.machine(0).clientUrl());
                run(global, 0, "set", "/k", "v");
                Etcdctl.Result wrong = run(global, 4, "rm", "--with-value", "other", "/k");
                assertTrue(wrong.err().startsWith("Error:  101: Compare failed"), wrong.err());
                run(global, 0, "get", "/k");
                Etcdctl.Result wrongIndex = run(global, 4, "rm", "--with-index", "1", "/k");
                assertTrue(wrongIndex.err().startsWith("Error:  101: Compare failed"), wrongIndex.err());
                // etcdctl prints PrevNode.Value only for a plain delete; for a compareAndDelete it
                // prints the deleted node's value, which is empty (checked against etcd 3.4's etcdctl)
                Etcdctl.Result removed = run(global, 0, "rm", "--with-value", "v", "/k");
                assertEquals("\n", removed.out());
                Etcdctl.Result extended = run(global, 0, "-o", "extended", "set", "/k", "w");
                assertTrue(extended.out().startsWith("Key: /k\n"), extended.out());
                Etcdctl.Result removedExtended = run(global, 0, "-o", "extended", "rm", "--with-index",
                        extended.out().lines().filter(l -> l.startsWith("Modified-Index: ")).findFirst()
                                .orElseThrow().substring("Modified-Index: ".length()), "/k");
                assertTrue(removedExtended.out().contains("PrevNode.Value: w\n"), removedExtended.out());
                run(global, 4, "get", "/k");
                run(global, 0, "set", "/k2", "a");
                assertEquals("PrevNode.Value: a\n", run(global, 0, "rm", "/k2").out());
                Etcdctl.Result json = run(global, 0, "-o", "json", "set", "/k3", "b");
                assertTrue(json.out().endsWith("\"prevNode\":null}\n"), json.out());
                Etcdctl.Result replaced = run(global, 0, "-o", "json", "set", "/k3", "c");
                assertTrue(replaced.out().contains("\"prevNode\":{\"key\":\"/k3\",\"value\":\"b\""), replaced.out());
            });
        }
    }

    @Test
    void memberListAndClusterHealthUseMembersAndHealth() throws Exception {
        try (EtcdCluster cluster = EtcdCluster.start(3)) {
            cluster.showLogsOnFailure(() -> {
                List<String> global = List.of("--debug", "--peers", cluster.machine(0).clientUrl());
                Etcdctl.Result members = run(global, 0, "member", "list");
                assertEquals(3, members.out().lines().count(), members.out());
                assertTrue(members.err().contains("curl -X GET " + cluster.machine(0).clientUrl() + "/v2/members\n"),
                        members.err());
                assertTrue(!members.err().contains("/v2/machines") && !members.err().contains("/_etcd/machines"),
                        "no fallback to v0.2's endpoints:\n" + members.err());
                Etcdctl.Result health = run(global, 0, "cluster-health");
                assertTrue(health.err().contains("/health\n") && !health.err().contains("/v2/stats/self"), health.err());
                assertTrue(health.out().endsWith("cluster is healthy\n"), health.out());
            });
        }
    }

    private static Etcdctl.Result run(List<String> global, int exit, String... args) {
        List<String> all = new java.util.ArrayList<>(global);
        all.addAll(List.of(args));
        Etcdctl.Result result = Etcdctl.run(all.toArray(new String[0]));
        assertEquals(exit, result.exit(), result.toString());
        return result;
    }
}
