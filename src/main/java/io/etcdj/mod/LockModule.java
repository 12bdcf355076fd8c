package io.etcdj.mod;

import io.etcdj.http.ClientRequest;
import io.etcdj.http.CommandDispatch;
import io.etcdj.http.DecimalNumbers;
import io.etcdj.http.Reply;
import io.etcdj.http.RequestLimits;
import io.etcdj.http.RouteHandler;
import io.etcdj.server.Command;
import io.etcdj.server.EtcdServer;
import io.etcdj.store.EtcdException;
import io.etcdj.store.Event;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code /mod/v2/lock/<key>}: acquire (POST), renew (PUT), release (DELETE) and look up (GET) a
 * lock kept as in-order nodes below {@code /_etcd/mod/lock/<key>}. Parameters are checked where the
 * request arrives; every write is then served by the leader (a follower redirects it, as the keys
 * API does) and proposed through the log. Lookups read the local store.
 */
public final class LockModule {
    /** A timeout beyond this is as good as none (and stays clear of overflowing a deadline). */
    private static final long LONGEST_TIMEOUT_SECONDS = 10L * 365 * 24 * 3600;

    private final EtcdServer server;
    private final CommandDispatch dispatch;
    private final Clock clock;

    public LockModule(EtcdServer server, CommandDispatch dispatch, Clock clock) {
        this.server = server;
        this.dispatch = dispatch;
        this.clock = clock;
    }

    /** The route of the module, to mount on the prefix {@code /mod/v2/lock}. */
    public RouteHandler routes() {
        return new ModuleMount("/mod/v2/lock", Map.of(
                "GET", (request, key) -> lookup(key, request.form().get("field")),
                "POST", (request, key) -> acquire(request, key, request.form().get("value"),
                        request.form().get("timeout"), request.form().get("ttl")),
                "PUT", (request, key) -> renew(request, key, request.form().get("index"),
                        request.form().get("value"), request.form().get("ttl")),
                "DELETE", (request, key) -> release(request, key, request.form().get("index"),
                        request.form().get("value"))));
    }

    /** The holder's value or index ({@code field}, "value" when empty); an empty 200 when none. */
    CompletableFuture<Reply> lookup(String key, String field) {
        LockNodes queue;
        try {
            queue = LockNodes.read(server.store(), LockNodes.lockPath(key));
        } catch (EtcdException e) {
            return ModReplies.failed("read lock error: " + ClientLibraryErrors.describe(e, server));
        }
        LockNode holder = queue.first();
        if (holder == null) {
            return CompletableFuture.completedFuture(Reply.emptyOk());
        }
        return switch (field.isEmpty() ? "value" : field) {
            case "index" -> CompletableFuture.completedFuture(ModReplies.text(holder.name()));
            case "value" -> CompletableFuture.completedFuture(ModReplies.text(holder.value()));
            default -> ModReplies.failed("read lock error: invalid field: " + field);
        };
    }

    /**
     * Takes the lock and answers its index once it is held. A value already queued is not queued
     * again: at the head its TTL is refreshed, behind it that entry's turn is awaited.
     */
    CompletableFuture<Reply> acquire(ClientRequest request, String key, String value, String timeoutText,
                                     String ttlText) {
        long timeout = -1;
        if (!timeoutText.isEmpty()) {
            try {
                timeout = Math.min(DecimalNumbers.parseSigned(timeoutText), LONGEST_TIMEOUT_SECONDS);
            } catch (NumberFormatException e) {
                return ModReplies.failed("invalid timeout: " + timeoutText);
            }
        }
        long ttl;
        try {
            ttl = DecimalNumbers.parseSigned(ttlText);
        } catch (NumberFormatException e) {
            return ModReplies.failed("invalid ttl: " + ttlText);
        }
        if (!server.isLeader()) {
            return CompletableFuture.completedFuture(dispatch.toLeader(request));
        }
        String lockPath = LockNodes.lockPath(key);
        if (!value.isEmpty()) {
            LockNodes queue = readOrNull(lockPath);
            int position = queue == null ? -1 : queue.positionOf(value);
            if (position == 0) {
                return refreshHolder(queue.get(0), ttl);
            }
            if (position > 0) {
                return awaitTurnOf(request, lockPath, queue.get(position), timeout);
            }
        }
        return new Acquisition(request, lockPath, value.isEmpty() ? "-" : value, ttl, timeout).start();
    }

