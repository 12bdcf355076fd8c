package io.etcdj.server;

import io.etcdj.peer.ChangeOutcome;
import io.etcdj.peer.JoinRequest;
import io.etcdj.raft.ConfChange;
import io.etcdj.raft.Entry;
import io.etcdj.raft.ProposalOutcome;
import io.etcdj.raft.RaftNode;
import io.etcdj.store.EtcdException;
import io.etcdj.store.Store;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Join and remove requests on their way through the log: checked on the leader (or redirected to
 * it), proposed as membership changes, and answered once the change is applied. Used by the node
 * loop only.
 */
final class MembershipChanges {
    /** @param joinId the join id of a join, empty for a removal */
    private record Pending(long term, String joinId, CompletableFuture<ChangeOutcome> future) {}

    private final RaftNode raft;
    private final Store store;
    private final Registry registry;
    private final int maxClusterSize;
    private final Supplier<String> leaderPeerUrl;
    private final Map<Long, Pending> pending = new HashMap<>();

    MembershipChanges(RaftNode raft, Store store, Registry registry, int maxClusterSize,
                      Supplier<String> leaderPeerUrl) {
        this.raft = raft;
        this.store = store;
        this.registry = registry;
        this.maxClusterSize = maxClusterSize;
        this.leaderPeerUrl = leaderPeerUrl;
    }

    void join(JoinRequest request, CompletableFuture<ChangeOutcome> future) {
        if (!leadsOrRedirects(future)) {
            return;
        }
        if (!request.supports(JoinRequest.MAX_VERSION)) {
            future.completeExceptionally(error(300, "machine " + request.name()
                    + " cannot run store version " + JoinRequest.MAX_VERSION));
            return;
        }
        if (raft.membership().contains(request.name())) {
            if (sameJoinAgain(request, future)) {
                return;
            }
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
        byte[] context = CommandCodec.encode(0, new Command.Join(request.name(), request.raftUrl(), request.etcdUrl(),
                request.joinId()));
        propose(ConfChange.add(request.name(), context), request.joinId(), future);
    }

    /**
     * A joiner that got no answer, or an error, while its join went through anyway asks again with
     * the same join id: it is answered with its own join (still under way here, or applied) rather
     * than refused as a machine that lost its data dir, whose new process has another id.
     */
    private boolean sameJoinAgain(JoinRequest request, CompletableFuture<ChangeOutcome> future) {
        String id = request.joinId();
        if (id.isEmpty()) {
            return false;
        }
        for (Pending p : pending.values()) {
            if (id.equals(p.joinId())) {
                p.future().whenComplete((outcome, failure) -> {
                    if (failure != null) {
                        future.completeExceptionally(failure);
                    } else {
                        future.complete(outcome);
                    }
                });
                return true;
            }
        }
        if (registry.joinedWith(request.name(), id)) {
            future.complete(new ChangeOutcome.Committed(raft.commitIndex()));
            return true;
        }
        return false;
    }

    void remove(String name, CompletableFuture<ChangeOutcome> future) {
        if (!leadsOrRedirects(future)) {
            return;
        }
        if (!raft.membership().contains(name)) {
            future.completeExceptionally(error(100, Registry.KEY + "/" + name));
            return;
        }
        propose(ConfChange.remove(name), "", future);
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

    /** Leadership was lost: nothing pending here can be answered any more. */
    void failAll(EtcdException why) {
        pending.values().forEach(p -> p.future().completeExceptionally(why));
        pending.clear();
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

    private void propose(ConfChange change, String joinId, CompletableFuture<ChangeOutcome> future) {
        ProposalOutcome outcome = raft.proposeMembershipChange(change);
        if (outcome instanceof ProposalOutcome.Accepted a) {
            pending.put(a.index(), new Pending(a.term(), joinId, future));
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
