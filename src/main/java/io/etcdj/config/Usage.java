package io.etcdj.config;

/** The text {@code -h} and {@code -help} print. */
final class Usage {
    private Usage() {}

    static final String TEXT = """
            etcd: a highly-available key-value store for shared configuration and service discovery

            Usage:
              etcd -name <name> [-data-dir=<path>] [options]
              etcd -h | -help
              etcd -version

            Options:
              -h, -help         Print this text and exit.
              -version          Print the version and exit.
              -f, -force        Discard the node identity and state kept in the data dir.
              -config=<path>    Read settings from a TOML file (before the environment and flags).
              -name=<name>      The node's name in the cluster (default: the host name).
              -data-dir=<path>  Where the node keeps its data (default: <name>.etcd).
              -cors=<origins>   Comma-separated origins allowed by CORS ('*' for any).
              -v                Verbose logging.
              -vv               Very verbose logging, including Raft's.

            Cluster options:
              -peers=<host:port>,...  Peers to join: their -peer-addr values, comma-separated.
              -peers-file=<path>      A file holding that comma-separated list.

            Client options:
              -addr=<host:port>         Address clients are told to use (default 127.0.0.1:4001).
              -bind-addr=<host[:port]>  Address the client listener binds (default: every
                                        interface, on the port of -addr).
              -ca-file=<path>           CA that client certificates must be signed by.
              -cert-file=<path>         Certificate of the client listener (with -key-file: HTTPS).
              -key-file=<path>          Key of the client listener.

            Peer options:
              -peer-addr=<host:port>         Address peers are told to use (default 127.0.0.1:7001).
              -peer-bind-addr=<host[:port]>  Address the peer listener binds (default: every
                                             interface, on the port of -peer-addr).
              -peer-ca-file=<path>           CA that peer certificates must be signed by.
              -peer-cert-file=<path>         Certificate of the peer listener.
              -peer-key-file=<path>          Key of the peer listener.
              -peer-heartbeat-timeout=<ms>   Heartbeat interval in milliseconds (default 50).
              -peer-election-timeout=<ms>    Election timeout in milliseconds (default 200).

            Other options:
              -max-result-buffer=<n>   Size of the result buffer (default 1024).
              -max-retry-attempts=<n>  Attempts to join the cluster (default 3).
              -max-cluster-size=<n>    Most machines the cluster accepts (default 9).
              -snapshot[=true|false]   Take snapshots of the store (default true).
              -snapshot-count=<n>      Committed entries between snapshots (default 10000).

            Extensions:
              -watch-early-headers[=true|false]  A v2 watch that waits sends its status line and
                                                 headers at once, as etcd 2 does (default false).

            Flags take one dash or two, and -flag=value or -flag value.
            Precedence: /etc/etcd/etcd.conf < -config file < ETCD_* variables < flags.""";
}
