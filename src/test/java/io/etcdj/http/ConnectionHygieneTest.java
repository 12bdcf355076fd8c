package io.etcdj.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.etcdj.http.EmbeddedClient.Response;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a connection may cost the server: idle ones are closed (but not those waiting on a watch),
 * and a client that does not take its answers gets no more requests processed. Time is the embedded
 * loop's, moved by hand.
 */
class ConnectionHygieneTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The user-defined writability bit a test flips to play a client that stopped reading. */
    private static final int STALLED = 1;

    private final FakeEtcdServer server = new FakeEtcdServer(Clock.systemUTC());
    private final EmbeddedClient client = new EmbeddedClient(server, HttpOptions.defaults());
    private final EmbeddedClient writer = new EmbeddedClient(server, HttpOptions.defaults());

    @AfterEach
    void close() {
        client.close();
        writer.close();
    }

    private void advance(EmbeddedClient c, long seconds) {
        c.channel.advanceTimeBy(seconds, TimeUnit.SECONDS);
        c.channel.runScheduledPendingTasks();
        c.channel.runPendingTasks();
    }

    private long pendingWatchers() throws Exception {
        return JSON.readTree(server.store().statsJson()).get("watchers").asLong();
    }

    @Test
    void aConnectionWithoutARequestIsClosedAfterTheIdleTimeout() {
        advance(client, 59);
        assertTrue(client.channel.isOpen());

        advance(client, 2);

        assertFalse(client.channel.isOpen());
    }

    @Test
    void eachAnswerStartsTheIdleTimeAnew() {
        advance(client, 50);
        assertEquals(200, client.get("/version").status());

        advance(client, 50);
        assertTrue(client.channel.isOpen(), "60 s after it opened, 50 s after its answer");

        // the timer checks lazily: closed within two idle timeouts of the last answer
        advance(client, 71);
        assertFalse(client.channel.isOpen());
    }

    @Test
    void aHalfSentRequestDoesNotKeepTheConnectionAlive() {
        client.writeRaw("GET /version HTTP/1.1\r\nHost: x\r\n");
        advance(client, 30);
        client.writeRaw("X-Slow: 1\r\n");

        advance(client, 31);

        assertFalse(client.channel.isOpen());
    }

    @Test
    void aConnectionWaitingOnAWatchIsSparedAndIdleOnceAnswered() throws Exception {
        client.writeRaw("GET /v2/keys/w?wait=true HTTP/1.1\r\nHost: x\r\n\r\n");

        advance(client, 600);
        assertTrue(client.channel.isOpen());
        assertEquals(1, pendingWatchers());

        writer.form("PUT", "/v2/keys/w", "value", "1");
        Response answer = client.awaitResponse(false);
        assertEquals(200, answer.status());
        advance(client, 61);
        assertFalse(client.channel.isOpen());
    }

    @Test
    void aClientThatDoesNotTakeItsAnswersGetsNoMoreRequestsProcessed() {
        client.writeRaw("GET /version HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals(200, client.awaitResponse(false).status());
        client.channel.unsafe().outboundBuffer().setUserDefinedWritability(STALLED, false);

        client.writeRaw("GET /v2/machines HTTP/1.1\r\nHost: x\r\n\r\nGET /version HTTP/1.1\r\nHost: x\r\n\r\n");

        assertNull(client.poll(false));
        assertFalse(client.channel.config().isAutoRead());

        client.channel.unsafe().outboundBuffer().setUserDefinedWritability(STALLED, true);
        assertEquals("http://127.0.0.1:4001", client.awaitResponse(false).body());
        assertEquals("etcd v0.2.0", client.awaitResponse(false).body());
        assertTrue(client.channel.config().isAutoRead());
    }

    @Test
    void aClientThatNeverTakesItsAnswersIsClosedAfterTheIdleTimeout() {
        client.channel.unsafe().outboundBuffer().setUserDefinedWritability(STALLED, false);
        client.writeRaw("GET /version HTTP/1.1\r\nHost: x\r\n\r\n");
        assertNull(client.poll(false));

        advance(client, 61);

        assertFalse(client.channel.isOpen());
    }

    @Test
    void aTimeoutOfZeroNeverCloses() {
        EmbeddedClient patient = new EmbeddedClient(server, HttpOptions.defaults().withIdleTimeout(Duration.ZERO));
        try {
            advance(patient, 100_000);
            assertTrue(patient.channel.isOpen());
        } finally {
            patient.close();
        }
    }

    @Test
    void thousandsOfPipelinedRequestsQueuedBehindAWriteAreAnsweredWithoutRecursion() throws Exception {
        int pipelined = 5000;
        server.holdProposals = true;
        client.writeRaw("PUT /v2/keys/k HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"
                + "GET /version HTTP/1.1\r\nHost: x\r\n\r\n".repeat(pipelined));
        assertNull(client.poll(false));
        AtomicReference<Throwable> failure = new AtomicReference<>();

        // the embedded loop runs on the calling thread: give it a small stack
        Thread loop = new Thread(null, () -> {
            try {
                server.releaseHeld();
                client.channel.runPendingTasks();
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "small-stack-loop", 256 << 10);
        loop.start();
        loop.join();

        assertNull(failure.get());
        StringBuilder out = new StringBuilder();
        ByteBuf buf;
        while ((buf = client.channel.readOutbound()) != null) {
            out.append(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }
        assertEquals(pipelined, out.toString().split("etcd v0\\.2\\.0", -1).length - 1);
    }
}
