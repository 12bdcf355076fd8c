package io.etcdj.peer;

import java.nio.charset.StandardCharsets;

/** Redirect targets built the way the reference's URL package prints them. */
final class Redirects {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private Redirects() {
    }

    /** The leader's scheme and authority, then this request's path (escaped again) and raw query. */
    static String toLeader(String leaderUrl, String path, String rawQuery) {
        String origin = leaderUrl;
        int scheme = leaderUrl.indexOf("://");
        if (scheme >= 0) {
            for (int i = scheme + 3; i < leaderUrl.length(); i++) {
                char c = leaderUrl.charAt(i);
                if (c == '/' || c == '?' || c == '#') {
                    origin = leaderUrl.substring(0, i);
                    break;
                }
            }
        }
        String url = origin + escapePath(path);
        return rawQuery.isEmpty() ? url : url + "?" + rawQuery;
    }

    static String escapePath(String path) {
        StringBuilder out = new StringBuilder(path.length());
        for (byte b : path.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            boolean keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "-_.~$&+,/:;=@".indexOf(c) >= 0;
            if (keep) {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
        return out.toString();
    }

    static String htmlEscape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&#34;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
