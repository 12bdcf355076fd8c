package io.etcdj.server;

import io.etcdj.peer.ChangeOutcome;
import io.etcdj.peer.JoinRequest;
import io.etcdj.raft.ConfChange;
import io.etcdj.raft.Entry;
import io.etcdj.raft.ProposalOutcome;
import io.etcdj.raft.RaftNode;
import io.etcdj.store.EtcdException;
import io.etcdj.store.Store;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Join and remove requests on their way through the log: checked on the leader (or redirected to
 * it), proposed as membership changes, and answered once the change is applied. Used by the node
 * loop only.
 *
 * <p>Raft takes one membership change at a time. Requests that come while one is under way wait
 * here, in order, and go out as soon as it is applied, each checked again then (an earlier one
 * may have filled the cluster or taken the name): machines started together to join a cluster
 * are taken in one after another, instead of all but one being refused and trying again later.
 */
final class MembershipChanges {
    private record Pending(long term, CompletableFuture<ChangeOutcome> future) {}

    /** A request waiting for the change under way; {@code attempt} checks and proposes it. */
    private record Waiting(Runnable attempt, CompletableFuture<ChangeOutcome> future) {}

    /** At most this many requests wait; more are refused, as all were before the queue. */
    static final int MAX_WAITING = 64;

    private final RaftNode raft;
    private final Store store;
    private final int maxClusterSize;
    private final Supplier<String> leaderPeerUrl;
    private final Map<Long, Pending> pending = new HashMap<>();
    private final Queue<Waiting> waiting = new ArrayDeque<>();

    MembershipChanges(RaftNode raft, Store store, int maxClusterSize,
                      Supplier<String> leaderPeerUrl) {
        this.raft = raft;
        this.store = store;
        this.maxClusterSize = maxClusterSize;
        this.leaderPeerUrl = leaderPeerUrl;
    }

    void join(JoinRequest request, CompletableFuture<ChangeOutcome> future) {
        if (leadsOrRedirects(future) && !waits(() -> proposeJoin(request, future), future)) {
            proposeJoin(request, future);
        }
    }

    void remove(String name, CompletableFuture<ChangeOutcome> future) {
        if (leadsOrRedirects(future) && !waits(() -> proposeRemove(name, future), future)) {
            proposeRemove(name, future);
        }
    }

    private void proposeJoin(JoinRequest request, CompletableFuture<ChangeOutcome> future) {
        if (!request.supports(JoinRequest.MAX_VERSION)) {
            future.completeExceptionally(error(300, "machine " + request.name()
                    + " cannot run store version " + JoinRequest.MAX_VERSION));
            return;
        }
        if (raft.membership().contains(request.name())) {
            // Only a machine without a log asks to join. One under a member's name has lost the
            // log that holds its term and vote: letting it in could make it vote twice in a term.
            future.completeExceptionally(error(EtcdException.NODE_EXIST, "the cluster still has a member named "
                    + request.name() + "; if that machine lost its data dir, remove the old member with "
                    + "curl -X DELETE " + leaderPeerUrl.get() + "/remove/" + request.name()
                    + " and start the machine again"));
            return;
        }
        if (raft.membership().size() >= maxClusterSize) {
            future.completeExceptionally(error(103, ""));
            return;
        }
        byte[] context = CommandCodec.encode(0, new Command.Join(request.name(), request.raftUrl(), request.etcdUrl()));
        propose(ConfChange.add(request.name(), context), future);
    }

    private void proposeRemove(String name, CompletableFuture<ChangeOutcome> future) {
        if (!raft.membership().contains(name)) {
            future.completeExceptionally(error(100, Registry.KEY + "/" + name));
            return;
        }
        propose(ConfChange.remove(name), future);
    }

    /** A membership change entry was applied: answers the request that proposed it here, if any. */
    void applied(Entry e) {
        Pending p = pending.remove(e.index());
        if (p == null) {
            return;
        }
        if (p.term() == e.term()) {
            p.future().complete(new ChangeOutcome.Committed(e.index()));
        } else {
            p.future().completeExceptionally(error(300, "the change was lost with its leader"));
        }
    }

    /**
     * Proposes the requests that waited, from the first, until one is under way again (or none
     * is left). The node loop calls it whenever entries were applied: that is when the change
     * under way, or the one a new leader must assume may be under way, is done.
     */
    void proposeWaiting() {
        while (!waiting.isEmpty() && !raft.membershipChangeUnderWay()) {
            Waiting next = waiting.poll();
            if (!next.future().isDone()) {
                next.attempt().run();
            }
        }
    }

    /** Leadership was lost: nothing pending or waiting here can be answered any more. */
    void failAll(EtcdException why) {
        pending.values().forEach(p -> p.future().completeExceptionally(why));
        pending.clear();
        waiting.forEach(w -> w.future().completeExceptionally(why));
        waiting.clear();
    }

    /** True when the request was queued (or refused) because another change is under way. */
    private boolean waits(Runnable attempt, CompletableFuture<ChangeOutcome> future) {
        if (!raft.membershipChangeUnderWay() && waiting.isEmpty()) {
            return false;
        }
        if (waiting.size() >= MAX_WAITING) {
            future.completeExceptionally(error(300, "too many membership changes waiting"));
        } else {
            waiting.add(new Waiting(attempt, future));
        }
        return true;
    }

    private boolean leadsOrRedirects(CompletableFuture<ChangeOutcome> future) {
        if (raft.isLeader()) {
            return true;
        }
        String leaderUrl = leaderPeerUrl.get();
        if (leaderUrl.isEmpty()) {
            future.completeExceptionally(error(300, "no leader"));
        } else {
            future.complete(new ChangeOutcome.NotLeader(leaderUrl));
        }
        return false;
    }

    private void propose(ConfChange change, CompletableFuture<ChangeOutcome> future) {
        ProposalOutcome outcome = raft.proposeMembershipChange(change);
        if (outcome instanceof ProposalOutcome.Accepted a) {
            pending.put(a.index(), new Pending(a.term(), future));
        } else if (outcome instanceof ProposalOutcome.Refused r) {
            future.completeExceptionally(error(300, r.reason()));
        } else {
            future.completeExceptionally(error(300, "not the leader"));
        }
    }

    private EtcdException error(int code, String cause) {
        return new EtcdException(code, cause, store.index());
    }
}
