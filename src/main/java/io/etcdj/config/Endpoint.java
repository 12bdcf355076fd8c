package io.etcdj.config;

/**
 * One listener of the node (clients on 4001, peers on 7001 by default): the address other
 * machines are told to use, the address the socket binds, and its TLS files.
 */
public record Endpoint(HostPort advertised, HostPort bind, TlsFiles tls) {

    /** {@code http://host:port}, or {@code https://} when TLS is on. */
    public String url() {
        return tls.scheme() + "://" + advertised;
    }
}
