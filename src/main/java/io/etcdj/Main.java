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
import io.etcdj.server.EtcdNode;
import io.etcdj.wal.CorruptLogException;
import io.etcdj.wal.DirectoryLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.BindException;
import java.time.Clock;
import java.util.LinkedHashSet;

/** The {@code etcd} command: loads the configuration, starts the node and its listeners. */
public final class Main {
    /** Milliseconds between two ticks of the Raft core. */
    private static final long TICK_MILLIS = 10;

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
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
        setUpLogging(config);
        return serve(config);
    }

    private static void setUpLogging(Config config) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
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
        EtcdNode node;
        try {
            long heartbeat = Math.max(1, config.heartbeatTimeout().toMillis() / TICK_MILLIS);
            long election = Math.max(heartbeat + 1, config.electionTimeout().toMillis() / TICK_MILLIS);
            node = EtcdNode.start(new EtcdNode.Settings(config.name(), config.peerUrl(), config.clientUrl(),
                    config.dataDir().resolve("log"), TICK_MILLIS, (int) heartbeat, (int) election,
                    config.maxClusterSize()), Clock.systemUTC());
        } catch (CorruptLogException e) {
            System.err.println("etcd: the log is damaged: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            System.err.println("etcd: cannot open the log in " + config.dataDir() + ": " + e.getMessage());
            return 1;
        }
        HttpOptions options = HttpOptions.defaults().withCorsOrigins(new LinkedHashSet<>(config.corsOrigins()));
        ClientListener client = new ClientListener(node, options);
        String bindHost = config.client().bind().anyHost() ? "0.0.0.0" : config.client().bind().host();
        try {
            client.start(bindHost, config.client().bind().port());
        } catch (Exception e) {
            String why = e instanceof BindException || e.getCause() instanceof BindException
                    ? "address already in use" : e.getMessage();
            System.err.println("etcd: cannot listen for clients on " + config.client().bind() + ": " + why);
            node.close();
            return 1;
        }
        log.info("etcd server [name {}, listen on {}, advertised url {}]", config.name(), config.client().bind(),
                config.clientUrl());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("shutting down");
            client.close();
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
}
