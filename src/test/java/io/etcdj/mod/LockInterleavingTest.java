package io.etcdj.mod;

import io.etcdj.http.ClientRequest;
import io.etcdj.http.CommandDispatch;
import io.etcdj.http.FormValues;
import io.etcdj.http.Reply;
import io.etcdj.store.Store;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The lock module against a real store, with every step of the interleaving chosen by the test:
 * each client's connection has an event loop of its own that runs only when told, and proposals
 * are applied only when told, in the order the test picks.
 */
class LockInterleavingTest {
    private final Store store = new Store(Clock.systemUTC());
    private final HeldProposalsServer server = new HeldProposalsServer(store);
    private final LockModule module = new LockModule(server, new CommandDispatch(server), Clock.systemUTC());
    private final List<EmbeddedChannel> connections = new ArrayList<>();

    @AfterEach
    void closeConnections() {
        connections.forEach(EmbeddedChannel::finishAndReleaseAll);
    }

    /**
     * What made the end-to-end test of three waiters flaky: b's request came first, but c's node was
     * created first (two connections, two event loops, a loaded machine). The lock follows the
     * queue, so c is served before b; b is served once c releases.
     */
    @Test
    void waitersAreServedInTheOrderTheirNodesWereCreatedNotTheOrderTheyAsked() {
        String a = holdLock("a");
        CompletableFuture<Reply> b = acquire("b");
        CompletableFuture<Reply> c = acquire("c");
        List<HeldProposalsServer.Held> creates = server.held();
        assertEquals(2, creates.size());
        server.apply(creates.get(1)); // c's node first
        server.apply(creates.get(0));
        settle();
        String cIndex = nameOf("c");
        String bIndex = nameOf("b");
        assertTrue(Long.parseLong(cIndex) < Long.parseLong(bIndex));

        release(a);
        assertEquals(cIndex, answered(c));
        assertFalse(b.isDone(), "b answered while c held the lock");

        release(cIndex);
        assertEquals(bIndex, answered(b));
    }

    /** The holder leaves after the waiter's node exists but before the waiter first reads the queue. */
    @Test
    void aReleaseBetweenTheNodesCreationAndTheFirstReadOfTheQueueHandsTheLockOver() {
        String a = holdLock("a");
        CompletableFuture<Reply> b = acquire("b");
        server.apply(server.held().get(0)); // b's node is created; its loop has not run yet
        String bIndex = nameOf("b");

        store.delete(LockNodes.lockPath("q") + "/" + a, false, false);
        settle();

        assertEquals(bIndex, answered(b));
    }

    /**
     * The holder's node changes (a renewal wakes the waiter), then goes before the waiter's loop
     * runs the wake-up: the one read of the queue that follows sees it gone.
     */
    @Test
    void aReleaseWhileAWakeUpIsOnItsWayHandsTheLockOver() {
        String a = holdLock("a");
        CompletableFuture<Reply> b = acquire("b");
        server.applyAll();
        runLoops();
        assertFalse(b.isDone());

        String aKey = LockNodes.lockPath("q") + "/" + a;
        store.update(aKey, "a", null); // wakes b's watch of the node ahead; b's loop has not run
        store.delete(aKey, false, false);
        settle();

        assertEquals(nameOf("b"), answered(b));
    }

    /** A waiter queued behind a holder that releases by the module, after the waiter watches. */
    @Test
    void aReleaseAfterTheWaiterWatchesHandsTheLockOver() {
        String a = holdLock("a");
        CompletableFuture<Reply> b = acquire("b");
        settle();
        assertFalse(b.isDone());
        assertEquals(2, watchers());

        release(a);

        assertEquals(nameOf("b"), answered(b));
        assertEquals(0, watchers());
    }

    private String holdLock(String value) {
        CompletableFuture<Reply> reply = acquire(value);
        settle();
        return answered(reply);
    }

    private CompletableFuture<Reply> acquire(String value) {
        return module.acquire(request("POST"), "q", value, "", "30");
    }

    private void release(String index) {
        CompletableFuture<Reply> reply = module.release(request("DELETE"), "q", index, "");
        settle();
        assertEquals(HttpResponseStatus.OK, reply.join().status());
    }

    /** A request on a connection of its own, whose event loop runs only in {@link #runLoops()}. */
    private ClientRequest request(String method) {
        EmbeddedChannel connection = new EmbeddedChannel();
        connections.add(connection);
        return new ClientRequest(method, "/mod/v2/lock/q", "", "q", FormValues.empty(), new DefaultHttpHeaders(),
                connection.eventLoop());
    }

    private void runLoops() {
        for (EmbeddedChannel connection : connections) {
            connection.runPendingTasks();
        }
    }

    /** Runs the loops and applies the proposals until nothing is left to do. */
    private void settle() {
        runLoops();
        while (!server.held().isEmpty()) {
            server.applyAll();
            runLoops();
        }
    }

    private String nameOf(String value) {
        LockNodes queue = LockNodes.read(store, LockNodes.lockPath("q"));
        return queue.get(queue.positionOf(value)).name();
    }

    private static String answered(CompletableFuture<Reply> reply) {
        assertTrue(reply.isDone(), "not answered");
        Reply answer = reply.join();
        String body = new String(answer.body(), StandardCharsets.UTF_8);
        assertEquals(HttpResponseStatus.OK, answer.status(), body);
        return body;
    }

    /** The store's pending watchers, as its statistics count them. */
    private long watchers() {
        String json = store.statsJson();
        return Long.parseLong(json.substring(json.indexOf("\"watchers\":") + "\"watchers\":".length(), json.length() - 1));
    }
}
