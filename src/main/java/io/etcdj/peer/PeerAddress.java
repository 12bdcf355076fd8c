package io.etcdj.peer;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * Where a peer listens, from its peer URL ({@code http://host:port}); a bare {@code host:port}
 * is read as http.
 */
record PeerAddress(String url, String host, int port) {
    static PeerAddress parse(String peerUrl) {
        String url = peerUrl.contains("://") ? peerUrl : "http://" + peerUrl;
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a peer URL: " + peerUrl, e);
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("peer URL without a host: " + peerUrl);
        }
        String host = uri.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = uri.getPort() != -1 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
        return new PeerAddress(peerUrl, host, port);
    }

    /** The Host header: the host as written in the URL (IPv6 in brackets) and the port. */
    String hostHeader() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return h + ":" + port;
    }

    @Override
    public String toString() {
        return url;
    }
}
