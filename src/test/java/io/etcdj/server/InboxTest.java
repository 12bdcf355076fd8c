package io.etcdj.server;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Peer traffic and the node's own follow-ups never wait behind, nor get dropped for, client requests. */
class InboxTest {
    @Test
    void aFloodOfClientRequestsNeitherDelaysNorDropsPeerMessages() {
        Inbox inbox = new Inbox();
        List<String> ran = new ArrayList<>();
        // given a client inbox filled to the brim
        int accepted = 0;
        while (inbox.client(() -> ran.add("client"))) {
            accepted++;
        }
        assertEquals(Inbox.CLIENT_CAPACITY, accepted);
        assertFalse(inbox.client(() -> ran.add("refused")), "a full client inbox refuses at once");
        // when a peer message and a follow-up arrive
        assertTrue(inbox.peer(() -> ran.add("peer")));
        inbox.internal(() -> ran.add("internal"));
        // then one turn runs them, and no client request, first
        assertEquals(2, inbox.runUrgent());
        assertEquals(List.of("internal", "peer"), ran);
        // and client requests then run in bounded batches
        assertEquals(100, inbox.runClients(100, new ArrayList<>()));
        assertEquals(102, ran.size());
    }

    @Test
    void aFullPeerInboxDropsMessagesButNeverFollowUps() {
        Inbox inbox = new Inbox();
        for (int i = 0; i < Inbox.PEER_CAPACITY; i++) {
            assertTrue(inbox.peer(() -> { }));
        }
        assertFalse(inbox.peer(() -> { }), "Raft retries what a full peer inbox drops");
        List<String> ran = new ArrayList<>();
        inbox.internal(() -> ran.add("follow-up"));
        inbox.runUrgent();
        assertEquals(List.of("follow-up"), ran);
    }
}
