package io.etcdj.peer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.ssl.SslContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Joins this machine to a running cluster through the peer ports of its members, as the
 * reference does: for each given address check the cluster's store version ({@code GET /version}),
 * then {@code POST /join}, following a 307 to the leader. A refusal by the cluster (400 with an
 * etcd error, e.g. 103 when it is full) ends at once; other failures move on to the next address,
 * and the whole list is tried again, up to the given number of attempts with the retry interval
 * between them. Within that interval it tries again after short pauses (25 ms, then 50 ms), so a
 * machine started together with the one it joins through waits for that one's start, not for a
 * whole interval, and finds its peer port at most 50 ms after it opens.
 */
public final class JoinClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JoinClient.class);
    private static final int MAX_REDIRECTS = 8;
    /** The first pause before trying again within a round; it doubles up to the next constant. */
    private static final Duration FIRST_QUICK_RETRY = Duration.ofMillis(25);
    /**
     * The longest pause within a round. Against a port not open yet an attempt is one refused
     * connection, little work for either machine, while each millisecond of pause
     * after the port opens delays the first join, and with it every join behind it (they go
     * through Raft one at a time).
     */
    private static final Duration MAX_QUICK_RETRY = Duration.ofMillis(50);
    private static final ObjectMapper JSON = new ObjectMapper(PeerInput.jsonFactory());

    private final SslContext sslContext;
    private final Duration requestTimeout;
    private final Duration retryInterval;
    private final PeerHttpClient http;

    /**
     * @param sslContext     a client-side TLS context for https peers, or {@code null} for http
     * @param requestTimeout limit for each request
     * @param retryInterval  pause between rounds over the address list (the reference waits 10 s)
     */
    public JoinClient(SslContext sslContext, Duration requestTimeout, Duration retryInterval) {
        this.sslContext = sslContext;
        this.requestTimeout = requestTimeout;
        this.retryInterval = retryInterval;
        this.http = new PeerHttpClient(sslContext, requestTimeout);
    }

    /**
     * Joins through the first member that accepts.
     *
     * @param peerAddresses    peer addresses, {@code host:port} (or full URLs)
     * @param request          this machine's join request
     * @param maxRetryAttempts rounds over the address list, at least 1
     * @return the commit index at which the cluster applied the join
     * @throws JoinException when the cluster refused, or no member answered in any round
     */
    public long join(List<String> peerAddresses, JoinRequest request, int maxRetryAttempts)
            throws JoinException, InterruptedException {
        if (maxRetryAttempts < 1) {
            throw new IllegalArgumentException("maxRetryAttempts must be at least 1");
        }
        if (peerAddresses.stream().allMatch(String::isBlank)) {
            throw new IllegalArgumentException("no peer address to join through");
        }
        JoinException last = null;
        for (int attempt = 1; attempt <= maxRetryAttempts; attempt++) {
            // Between rounds the client keeps trying, quickly at first: machines started together
            // find the first one's peer port open a fraction of a second later, and it should not
            // cost them the whole pause. The rounds, and so the time before giving up, stay the same.
            long roundEnd = System.nanoTime() + (attempt < maxRetryAttempts ? retryInterval.toNanos() : 0);
            long pause = FIRST_QUICK_RETRY.toNanos();
            boolean warned = false;
            while (true) {
                try {
                    return joinOnce(peerAddresses, request);
                } catch (JoinException e) {
                    if (e.refused()) {
                        throw e;
                    }
                    last = e;
                }
                long left = roundEnd - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                if (!warned) {
                    log.warn("cannot join the cluster via {}, retrying for {} ms", peerAddresses,
                            retryInterval.toMillis());
                    warned = true;
                }
                TimeUnit.NANOSECONDS.sleep(Math.min(pause, left));
                pause = Math.min(pause * 2, MAX_QUICK_RETRY.toNanos());
            }
        }
        throw new JoinException("cannot join the cluster via " + String.join(",", peerAddresses) + " after "
                + maxRetryAttempts + (maxRetryAttempts == 1 ? " attempt" : " attempts")
                + (last == null ? "" : ": " + last.getMessage()), last);
    }

    /** One pass over the addresses; a refusal by the cluster ends the join at once. */
    private long joinOnce(List<String> peerAddresses, JoinRequest request) throws JoinException, InterruptedException {
        JoinException last = null;
        for (String peer : peerAddresses) {
            if (peer.isBlank()) {
                continue;
            }
            try {
                long joinIndex = joinVia(peer.trim(), request);
                log.info("joined the cluster via {} at index {}", peer, joinIndex);
                return joinIndex;
            } catch (JoinException e) {
                if (e.refused()) {
                    throw e;
                }
                log.debug("cannot join via {}: {}", peer, e.getMessage());
                last = e;
            }
        }
        throw last;
    }

    private long joinVia(String peer, JoinRequest request) throws JoinException, InterruptedException {
        URI base = URI.create(peer.contains("://") ? peer : (sslContext == null ? "http://" : "https://") + peer);
        PeerHttpClient.Response version = call(HttpMethod.GET, base.resolve("/version"), new byte[0]);
        int clusterVersion = parseVersion(version.body());
        if (!request.supports(clusterVersion)) {
            throw new JoinException("Unable to join: cluster version is " + clusterVersion
                    + "; version compatibility is " + request.minVersion() + " - " + request.maxVersion(), null);
        }
        byte[] body = (request.toJson() + "\n").getBytes(StandardCharsets.UTF_8);
        URI target = base.resolve("/join");
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            PeerHttpClient.Response r = call(HttpMethod.POST, target, body);
            switch (r.status()) {
                case 200 -> {
                    return joinIndex(r.body());
                }
                case 307 -> {
                    String location = r.headers().get(HttpHeaderNames.LOCATION);
                    if (location == null || location.isEmpty()) {
                        throw new JoinException("Unable to join: redirect without a location from " + target, null);
                    }
                    target = target.resolve(location);
                    log.debug("join redirected to {}", target);
                }
                default -> {
                    if (r.status() >= 400 && r.status() < 500) {
                        throw refusal(r.body()); // an etcd error (400, or 412 for a name in use)
                    }
                    throw new JoinException("Unable to join: " + target + " answered " + r.status(), null);
                }
            }
        }
        throw new JoinException("Unable to join: more than " + MAX_REDIRECTS + " redirects from " + peer, null);
    }

    private PeerHttpClient.Response call(HttpMethod method, URI uri, byte[] body)
            throws JoinException, InterruptedException {
        try {
            return http.request(method, uri, body).get(requestTimeout.toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new JoinException("Unable to join via " + uri.getAuthority() + " (" + method + " " + uri.getPath()
                    + "): " + explain(cause), cause);
        } catch (TimeoutException e) {
            throw new JoinException("Unable to join: " + method + " " + uri + " timed out", e);
        }
    }

    /**
     * Says in words what went wrong talking to a peer, above all when the two ends disagree about
     * TLS: every machine of a cluster uses peer TLS, or none does.
     */
    private String explain(Throwable failure) {
        String all = "";
        for (Throwable t = failure; t != null; t = t.getCause()) {
            all += " " + t.getClass().getSimpleName() + ": " + t.getMessage();
        }
        if (all.contains("NotSslRecordException")) {
            return "the peer speaks plain HTTP but this machine uses peer TLS; every machine of a cluster "
                    + "must use peer TLS, or none";
        }
        if (sslContext == null && all.contains("closed without an answer")) {
            return "the peer closed the connection without answering: it probably uses peer TLS, and this "
                    + "machine does not; every machine of a cluster must use peer TLS, or none";
        }
        if (all.contains("PKIX path building failed") || all.contains("unable to find valid certification path")) {
            return "the peer's certificate is not signed by a CA in this machine's -peer-ca-file";
        }
        if (all.contains("bad_certificate") || all.contains("certificate_unknown")
                || all.contains("certificate_required")) {
            return "the peer refused this machine's certificate (is it signed by the cluster's -peer-ca-file CA?)";
        }
        if (all.contains("No subject alternative") || all.contains("doesn't match")) {
            return "the peer's certificate does not name the address it was reached at";
        }
        Throwable root = failure;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }

    /** Like the reference, a body that is not a number counts as version 0. */
    private static int parseVersion(byte[] body) {
        try {
            return Integer.parseInt(new String(body, StandardCharsets.UTF_8).trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The leader writes the commit index as a uvarint (padded to eight bytes). */
    private static long joinIndex(byte[] body) throws JoinException {
        if (body.length == 0) {
            return 0;
        }
        try {
            return MessageCodec.readUvarint(Unpooled.wrappedBuffer(body));
        } catch (RuntimeException e) {
            throw new JoinException("Unable to join: unreadable join index", e);
        }
    }

    private static JoinException refusal(byte[] body) {
        try {
            JsonNode error = JSON.readTree(body);
            int code = error.path("errorCode").asInt(0);
            String message = error.path("message").asText("");
            String cause = error.path("cause").asText("");
            if (code != 0) {
                return new JoinException(code, message + (cause.isEmpty() ? "" : " (" + cause + ")"));
            }
        } catch (IOException unreadable) {
            // fall through: a 400 without an etcd error
        }
        return new JoinException("Unable to join: " + new String(body, StandardCharsets.UTF_8).trim(), null);
    }

    @Override
    public void close() {
        http.close();
    }
}
