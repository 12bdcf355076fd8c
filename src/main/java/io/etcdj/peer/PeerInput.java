package io.etcdj.peer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * The rules for what other machines may name on the peer port: machine names (a name becomes
 * the key {@code /_etcd/machines/<name>}), peer and client URLs, and the limits of JSON read
 * from the network. One place, so the upgrade of a Raft stream and {@code /join} agree.
 */
public final class PeerInput {
    /** Longest machine name accepted. */
    public static final int MAX_NAME_LENGTH = 128;
    /** Longest URL accepted. */
    public static final int MAX_URL_LENGTH = 512;

    private PeerInput() {
    }

    /**
     * Why {@code name} cannot be a machine name, or {@code null} if it can: 1 to
     * {@value #MAX_NAME_LENGTH} characters among letters and digits (of any script),
     * {@code . _ -}, and not {@code .} or {@code ..}, so it is one path segment of a key and one
     * token of a log line: no {@code /}, no space, no control or formatting character.
     */
    public static String nameProblem(String name) {
        if (name == null || name.isEmpty()) {
            return "empty machine name";
        }
        if (name.length() > MAX_NAME_LENGTH) {
            return "machine name longer than " + MAX_NAME_LENGTH + " characters";
        }
        if (name.equals(".") || name.equals("..")) {
            return "machine name '" + name + "' is a path segment";
        }
        for (int i = 0; i < name.length(); ) {
            int c = name.codePointAt(i);
            if (!Character.isLetterOrDigit(c) && c != '.' && c != '_' && c != '-') {
                return "machine name with character " + printable(c) + " (letters, digits, '.', '_' and '-' only)";
            }
            i += Character.charCount(c);
        }
        return null;
    }

    /**
     * Why {@code url} cannot be a machine's URL, or {@code null} if it can: {@code http} or
     * {@code https}, a host and a port, nothing else but an optional trailing slash.
     */
    public static String urlProblem(String url) {
        if (url == null || url.isEmpty()) {
            return "empty URL";
        }
        if (url.length() > MAX_URL_LENGTH) {
            return "URL longer than " + MAX_URL_LENGTH + " characters";
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return "not a URL: " + e.getReason();
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return "URL scheme must be http or https";
        }
        if (uri.getHost() == null || uri.getPort() < 1 || uri.getPort() > 65535) {
            return "URL must name a host and a port";
        }
        String path = uri.getRawPath();
        if (uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null
                || (path != null && !path.isEmpty() && !path.equals("/"))) {
            return "URL must be only scheme://host:port";
        }
        return null;
    }

    /** A JSON factory for input from other machines: small documents, shallow nesting. */
    static JsonFactory jsonFactory() {
        return JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(16)
                        .maxStringLength(64 << 10)
                        .maxNumberLength(32)
                        .maxNameLength(1 << 10)
                        .maxDocumentLength(1 << 20)
                        .build())
                .build();
    }

    private static String printable(int c) {
        return Character.isISOControl(c) || Character.isWhitespace(c) || Character.getType(c) == Character.FORMAT
                ? String.format("U+%04X", c) : "'" + Character.toString(c) + "'";
    }
}
