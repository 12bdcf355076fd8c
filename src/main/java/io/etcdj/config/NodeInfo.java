package io.etcdj.config;

/**
 * The identity a node keeps in its data dir, in the file {@code info}, so that a restarted
 * node is the same cluster member whatever its flags say: its name, the URLs it advertises,
 * the addresses it binds and its TLS files. {@link NodeInfoJson} reads and writes it with the
 * reference's JSON keys, so a data dir written by etcd v0.2.0 reads back.
 *
 * @param clientBindAddr {@code host:port}, or {@code :port} for every interface
 * @param peerBindAddr   {@code host:port}, or {@code :port} for every interface
 */
public record NodeInfo(
        String name,
        String peerUrl,
        String clientUrl,
        String peerBindAddr,
        String clientBindAddr,
        TlsFiles peerTls,
        TlsFiles clientTls) {

    public NodeInfo {
        peerTls = peerTls == null ? TlsFiles.NONE : peerTls;
        clientTls = clientTls == null ? TlsFiles.NONE : clientTls;
    }

    /** The identity a configuration describes, for a node starting afresh. */
    public static NodeInfo of(Config config) {
        return new NodeInfo(config.name(), config.peerUrl(), config.clientUrl(),
                config.peer().bind().toString(), config.client().bind().toString(),
                config.peer().tls(), config.client().tls());
    }

    /** The client listener this identity describes. */
    public Endpoint clientEndpoint() throws ConfigException {
        return endpoint(clientUrl, clientBindAddr, clientTls, "etcdURL", "etcdListenHost");
    }

    /** The peer listener this identity describes. */
    public Endpoint peerEndpoint() throws ConfigException {
        return endpoint(peerUrl, peerBindAddr, peerTls, "raftURL", "raftListenHost");
    }

    private static Endpoint endpoint(String url, String bind, TlsFiles tls, String urlKey, String bindKey)
            throws ConfigException {
        if (url == null || bind == null) {
            throw new ConfigException("stored identity lacks " + (url == null ? urlKey : bindKey));
        }
        int scheme = url.indexOf("://");
        HostPort advertised = HostPort.parseAdvertised(scheme < 0 ? url : url.substring(scheme + 3), urlKey);
        return new Endpoint(advertised, HostPort.parseStored(bind, bindKey), tls);
    }
}