    /** Renews the TTL of a lock node found by index or by value (and takes {@code value} if both are given). */
    CompletableFuture<Reply> renew(ClientRequest request, String key, String index, String value, String ttlText) {
        long ttl;
        try {
            ttl = DecimalNumbers.parseSigned(ttlText);
        } catch (NumberFormatException e) {
            return ModReplies.failed("invalid ttl: " + GoNumbers.atoiError(ttlText));
        }
        if (index.isEmpty() && value.isEmpty()) {
            return ModReplies.failed("renew lock error: index or value required");
        }
        if (!server.isLeader()) {
            return CompletableFuture.completedFuture(dispatch.toLeader(request));
        }
        LockNodeKey found = findNode(key, index, value, "renew");
        if (found.failure() != null) {
            return found.failure();
        }
        String nodeKey = found.key();
        if (value.isEmpty()) {
            try {
                String current = server.store().get(nodeKey, false, false).node().value();
                value = current == null ? "" : current;
            } catch (EtcdException e) {
                return ModReplies.failed("renew lock value error: " + ClientLibraryErrors.describe(e, server));
            }
        }
        Command update;
        try {
            update = update(nodeKey, value, ttl);
        } catch (EtcdException e) {
            return ModReplies.failed("renew lock error: " + ClientLibraryErrors.describe(e, server));
        }
        return propose(update).handleAsync((event, failure) -> failure == null ? Reply.emptyOk()
                : ModReplies.error("renew lock error: " + ClientLibraryErrors.describe(failure, server)),
                request.executor());
    }

    /** A lock node's key, or the answer explaining why it could not be found. */
    private record LockNodeKey(String key, CompletableFuture<Reply> failure) {}

    /**
     * The key of the lock node of {@code key} named by {@code index}, or by {@code value} when no
     * index is given; {@code operation} ("renew", "release") begins the error texts, as in v0.2.0.
     */
    private LockNodeKey findNode(String key, String index, String value, String operation) {
        String lockPath = LockNodes.lockPath(key);
        if (index.isEmpty()) {
            LockNodes queue;
            try {
                queue = LockNodes.read(server.store(), lockPath);
            } catch (EtcdException e) {
                return new LockNodeKey(null, ModReplies.failed(operation + " lock index error: "
                        + ClientLibraryErrors.describe(e, server)));
            }
            int position = queue.positionOf(value);
            if (position < 0) {
                return new LockNodeKey(null, ModReplies.failed(operation + " lock error: cannot find: " + value));
            }
            index = queue.get(position).name();
        }
        String nodeKey = nodeKey(lockPath, index);
        if (nodeKey == null) {
            return new LockNodeKey(null, ModReplies.failed(operation + " lock error: invalid index: " + index));
        }
        return new LockNodeKey(nodeKey, null);
    }

    /** Deletes one lock node, found by index or by value. */
    CompletableFuture<Reply> release(ClientRequest request, String key, String index, String value) {
        if (index.isEmpty() && value.isEmpty()) {
            return ModReplies.failed("release lock error: index or value required");
        }
        if (!index.isEmpty() && !value.isEmpty()) {
            return ModReplies.failed("release lock error: index and value cannot both be specified");
        }
        if (!server.isLeader()) {
            return CompletableFuture.completedFuture(dispatch.toLeader(request));
        }
        LockNodeKey found = findNode(key, index, value, "release");
        if (found.failure() != null) {
            return found.failure();
        }
        String nodeKey = found.key();
        return propose(new Command.Delete(nodeKey, false, false)).handleAsync((event, failure) -> failure == null
                ? Reply.emptyOk()
                : ModReplies.error("release lock error: " + ClientLibraryErrors.describe(failure, server)),
                request.executor());
    }

    /** The absolute expiration of a TTL in seconds as the reference's client sent it: none for 0. */
    static Instant expireTime(long ttlSeconds, Clock clock) {
        // a negative TTL went out as a 64-bit unsigned number, which the keys API refuses
        return ttlSeconds == 0 ? null : DecimalNumbers.expireTime(Long.toUnsignedString(ttlSeconds), clock);
    }

    /**
     * The key of the lock node named {@code index}, or null when the name does not stay a child of
     * the lock (the reference joined any text to the lock's path, so {@code index=../../x}
     * reached keys outside it).
     */
    static String nodeKey(String lockPath, String index) {
        String key = LockNodes.join(lockPath, index);
        int slash = key.lastIndexOf('/');
        return slash > 0 && key.substring(0, slash).equals(lockPath) ? key : null;
    }

    private Command update(String nodeKey, String value, long ttl) {
        Instant expireTime;
        try {
            expireTime = expireTime(ttl, clock);
        } catch (NumberFormatException e) {
            throw new EtcdException(EtcdException.TTL_NAN, "Update", server.store().index());
        }
        if (value.isEmpty() && expireTime == null) {
            throw new EtcdException(EtcdException.VALUE_OR_TTL_REQUIRED, "Update", server.store().index());
        }
        return new Command.Update(nodeKey, value, expireTime);
    }

