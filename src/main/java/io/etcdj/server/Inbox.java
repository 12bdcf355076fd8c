package io.etcdj.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * The node loop's inboxes: other threads put tasks here and the loop runs them. Three queues, so
 * that what keeps the cluster alive never waits behind what clients ask:
 * <ul>
 *   <li>internal: follow-ups of the node's own threads (the applier, the snapshot writer); never
 *       dropped, and bounded by the work the loop itself handed out;</li>
 *   <li>peer: messages from other members and delivery reports; bounded, and a message that does
 *       not fit is dropped (Raft retries);</li>
 *   <li>client: proposals, reads, joins and removals; bounded, and a task that does not fit is
 *       refused at once, so the client gets an error instead of a wait.</li>
 * </ul>
 * The loop drains internal and peer tasks completely every turn, and client tasks in batches.
 */
final class Inbox {
    static final int PEER_CAPACITY = 1 << 14;
    static final int CLIENT_CAPACITY = 1 << 16;

    private final Queue<Runnable> internal = new ConcurrentLinkedQueue<>();
    private final ArrayBlockingQueue<Runnable> peer = new ArrayBlockingQueue<>(PEER_CAPACITY);
    private final ArrayBlockingQueue<Runnable> client = new ArrayBlockingQueue<>(CLIENT_CAPACITY);
    private volatile Thread consumer;
    /** Reused by the consumer for each drain of the peer queue. */
    private final List<Runnable> peerBatch = new ArrayList<>();

    /** The thread that runs the tasks; producers wake it. */
    void consumer(Thread thread) {
        consumer = thread;
    }

    void internal(Runnable task) {
        internal.add(task);
        wake();
    }

    boolean peer(Runnable task) {
        boolean accepted = peer.offer(task);
        wake();
        return accepted;
    }

    boolean client(Runnable task) {
        boolean accepted = client.offer(task);
        wake();
        return accepted;
    }

    private void wake() {
        Thread t = consumer;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /** Parks the consumer until a task arrives or the time is up (it may also wake early). */
    void await(long nanos, boolean clientsWelcome) {
        if (nanos > 0 && internal.isEmpty() && peer.isEmpty() && (!clientsWelcome || client.isEmpty())) {
            LockSupport.parkNanos(this, nanos);
        }
    }

    /** Runs every internal and peer task queued now; returns how many ran. */
    int runUrgent() {
        int ran = 0;
        Runnable task;
        while ((task = internal.poll()) != null) {
            task.run();
            ran++;
        }
        peer.drainTo(peerBatch);
        int n = peerBatch.size();
        for (Runnable t : peerBatch) {
            t.run();
        }
        peerBatch.clear();
        return ran + n;
    }

    /** Runs up to {@code max} client tasks; returns how many ran. */
    int runClients(int max, List<Runnable> scratch) {
        client.drainTo(scratch, max);
        int n = scratch.size();
        for (Runnable t : scratch) {
            t.run();
        }
        scratch.clear();
        return n;
    }
}
