package io.etcdj.it;

import mousio.etcd4j.EtcdClient;
import mousio.etcd4j.promises.EtcdResponsePromise;
import mousio.etcd4j.responses.EtcdException;
import mousio.etcd4j.responses.EtcdKeyAction;
import mousio.etcd4j.responses.EtcdKeysResponse;
import mousio.etcd4j.responses.EtcdMembersResponse;
import mousio.etcd4j.responses.EtcdSelfStatsResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** etcd4j, the Java v2 client, against one real node: the calls its users make every day. */
class Etcd4jIT {
    private static EtcdProcess node;
    private static EtcdClient client;

    @BeforeAll
    static void start() {
        node = EtcdProcess.start("etcd4j");
        client = new EtcdClient(URI.create(node.clientUrl()));
    }

    @AfterAll
    static void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        if (node != null) {
            node.close();
        }
    }

    @Test
    void putGetAndDelete() throws Exception {
        EtcdKeysResponse put = client.put("/e4j/k", "v1").send().get();
        assertEquals(EtcdKeyAction.set, put.action);
        assertNull(put.prevNode);
        assertEquals("v1", client.get("/e4j/k").send().get().node.value);

        EtcdKeysResponse replaced = client.put("/e4j/k", "v2").send().get();
        assertEquals("v1", replaced.prevNode.value, "prevNode of a set over an existing key");

        EtcdKeysResponse deleted = client.delete("/e4j/k").send().get();
        assertEquals(EtcdKeyAction.delete, deleted.action);
        assertEquals("v2", deleted.prevNode.value);
        EtcdException missing = assertThrows(EtcdException.class, () -> client.get("/e4j/k").send().get());
        assertEquals(100, missing.errorCode);
    }

    @Test
    void directories() throws Exception {
        client.putDir("/e4j/dir").send().get();
        client.put("/e4j/dir/a", "1").send().get();
        client.put("/e4j/dir/b", "2").send().get();

        EtcdKeysResponse listing = client.getDir("/e4j/dir").recursive().sorted().send().get();
        assertTrue(listing.node.dir);
        assertEquals(List.of("/e4j/dir/a", "/e4j/dir/b"), listing.node.nodes.stream().map(n -> n.key).toList());

        EtcdException notEmpty = assertThrows(EtcdException.class, () -> client.deleteDir("/e4j/dir").send().get());
        assertEquals(108, notEmpty.errorCode);
        client.deleteDir("/e4j/dir").recursive().send().get();
        assertEquals(100, assertThrows(EtcdException.class, () -> client.get("/e4j/dir").send().get()).errorCode);
    }

    @Test
    void ttl() throws Exception {
        EtcdKeysResponse put = client.put("/e4j/ttl", "v").ttl(30).send().get();
        assertNotNull(put.node.expiration);
        assertTrue(put.node.ttl > 0 && put.node.ttl <= 31, "ttl " + put.node.ttl);
    }

    @Test
    void compareAndSwap() throws Exception {
        client.put("/e4j/cas", "one").send().get();
        EtcdException failed = assertThrows(EtcdException.class,
                () -> client.put("/e4j/cas", "two").prevValue("wrong").send().get());
        assertEquals(101, failed.errorCode);
        EtcdKeysResponse swapped = client.put("/e4j/cas", "two").prevValue("one").send().get();
        assertEquals(EtcdKeyAction.compareAndSwap, swapped.action);
        assertEquals("one", swapped.prevNode.value);
    }

    @Test
    void compareAndDelete() throws Exception {
        long index = client.put("/e4j/cad", "one").send().get().node.modifiedIndex;
        EtcdException byValue = assertThrows(EtcdException.class,
                () -> client.delete("/e4j/cad").prevValue("wrong").send().get());
        EtcdException byIndex = assertThrows(EtcdException.class,
                () -> client.delete("/e4j/cad").prevIndex(index + 100).send().get());
        assertEquals(101, byValue.errorCode);
        assertEquals(101, byIndex.errorCode);
        assertEquals("one", client.get("/e4j/cad").send().get().node.value, "a failed compare keeps the key");

        EtcdKeysResponse deleted = client.delete("/e4j/cad").prevValue("one").prevIndex(index).send().get();
        assertEquals(EtcdKeyAction.compareAndDelete, deleted.action);
        assertEquals("one", deleted.prevNode.value);
    }

    @Test
    void waitForChange() throws Exception {
        client.put("/e4j/w", "0").send().get();
        EtcdResponsePromise<EtcdKeysResponse> watch = client.get("/e4j/w").waitForChange()
                .timeout(20, TimeUnit.SECONDS).send();
        // the watch is registered once the store counts it
        EtcdCluster.poll(java.time.Duration.ofSeconds(10), "the watch to register",
                () -> storeWatchers() > 0 ? Boolean.TRUE : null);
        client.put("/e4j/w", "1").send().get();
        EtcdKeysResponse changed = watch.get();
        assertEquals("1", changed.node.value);
        assertEquals("0", changed.prevNode.value);
    }

    @Test
    void membersHealthAndSelfStats() throws Exception {
        EtcdMembersResponse members = client.getMembers();
        assertEquals(1, members.getMembers().size());
        EtcdMembersResponse.MemberInfo self = members.getMembers().get(0);
        assertEquals("etcd4j", self.getName());
        assertEquals("etcd4j", self.getId());
        assertEquals(List.of(node.clientUrl()), self.getClientURLs());
        assertEquals(List.of(node.peerUrl()), self.getPeerURLs());

        assertEquals("true", client.getHealth().getHealth());

        EtcdSelfStatsResponse stats = client.getSelfStats();
        assertEquals("etcd4j", stats.getName());
        assertEquals("etcd4j", stats.getLeaderInfo().getLeader());
        assertNotNull(stats.getLeaderInfo().getStartTime());
        assertNotNull(stats.getLeaderInfo().getUptime());
    }

    private static long storeWatchers() {
        try {
            return client.getStoreStats().watchers();
        } catch (RuntimeException e) {
            return 0;
        }
    }
}
