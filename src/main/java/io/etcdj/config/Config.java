package io.etcdj.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The validated configuration of one etcd node, merged from the system config file, the
 * {@code -config} file, {@code ETCD_*} environment variables and command-line flags (later
 * sources win). Built only by {@link ConfigLoader}; every value here has been checked.
 *
 * @param name              the node's name in the cluster
 * @param nameFromHost      true when no name was given and the host name was used instead
 * @param dataDir           where the node keeps its identity, log and snapshots
 * @param client            the client listener (default advertised 127.0.0.1:4001, bound on every interface)
 * @param peer              the peer (Raft) listener (default advertised 127.0.0.1:7001, bound on every interface)
 * @param peers             host:port peer addresses to join, from {@code -peers} or {@code -peers-file}
 * @param peersFile         the file the peers were read from, if any
 * @param heartbeatTimeout  Raft heartbeat interval (default 50 ms)
 * @param electionTimeout   Raft election timeout (default 200 ms)
 * @param corsOrigins       origins allowed by CORS; {@code *} allows all; empty allows none
 * @param snapshot          whether to take snapshots of the store
 * @param snapshotCount     committed entries between two snapshots (default 10000)
 * @param maxResultBuffer   size of the result buffer (default 1024)
 * @param maxRetryAttempts  how many times to try joining the cluster (default 3)
 * @param maxClusterSize    the most machines the cluster accepts (default 9)
 * @param force             discard the identity and state found in the data dir
 * @param verbose           verbose logging
 * @param veryVerbose       very verbose logging, including Raft's
 * @param watchEarlyHeaders a v2 long-poll watch that has to wait sends its status line and headers
 *                          at once, as etcd 2 does (an extension, off by default: the headers then
 *                          carry the index at which the watch began, not the event's)
 */
public record Config(
        String name,
        boolean nameFromHost,
        Path dataDir,
        Endpoint client,
        Endpoint peer,
        List<String> peers,
        Optional<Path> peersFile,
        Duration heartbeatTimeout,
        Duration electionTimeout,
        List<String> corsOrigins,
        boolean snapshot,
        int snapshotCount,
        int maxResultBuffer,
        int maxRetryAttempts,
        int maxClusterSize,
        boolean force,
        boolean verbose,
        boolean veryVerbose,
        boolean watchEarlyHeaders) {

    public static final int DEFAULT_CLIENT_PORT = 4001;
    public static final int DEFAULT_PEER_PORT = 7001;
    public static final Duration DEFAULT_HEARTBEAT_TIMEOUT = Duration.ofMillis(50);
    public static final Duration DEFAULT_ELECTION_TIMEOUT = Duration.ofMillis(200);
    public static final int DEFAULT_SNAPSHOT_COUNT = 10000;
    public static final int DEFAULT_MAX_RESULT_BUFFER = 1024;
    public static final int DEFAULT_MAX_RETRY_ATTEMPTS = 3;
    public static final int DEFAULT_MAX_CLUSTER_SIZE = 9;

    public Config {
        peers = List.copyOf(peers);
        corsOrigins = List.copyOf(corsOrigins);
    }

    /** The URL clients are told to use, e.g. {@code http://127.0.0.1:4001}. */
    public String clientUrl() {
        return client.url();
    }

    /** The URL peers are told to use, e.g. {@code http://127.0.0.1:7001}. */
    public String peerUrl() {
        return peer.url();
    }

    /** This configuration with the identity stored in the data dir in place of the given one. */
    public Config withIdentity(NodeInfo info) throws ConfigException {
        return new Config(info.name(), false, dataDir, info.clientEndpoint(), info.peerEndpoint(), peers,
                peersFile, heartbeatTimeout, electionTimeout, corsOrigins, snapshot, snapshotCount,
                maxResultBuffer, maxRetryAttempts, maxClusterSize, force, verbose, veryVerbose,
                watchEarlyHeaders);
    }
}
