package io.etcdj.server;

import io.etcdj.peer.ChangeOutcome;
import io.etcdj.peer.JoinRequest;
import io.etcdj.raft.ConfChange;
import io.etcdj.raft.Entry;
import io.etcdj.raft.ProposalOutcome;
import io.etcdj.raft.RaftNode;
import io.etcdj.store.EtcdException;
import io.etcdj.store.Store;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Join and remove requests on their way through the log: checked on the leader (or redirected to
 * it), proposed as membership changes, and answered once the change is applied. Used by the node
 * loop only.
 *
 * <p>Raft takes one membership change at a time. A join that arrives while a change proposed here
 * is under way waits for it, for at most {@link #MAX_JOIN_WAIT}, and is proposed as soon as that
 * change is applied, instead of being refused and asked again by the joiner after a pause: when
 * machines start together, that pause came once per joiner. The wait is far shorter than the
 * joiner's request timeout; a join answered with an error (or not at all) that goes through anyway
 * is recognised by its join id when the joiner asks again.
 */
final class MembershipChanges {
    /** How long a join may wait here for the change before it; then the joiner is told to ask again. */
    static final Duration MAX_JOIN_WAIT = Duration.ofSeconds(2);

    /**
     * @param joiner the name of the machine a join adds, empty for a removal
     * @param joinId the join id of a join, empty for a removal
     */
    private record Pending(long term, String joiner, String joinId, CompletableFuture<ChangeOutcome> future) {}

    /** A join waiting for the change under way, with the {@link #clock} reading it must leave by. */
    private record Waiting(JoinRequest request, CompletableFuture<ChangeOutcome> future, long deadline) {}

    private final RaftNode raft;
    private final Store store;
    private final Registry registry;
    private final int maxClusterSize;
    private final Supplier<String> leaderPeerUrl;
    private final LongSupplier clock;
    private final BiConsumer<String, String> joinProposed;
    private final Consumer<String> joinAbandoned;
    private final Map<Long, Pending> pending = new HashMap<>();
    /**
     * Joins proposed here whose requests were failed when the leadership was lost, by the index of
     * their entries: the entry may still commit under the next leader, so the stream opened for the
     * joiner stays until a membership entry applied at or after that index says.
     */
    private final Map<Long, Pending> undecided = new HashMap<>();
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();

    /**
     * @param joinProposed  told the name and peer URL of a machine whose join was just proposed, so
     *                      that the leader opens its stream to it while the change commits: the
     *                      first append, sent as soon as the change is applied, then finds the
     *                      stream open instead of waiting for a cold connection and upgrade
     * @param joinAbandoned told the name of a machine whose proposed join is known not to have gone
     *                      into the log (another entry was applied at its index or after it), so
     *                      that the stream opened for it is closed again
     */
    MembershipChanges(RaftNode raft, Store store, Registry registry, int maxClusterSize,
                      Supplier<String> leaderPeerUrl, BiConsumer<String, String> joinProposed,
                      Consumer<String> joinAbandoned) {
        this(raft, store, registry, maxClusterSize, leaderPeerUrl, joinProposed, joinAbandoned, System::nanoTime);
    }

    /** @param clock nanoseconds, as {@link System#nanoTime()} */
    MembershipChanges(RaftNode raft, Store store, Registry registry, int maxClusterSize,
                      Supplier<String> leaderPeerUrl, BiConsumer<String, String> joinProposed,
                      Consumer<String> joinAbandoned, LongSupplier clock) {
        this.raft = raft;
        this.store = store;
        this.registry = registry;
        this.maxClusterSize = maxClusterSize;
        this.leaderPeerUrl = leaderPeerUrl;
        this.joinProposed = joinProposed;
        this.joinAbandoned = joinAbandoned;
        this.clock = clock;
    }

    void join(JoinRequest request, CompletableFuture<ChangeOutcome> future) {
        expireWaiting();
        if (!leadsOrRedirects(future)) {
            return;
        }
        if (replacesWaiting(request, future)) {
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
            if (registry.lookup(request.name()) == null) {
                // Raft has applied the change that added this name, the applier not yet: until it
                // has, whether that was this joiner's own join (its join id says) is unknown here.
                future.completeExceptionally(error(300, "the join of " + request.name()
                        + " is being applied; ask again"));
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
        if (!pending.isEmpty()) {
            if (waiting.size() >= maxClusterSize) {
                future.completeExceptionally(error(300, "another membership change is under way"));
                return;
            }
            waiting.add(new Waiting(request, future, clock.getAsLong() + MAX_JOIN_WAIT.toNanos()));
            return;
        }
        byte[] context = CommandCodec.encode(0, new Command.Join(request.name(), request.raftUrl(), request.etcdUrl(),
                request.joinId()));
        if (propose(ConfChange.add(request.name(), context), request.name(), request.joinId(), future)) {
            joinProposed.accept(request.name(), request.raftUrl());
        }
    }

    /**
     * The same join asked again while it waits here (its first request timed out at the joiner):
     * the new request keeps the first one's place in the line and gets the same answer.
     */
    private boolean replacesWaiting(JoinRequest request, CompletableFuture<ChangeOutcome> future) {
        if (request.joinId().isEmpty()) {
            return false;
        }
        for (Waiting w : waiting) {
            if (w.request().name().equals(request.name()) && w.request().joinId().equals(request.joinId())) {
                w.future().whenComplete((outcome, failure) -> {
                    if (failure != null) {
                        future.completeExceptionally(failure);
                    } else {
                        future.complete(outcome);
                    }
                });
                return true;
            }
        }
        return false;
    }

    /** Proposes the joins that waited, in the order they came, as long as nothing else is under way. */
    private void proposeWaiting() {
        expireWaiting();
        while (pending.isEmpty() && !waiting.isEmpty()) {
            Waiting w = waiting.poll();
            join(w.request(), w.future());
        }
    }

    /** Tells the joins that waited too long to ask again; the node loop calls it on its ticks too. */
    void expireWaiting() {
        long now = clock.getAsLong();
        for (Iterator<Waiting> it = waiting.iterator(); it.hasNext(); ) {
            Waiting w = it.next();
            if (now - w.deadline() >= 0) {
                w.future().completeExceptionally(error(300, "another membership change is still under way"));
                it.remove();
            }
        }
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
        propose(ConfChange.remove(name), "", "", future);
    }

    /** A membership change entry was applied: answers the request that proposed it here, if any. */
    void applied(Entry e) {
        decideUndecided(e);
        Pending p = pending.remove(e.index());
        if (p != null) {
            if (p.term() == e.term()) {
                p.future().complete(new ChangeOutcome.Committed(e.index()));
            } else {
                p.future().completeExceptionally(error(300, "the change was lost with its leader"));
                abandoned(p);
            }
        }
        proposeWaiting();
    }

    /**
     * A join whose request was failed with the leadership went in, or will never: membership entries
     * are applied in order, so one applied at a later index means the join's entry was not one.
     */
    private void decideUndecided(Entry e) {
        for (Iterator<Map.Entry<Long, Pending>> it = undecided.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, Pending> u = it.next();
            if (u.getKey() < e.index() || (u.getKey() == e.index() && u.getValue().term() != e.term())) {
                abandoned(u.getValue());
                it.remove();
            } else if (u.getKey() == e.index()) {
                it.remove();
            }
        }
    }

    /**
     * Leadership was lost: nothing pending or waiting here can be answered any more. A proposed
     * join's entry may still commit, so its joiner's stream is kept until that is decided.
     */
    void failAll(EtcdException why) {
        pending.forEach((index, p) -> {
            p.future().completeExceptionally(why);
            if (!p.joiner().isEmpty()) {
                undecided.put(index, p);
            }
        });
        pending.clear();
        waiting.forEach(w -> w.future().completeExceptionally(why));
        waiting.clear();
    }

    private void abandoned(Pending p) {
        if (!p.joiner().isEmpty()) {
            joinAbandoned.accept(p.joiner());
        }
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

    /** @return whether the change went into the log */
    private boolean propose(ConfChange change, String joiner, String joinId, CompletableFuture<ChangeOutcome> future) {
        ProposalOutcome outcome = raft.proposeMembershipChange(change);
        if (outcome instanceof ProposalOutcome.Accepted a) {
            pending.put(a.index(), new Pending(a.term(), joiner, joinId, future));
            return true;
        } else if (outcome instanceof ProposalOutcome.Refused r) {
            future.completeExceptionally(error(300, r.reason()));
        } else {
            future.completeExceptionally(error(300, "not the leader"));
        }
        return false;
    }

    private EtcdException error(int code, String cause) {
        return new EtcdException(code, cause, store.index());
    }
}
