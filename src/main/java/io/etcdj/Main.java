package io.etcdj;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import io.etcdj.config.Config;
import io.etcdj.config.ConfigException;
import io.etcdj.config.ConfigLoader;
import io.etcdj.config.DataDir;
import io.etcdj.config.LoadResult;
import io.etcdj.http.ClientListener;
import io.etcdj.http.HttpOptions;
import io.etcdj.config.HostPort;
import io.etcdj.peer.JoinClient;
import io.etcdj.peer.JoinException;
import io.etcdj.peer.JoinRequest;
import io.etcdj.peer.PeerListener;
import io.etcdj.server.EtcdNode;
import io.etcdj.server.RemovedFromClusterException;
import io.etcdj.tls.TlsConfigException;
import io.etcdj.tls.TlsContexts;
import io.etcdj.wal.CorruptLogException;
import io.netty.handler.ssl.SslContext;
import io.etcdj.wal.DirectoryLock;
import io.etcdj.wal.WriteAheadLog;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.BindException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.LinkedHashSet;

/** The {@code etcd} command: loads the configuration, starts the node and its listeners. */
public final class Main {
    /** Milliseconds between two ticks of the Raft core. */
    private static final long TICK_MILLIS = 10;
    /** How long a removed machine waits for its listeners to send the answers they hold. */
    private static final Duration REMOVAL_FLUSH = Duration.ofSeconds(2);

