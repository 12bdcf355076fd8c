package io.etcdj.http;

import io.etcdj.http.EmbeddedClient.Response;
import io.etcdj.server.Command;
import io.etcdj.server.EtcdServer;
import io.etcdj.store.Store;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Writes through the log: answers after the commit, redirects on followers, failures of the node. */
class DispatchTest {
    private final FakeEtcdServer server = new FakeEtcdServer(Clock.systemUTC());
    private EmbeddedClient client = new EmbeddedClient(server, HttpOptions.defaults());

    @AfterEach
    void close() {
        client.close();
    }

    @Test
    void theAnswerWaitsForTheCommitWithoutBlockingTheConnection() throws Exception {
        server.holdProposals = true;
        client.writeRaw("PUT /v2/keys/k HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                + "Content-Length: 7\r\n\r\nvalue=v");
        assertNull(client.poll(false));
        assertEquals(1, server.heldCount());

        Thread raft = new Thread(server::releaseHeld);
        raft.start();
        raft.join();
        Response r = client.awaitResponse(false);

        assertEquals(201, r.status());
        assertEquals("1", r.header("X-Etcd-Index"));
        assertEquals("1", r.header("X-Raft-Index"));
        assertEquals("1", r.header("X-Raft-Term"));
    }

    @Test
    void theAnswerIsBuiltOnTheConnectionsLoopNotOnTheThreadThatCommitted() throws Exception {
        server.holdProposals = true;
        client.writeRaw("PUT /v2/keys/k HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                + "Content-Length: 7\r\n\r\nvalue=v");
        Thread nodeLoop = new Thread(server::releaseHeld, "node-loop");

        nodeLoop.start();
        nodeLoop.join();
        assertNull(server.raftIndexReader, "the answer was built on the committing thread");
        Response r = client.awaitResponse(false);

        // the embedded channel's loop runs its tasks on the test's thread
        assertEquals(Thread.currentThread(), server.raftIndexReader);
        assertEquals(201, r.status());
    }

    @Test
    void aFollowerRedirectsWritesToTheLeaderWithPathAndQuery() {
        server.leader = false;
        server.leaderClientUrl = "http://10.0.0.1:4001";

        Response put = client.form("PUT", "/v2/keys/a%20b?prevExist=false", "value", "v");
        Response get = client.get("/v2/keys/a?consistent=true");

        assertEquals(307, put.status());
        assertEquals("http://10.0.0.1:4001/v2/keys/a%20b?prevExist=false", put.header("Location"));
        assertEquals(List.of("location"), put.headerNames());
        assertEquals("", put.body());
        assertEquals(307, get.status());
        assertEquals("text/html; charset=utf-8", get.header("Content-Type"));
        assertEquals(0, server.proposals.get());
    }

    @Test
    void aFollowerServesPlainReadsItself() {
        server.store().set("/a", false, "1", null);
        server.leader = false;

        assertEquals(200, client.get("/v2/keys/a").status());
        assertEquals(200, client.get("/v1/keys/a").status());
    }

    @Test
    void withoutALeaderWritesFailAsARaftError() {
        server.leader = false;
        server.leaderClientUrl = "";

        Response r = client.form("PUT", "/v2/keys/k", "value", "v");

        assertEquals(500, r.status());
        assertEquals("{\"errorCode\":300,\"message\":\"Raft Internal Error\",\"index\":0}\n", r.body());
    }

    @Test
    void withoutALeaderTheLeaderEndpointSaysSo() {
        server.leaderPeerUrl = "";

        Response r = client.get("/v2/leader");

        assertEquals(500, r.status());
        assertEquals("{\"errorCode\":301,\"message\":\"During Leader Election\",\"index\":0}\n", r.body());
    }

    @Test
    void aNodeFailureThatIsNotAnEtcdErrorIsAPlain500() {
        EtcdServer failing = new ForwardingServer(server) {
            @Override
            public CompletableFuture<Object> propose(Command command) {
                return CompletableFuture.failedFuture(new IllegalStateException("log is closed"));
            }
        };
        client.close();
        client = new EmbeddedClient(failing, HttpOptions.defaults());

        Response r = client.form("PUT", "/v2/keys/k", "value", "v");

        assertEquals(500, r.status());
        assertEquals("log is closed\n", r.body());
        assertEquals(List.of("content-type", "x-content-type-options"), r.headerNames());
    }

    @Test
    void theSpeedTestSetsFooTenThousandTimesBeforeAnswering() {
        Response r = client.get("/v2/speedTest");

        assertEquals(200, r.status());
        assertEquals("speed test success", r.body());
        assertEquals(10_000, server.store().index());
        assertEquals("bar", server.store().get("/foo", false, false).node().value());
    }

    @Test
    void aClientLeavingDuringAHeldWriteGetsNoAnswerAndBreaksNothing() {
        server.holdProposals = true;
        client.writeRaw("DELETE /v2/keys/k HTTP/1.1\r\nHost: x\r\n\r\n");
        client.channel.close();

        server.releaseHeld();
        client.channel.runPendingTasks();

        assertFalse(client.channel.isOpen());
        assertNull(client.channel.readOutbound());
    }

    /** Delegates everything to another server, for tests that change one behaviour. */
    private static class ForwardingServer implements EtcdServer {
        private final EtcdServer delegate;

        ForwardingServer(EtcdServer delegate) {
            this.delegate = delegate;
        }

        @Override public String name() { return delegate.name(); }
        @Override public Store store() { return delegate.store(); }
        @Override public CompletableFuture<Object> propose(Command command) { return delegate.propose(command); }
        @Override public CompletableFuture<Void> linearizableRead() { return delegate.linearizableRead(); }
        @Override public boolean isLeader() { return delegate.isLeader(); }
        @Override public String leaderPeerUrl() { return delegate.leaderPeerUrl(); }
        @Override public String leaderClientUrl() { return delegate.leaderClientUrl(); }
        @Override public List<String> clientUrls() { return delegate.clientUrls(); }
        @Override public long raftIndex() { return delegate.raftIndex(); }
        @Override public long raftTerm() { return delegate.raftTerm(); }
        @Override public String selfStatsJson() { return delegate.selfStatsJson(); }
        @Override public String leaderStatsJson() { return delegate.leaderStatsJson(); }
    }
}
