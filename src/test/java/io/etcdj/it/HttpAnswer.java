package io.etcdj.it;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One HTTP response as it came off the wire: status, headers in arrival order (names as sent),
 * and the decoded body (chunked framing already removed).
 */
record HttpAnswer(int status, String reason, List<Map.Entry<String, String>> headers, byte[] body) {

    /** The first value of a header, compared case-insensitively by name. */
    Optional<String> header(String name) {
        return headers.stream()
                .filter(h -> h.getKey().equalsIgnoreCase(name))
                .map(Map.Entry::getValue)
                .findFirst();
    }

    String text() {
        return new String(body, StandardCharsets.UTF_8);
    }

    boolean isSuccess() {
        return status >= 200 && status < 300;
    }

    @Override
    public String toString() {
        String text = text();
        return status + " " + reason + " " + headers + " " + (text.length() > 300 ? text.substring(0, 300) + "..." : text);
    }
}