    /** Closes the listeners once they are up; until then a removal has nothing to flush. */
    private static volatile Runnable closeListeners = () -> { };

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args, startLogging()));
    }

    /**
     * Sets Logback up on a thread of its own, beside the configuration's loading and the data
     * dir's preparation, which log nothing: finding the configurator, starting the encoder and
     * its date format take a fifth of an empty start, interpreted. Whoever logs first waits for
     * it ({@link #setUpLogging}); SLF4J would hand a logger asked for meanwhile a stand-in.
     */
    private static CompletableFuture<ILoggerFactory> startLogging() {
        return onThreadOfItsOwn("logging-setup", LoggerFactory::getILoggerFactory);
    }

    /** Runs {@code work} on a daemon thread named {@code name}; its result or failure completes the future. */
    private static <T> CompletableFuture<T> onThreadOfItsOwn(String name, Supplier<T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                result.complete(work.get());
            } catch (RuntimeException | Error e) {
                result.completeExceptionally(e);
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return result;
    }

    static int run(String[] args, CompletableFuture<ILoggerFactory> logging) {
        LoadResult result = ConfigLoader.load(args, System.getenv(), ConfigLoader.SYSTEM_CONFIG_FILE);
        result.warnings().forEach(System.err::println);
        if (result instanceof LoadResult.Print p) {
            System.out.println(p.text());
            return p.exitCode();
        }
        if (result instanceof LoadResult.Failure f) {
            System.err.println(f.message());
            return f.exitCode();
        }
        Config config = ((LoadResult.Loaded) result).config();
        DataDir.Prepared prepared;
        try {
            prepared = DataDir.prepare(config);
        } catch (ConfigException e) {
            System.err.println("etcd: " + e.getMessage());
            return 1;
        }
        prepared.warnings().forEach(System.err::println);
        config = prepared.config();
        setUpLogging(config, logging.join());
        return serve(config);
    }

    private static void setUpLogging(Config config, ILoggerFactory factory) {
        LoggerContext context = (LoggerContext) factory;
        context.putProperty("node", config.name());
        if (config.verbose() || config.veryVerbose()) {
            context.getLogger("io.etcdj").setLevel(config.veryVerbose() ? Level.TRACE : Level.DEBUG);
        }
    }

    private static int serve(Config config) {
        Logger log = LoggerFactory.getLogger(Main.class);
        DirectoryLock lock;
        try {
            lock = DirectoryLock.acquire(config.dataDir());
        } catch (IOException e) {
            System.err.println("etcd: " + e.getMessage());
            return 1;
        }
        List<String> peers = config.peers();
        SslContext clientTls;
        SslContext peerServerTls;
        SslContext peerClientTls;
        try {
            clientTls = TlsContexts.server(config.client().tls());
            peerServerTls = TlsContexts.server(config.peer().tls());
            peerClientTls = TlsContexts.client(config.peer().tls());
        } catch (TlsConfigException e) {
            System.err.println("etcd: " + e.getMessage());
            return 1;
        }
        EtcdNode node;
        try {
            long heartbeat = Math.max(1, config.heartbeatTimeout().toMillis() / TICK_MILLIS);
            long election = Math.max(heartbeat + 1, config.electionTimeout().toMillis() / TICK_MILLIS);
            node = EtcdNode.start(new EtcdNode.Settings(config.name(), config.peerUrl(), config.clientUrl(),
                    config.dataDir().resolve("log"), TICK_MILLIS, (int) heartbeat, (int) election,
                    config.maxClusterSize(), !peers.isEmpty(), peerClientTls,
                    config.snapshot() ? config.dataDir().resolve("snapshot") : null, config.snapshotCount(),
                    WriteAheadLog.SEGMENT_BYTES),
                    Clock.systemUTC(), Main::fatal);
        } catch (CorruptLogException e) {
            System.err.println("etcd: the log is damaged: " + e.getMessage());
            return 1;
        } catch (io.etcdj.wal.CorruptSnapshotException e) {
            System.err.println("etcd: a snapshot is damaged: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            System.err.println("etcd: cannot open the log in " + config.dataDir() + ": " + e.getMessage());
            return 1;
        }
        // The client listener's routes and handlers take a while to build (classes to load): that
        // runs on another thread beside the peer listener's start and the join. Nothing is served
        // before start() below binds the port.
        HttpOptions options = HttpOptions.defaults().withCorsOrigins(new LinkedHashSet<>(config.corsOrigins()))
                .withWatchEarlyHeaders(config.watchEarlyHeaders());
        if (clientTls != null) {
            options = options.withSslContext(clientTls);
        }
        CompletableFuture<ClientListener> clientBuilt = build(node, options);
        PeerListener peer = new PeerListener(node, peerServerTls);
        if (!listen("peers", config.peer().bind(), () -> peer.start(hostOf(config.peer().bind()),
                config.peer().bind().port()))) {
            node.close();
            return 1;
        }
        if (node.needsToJoin()) {
            // A new machine, or one removed from the cluster that comes back with its log: ask the
            // cluster to take it in, then wait until it has caught up.
            List<String> via = peers.isEmpty() ? node.knownPeerUrls() : peers;
            if (via.isEmpty()) {
                System.err.println("etcd: this machine is not a member of its cluster and knows no machine to "
                        + "rejoin through; give one with -peers");
                peer.close();
                node.close();
                return 1;
            }
            if (node.appliedIndex() > 0) {
                log.info("this machine is not a member of its cluster any more: rejoining via {}", via);
            }
            try (JoinClient joiner = new JoinClient(peerClientTls, Duration.ofSeconds(5), Duration.ofSeconds(1))) {
                long joinIndex = joiner.join(via, JoinRequest.of(config.name(), config.peerUrl(),
                        config.clientUrl()), config.maxRetryAttempts());
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (node.appliedIndex() < joinIndex && System.nanoTime() < deadline) {
                    LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
                }
            } catch (JoinException e) {
                System.err.println("etcd: " + e.getMessage());
                peer.close();
                node.close();
                return 1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 1;
            }
        } else if (!peers.isEmpty()) {
            log.info("the data dir already holds this machine's log: rejoining without -peers");
        }
        ClientListener client = clientBuilt.join();
        if (!listen("clients", config.client().bind(), () -> client.start(hostOf(config.client().bind()),
                config.client().bind().port()))) {
            peer.close();
            node.close();
            return 1;
        }
        closeListeners = () -> {
            client.close();
            peer.close();
        };
        log.info("etcd server [name {}, listen on {}, advertised url {}]", config.name(), config.client().bind(),
                config.clientUrl());
        log.info("peer server [name {}, listen on {}, advertised url {}]", config.name(), config.peer().bind(),
                config.peerUrl());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("shutting down");
            client.close();
            peer.close();
            node.close();
            try {
                lock.close();
            } catch (IOException ignored) {
                // the process is ending; the OS drops the lock anyway
            }
        }, "shutdown"));
        try {
            Thread.currentThread().join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /** Builds the client listener (without binding it) on a thread of its own. */
    private static CompletableFuture<ClientListener> build(EtcdNode node, HttpOptions options) {
        return onThreadOfItsOwn("client-setup", () -> new ClientListener(node, options));
    }

    private interface Start {
        void run() throws Exception;
    }

    private static boolean listen(String what, HostPort address, Start start) {
        try {
            start.run();
            return true;
        } catch (Exception e) {
            String why = e instanceof BindException || e.getCause() instanceof BindException
                    || String.valueOf(e.getMessage()).contains("Address already in use")
                    ? "address already in use" : e.getMessage();
            System.err.println("etcd: cannot listen for " + what + " on " + address + ": " + why);
            return false;
        }
    }

    private static String hostOf(HostPort bind) {
        return bind.anyHost() ? "0.0.0.0" : bind.host();
    }

    /**
     * The node loop failed or this machine was removed; the loop has stopped. After a failure
     * nothing more is safe: stop at once. After a removal, let the listeners send what they hold
     * first (a removed leader holds the answer to its own removal), for at most
     * {@link #REMOVAL_FLUSH}; closing a connection runs after the writes queued on it.
     */
    private static void fatal(Throwable why) {
        System.err.println("etcd: stopping: " + why.getMessage());
        if (!(why instanceof RemovedFromClusterException)) {
            Runtime.getRuntime().halt(2);
        }
        Thread flush = new Thread(() -> {
            closeListeners.run();
            Runtime.getRuntime().halt(2);
        }, "removed");
        flush.setDaemon(true);
        flush.start();
        try {
            flush.join(REMOVAL_FLUSH.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Runtime.getRuntime().halt(2);
    }
}
