package io.etcdj.mod;

import io.etcdj.server.Command;
import io.etcdj.server.EtcdServer;
import io.etcdj.store.Store;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A single leader without a log, for driving the modules step by step: proposals wait until the
 * test applies them to a real store, one at a time and in the order it chooses (as a loaded node
 * may order the commands of two connections either way).
 */
final class HeldProposalsServer implements EtcdServer {
    /** A proposed command, not applied yet. */
    record Held(Command command, CompletableFuture<Object> future) {
    }

    private final Store store;
    private final List<Held> held = new ArrayList<>();

    HeldProposalsServer(Store store) {
        this.store = store;
    }

    /** The proposals not applied yet, oldest first. */
    List<Held> held() {
        return List.copyOf(held);
    }

    /** Applies one held proposal and completes its future (on the calling thread). */
    void apply(Held proposal) {
        if (!held.remove(proposal)) {
            throw new IllegalArgumentException("not held: " + proposal.command());
        }
        try {
            proposal.future().complete(applyToStore(proposal.command()));
        } catch (RuntimeException e) {
            proposal.future().completeExceptionally(e);
        }
    }

    /** Applies every held proposal, oldest first, including those proposed meanwhile. */
    void applyAll() {
        while (!held.isEmpty()) {
            apply(held.get(0));
        }
    }

    private Object applyToStore(Command command) {
        if (command instanceof Command.Create c) {
            return store.create(c.key(), c.dir(), c.value(), c.unique(), c.expireTime());
        } else if (command instanceof Command.Update c) {
            return store.update(c.key(), c.value(), c.expireTime());
        } else if (command instanceof Command.Delete c) {
            return store.delete(c.key(), c.dir(), c.recursive());
        }
        throw new IllegalArgumentException("not a lock command: " + command);
    }

    @Override
    public String name() {
        return "node0";
    }

    @Override
    public Store store() {
        return store;
    }

    @Override
    public CompletableFuture<Object> propose(Command command) {
        CompletableFuture<Object> future = new CompletableFuture<>();
        held.add(new Held(command, future));
        return future;
    }

    @Override
    public CompletableFuture<Void> linearizableRead() {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public boolean isLeader() {
        return true;
    }

    @Override
    public String leaderPeerUrl() {
        return "";
    }

    @Override
    public String leaderClientUrl() {
        return "";
    }

    @Override
    public List<String> clientUrls() {
        return List.of("http://127.0.0.1:4001");
    }

    @Override
    public long raftIndex() {
        return store.index();
    }

    @Override
    public long raftTerm() {
        return 1;
    }

    @Override
    public String selfStatsJson() {
        return "{}";
    }

    @Override
    public String leaderStatsJson() {
        return "{}";
    }
}