    private CompletableFuture<Object> propose(Command command) {
        try {
            RequestLimits.check(command, server.store().index());
        } catch (EtcdException e) {
            return CompletableFuture.failedFuture(e);
        }
        return server.propose(command);
    }

    private LockNodes readOrNull(String lockPath) {
        try {
            return LockNodes.read(server.store(), lockPath);
        } catch (EtcdException e) {
            return null;
        }
    }

    /** The value already holds the lock: refresh its TTL and answer its index. */
    private CompletableFuture<Reply> refreshHolder(LockNode holder, long ttl) {
        Command refresh;
        try {
            refresh = update(holder.key(), holder.value(), ttl);
        } catch (EtcdException e) {
            return ModReplies.failed("acquire lock error: " + ClientLibraryErrors.describe(e, server));
        }
        return propose(refresh).handle((event, failure) -> failure == null ? ModReplies.text(holder.name())
                : ModReplies.error("acquire lock error: " + ClientLibraryErrors.describe(failure, server)));
    }

    /** The value is queued by another request: wait for that entry's turn, leaving it in place. */
    private CompletableFuture<Reply> awaitTurnOf(ClientRequest request, String lockPath, LockNode queued,
                                                 long timeout) {
        LockWait wait = new LockWait(server, request.executor(), clock, lockPath, queued, false, 0);
        request.onClose(wait::cancel);
        return wait.start(timeout).handle((held, failure) -> failure == null ? ModReplies.text(queued.name())
                : ModReplies.error(ClientLibraryErrors.unwrap(failure).getMessage()));
    }

    /**
     * A new entry in the queue: created, waited on, and refreshed once more when its turn comes. It
     * leaves the queue (its node deleted) when the wait fails, times out, or the client goes away
     * before the answer is written.
     */
    private final class Acquisition {
        private final ClientRequest request;
        private final String lockPath;
        private final String value;
        private final long ttl;
        private final long timeout;
        private final CompletableFuture<Reply> reply = new CompletableFuture<>();
        private LockNode own;
        private LockWait wait;
        private boolean clientGone;

        Acquisition(ClientRequest request, String lockPath, String value, long ttl, long timeout) {
            this.request = request;
            this.lockPath = lockPath;
            this.value = value;
            this.ttl = ttl;
            this.timeout = timeout;
        }

        CompletableFuture<Reply> start() {
            Command create;
            try {
                Instant expireTime;
                try {
                    expireTime = expireTime(ttl, clock);
                } catch (NumberFormatException e) {
                    throw new EtcdException(EtcdException.TTL_NAN, "Create", server.store().index());
                }
                create = new Command.Create(lockPath, false, value, true, expireTime);
            } catch (EtcdException e) {
                return ModReplies.failed("acquire lock index error: " + ClientLibraryErrors.describe(e, server));
            }
            request.onClose(this::clientLeft);
            propose(create).whenCompleteAsync(this::created, request.executor());
            return reply;
        }

        private void created(Object result, Throwable failure) {
            if (failure != null || !(result instanceof Event event)) {
                Throwable why = failure != null ? failure : new IllegalStateException("no event");
                reply.complete(ModReplies.error("acquire lock index error: " + ClientLibraryErrors.describe(why, server)));
                return;
            }
            String key = event.node().key();
            String name = key.substring(key.lastIndexOf('/') + 1);
            own = new LockNode(key, name, LockNodes.rank(name), value, false);
            if (clientGone) {
                leaveQueue();
                return;
            }
            wait = new LockWait(server, request.executor(), clock, lockPath, own, true, ttl);
            wait.start(timeout).whenComplete((held, waitFailure) -> waited(waitFailure));
        }

        private void waited(Throwable failure) {
            if (failure != null) {
                leaveQueue();
                reply.complete(ModReplies.error(ClientLibraryErrors.unwrap(failure).getMessage()));
                return;
            }
            // the turn has come: give the holder its full TTL from now, then answer
            propose(update(own.key(), value, ttl)).whenCompleteAsync((event, refreshFailure) -> {
                if (refreshFailure != null) {
                    leaveQueue();
                    reply.complete(ModReplies.error("acquire lock error: "
                            + ClientLibraryErrors.describe(refreshFailure, server)));
                } else if (clientGone) {
                    leaveQueue();
                } else {
                    reply.complete(ModReplies.text(own.name()));
                }
            }, request.executor());
        }

        private void clientLeft() {
            clientGone = true;
            if (wait != null) {
                wait.cancel(); // its failure deletes the node
            }
        }

        private void leaveQueue() {
            if (own != null) {
                server.propose(new Command.Delete(own.key(), false, false));
            }
        }
    }
}
