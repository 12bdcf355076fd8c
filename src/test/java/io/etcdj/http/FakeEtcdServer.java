package io.etcdj.http;

import io.etcdj.server.Command;
import io.etcdj.server.EtcdServer;
import io.etcdj.store.Store;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A single node without a log: proposals are applied straight to a real store, at once or, when
 * held, later on a thread of the test's choosing.
 */
final class FakeEtcdServer implements EtcdServer {
    private final Clock clock;
    private Store store;
    private final AtomicLong raftIndex = new AtomicLong();
    private final List<Runnable> held = new ArrayList<>();
    volatile boolean leader = true;
    volatile boolean holdProposals;
    volatile String leaderPeerUrl = "http://127.0.0.1:7001";
    volatile String leaderClientUrl = "http://127.0.0.1:4001";
    volatile List<String> clientUrls = List.of("http://127.0.0.1:4001");
    volatile String selfStats = "{\"name\":\"node0\",\"state\":\"leader\"}";
    volatile String leaderStats = "{\"leader\":\"node0\",\"followers\":{}}";
    final AtomicLong proposals = new AtomicLong();
    /** The thread that last asked for the raft index: the one building an answer's headers. */
    volatile Thread raftIndexReader;

    FakeEtcdServer(Clock clock) {
        this.clock = clock;
    }

    @Override
    public String name() {
        return "node0";
    }

    @Override
    public synchronized Store store() {
        if (store == null) {
            store = new Store(clock);
        }
        return store;
    }

    @Override
    public CompletableFuture<Object> propose(Command command) {
        proposals.incrementAndGet();
        CompletableFuture<Object> result = new CompletableFuture<>();
        Runnable apply = () -> {
            try {
                raftIndex.incrementAndGet();
                result.complete(apply(command));
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        };
        synchronized (held) {
            if (holdProposals) {
                held.add(apply);
                return result;
            }
        }
        apply.run();
        return result;
    }

    /** Applies every held proposal, in order, on the calling thread. */
    void releaseHeld() {
        List<Runnable> batch;
        synchronized (held) {
            batch = new ArrayList<>(held);
            held.clear();
        }
        batch.forEach(Runnable::run);
    }

    int heldCount() {
        synchronized (held) {
            return held.size();
        }
    }

    private Object apply(Command command) {
        Store s = store();
        if (command instanceof Command.Set c) {
            return s.set(c.key(), c.dir(), c.value(), c.expireTime());
        } else if (command instanceof Command.Create c) {
            return s.create(c.key(), c.dir(), c.value(), c.unique(), c.expireTime());
        } else if (command instanceof Command.Update c) {
            return s.update(c.key(), c.value(), c.expireTime());
        } else if (command instanceof Command.CompareAndSwap c) {
            return s.compareAndSwap(c.key(), c.prevValue(), c.prevIndex(), c.value(), c.expireTime());
        } else if (command instanceof Command.Delete c) {
            return s.delete(c.key(), c.dir(), c.recursive());
        } else if (command instanceof Command.Sync c) {
            s.deleteExpiredKeys(c.now());
            return null;
        }
        throw new IllegalArgumentException("not a key command: " + command);
    }

    @Override
    public CompletableFuture<Void> linearizableRead() {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public boolean isLeader() {
        return leader;
    }

    @Override
    public String leaderPeerUrl() {
        return leaderPeerUrl;
    }

    @Override
    public String leaderClientUrl() {
        return leaderClientUrl;
    }

    @Override
    public List<String> clientUrls() {
        return clientUrls;
    }

    @Override
    public long raftIndex() {
        raftIndexReader = Thread.currentThread();
        return raftIndex.get();
    }

    @Override
    public long raftTerm() {
        return 1;
    }

    @Override
    public String selfStatsJson() {
        return selfStats;
    }

    @Override
    public String leaderStatsJson() {
        return leaderStats;
    }
}
