package io.etcdj.http;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Which browser origins may read the client API's answers, and the headers that say so. The
 * {@code -cors} origins decide as in the reference: {@code *} allows every origin (answered with
 * {@code *}), a listed origin is echoed back, any other origin gets no header.
 *
 * <p>One addition: the client URLs of the cluster's own machines are always allowed. The
 * dashboard of a follower reads {@code /v2/stats/leader} and sends its writes to the follower,
 * which redirects them to the leader, another origin; without this a follower's dashboard would
 * need {@code -cors} to work at all (the reference's dashboard, which wrote to the leader
 * directly, had the same need). These origins serve nothing but the API and the dashboard, so
 * trusting them lets no foreign page in.
 */
final class CorsPolicy {
    private static final List<Map.Entry<String, String>> NONE = List.of();
    private static final String METHODS = "POST, GET, OPTIONS, PUT, DELETE";

    private final Set<String> origins;
    private final Supplier<List<String>> memberUrls;

    /**
     * @param origins    the {@code -cors} origins
     * @param memberUrls the client URLs of the cluster's machines, asked only when a request
     *                   comes with an origin {@code -cors} does not allow
     */
    CorsPolicy(Set<String> origins, Supplier<List<String>> memberUrls) {
        this.origins = Set.copyOf(origins);
        this.memberUrls = memberUrls;
    }

    /** The headers for a request with this {@code Origin} header (null when it has none). */
    List<Map.Entry<String, String>> headers(String origin) {
        if (origins.contains("*")) {
            return allow("*");
        }
        String given = origin == null ? "" : origin;
        if (origins.contains(given)) {
            return allow(given);
        }
        if (!given.isEmpty() && isMember(given)) {
            return allow(given);
        }
        return NONE;
    }

    private boolean isMember(String origin) {
        for (String url : memberUrls.get()) {
            if (origin.equals(originOf(url))) {
                return true;
            }
        }
        return false;
    }

    /** A URL's origin as a browser writes it: scheme, host, and the port unless the scheme's default. */
    static String originOf(String url) {
        try {
            URI uri = URI.create(url.trim());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            String host = uri.getHost();
            if (host == null) {
                return null;
            }
            int port = uri.getPort();
            boolean defaultPort = port < 0 || (scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443);
            return scheme + "://" + host.toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static List<Map.Entry<String, String>> allow(String origin) {
        return List.of(Map.entry("Access-Control-Allow-Methods", METHODS), Map.entry("Access-Control-Allow-Origin", origin));
    }
}
