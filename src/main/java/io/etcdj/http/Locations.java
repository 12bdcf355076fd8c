package io.etcdj.http;

import java.nio.charset.StandardCharsets;

/**
 * Building and escaping redirect targets the way the reference's URL package does; used for the
 * client port's redirects and the peer port's.
 */
public final class Locations {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private Locations() {
    }

    /**
     * The leader's URL for this request: its scheme and authority, then this request's decoded path
     * (escaped again) and raw query.
     */
    public static String onOtherHost(String baseUrl, String path, String rawQuery) {
        String prefix = baseUrl;
        int scheme = baseUrl.indexOf("://");
        if (scheme >= 0) {
            int end = baseUrl.length();
            for (int i = scheme + 3; i < baseUrl.length(); i++) {
                char c = baseUrl.charAt(i);
                if (c == '/' || c == '?' || c == '#') {
                    end = i;
                    break;
                }
            }
            prefix = baseUrl.substring(0, end);
        }
        String url = prefix + escapePath(path);
        return rawQuery.isEmpty() ? url : url + "?" + rawQuery;
    }

    /** Escapes a path, keeping unreserved characters and the reserved ones a path may hold. */
    public static String escapePath(String path) {
        StringBuilder out = new StringBuilder(path.length());
        for (byte b : path.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (keepsInPath(c)) {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
        return out.toString();
    }

    private static boolean keepsInPath(int c) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
            return true;
        }
        return "-_.~$&+,/:;=@".indexOf(c) >= 0;
    }

    /**
     * A header can carry neither non-ASCII nor control characters reliably: those bytes are
     * percent-escaped, everything else is left as the reference leaves it.
     */
    public static String escapeUnsafe(String location) {
        StringBuilder out = null;
        byte[] bytes = location.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            int c = bytes[i] & 0xff;
            boolean unsafe = c >= 0x80 || c < 0x20 || c == 0x7f;
            if (unsafe && out == null) {
                out = new StringBuilder(new String(bytes, 0, i, StandardCharsets.US_ASCII));
            }
            if (out != null) {
                if (unsafe) {
                    out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
                } else {
                    out.append((char) c);
                }
            }
        }
        return out == null ? location : out.toString();
    }

    public static String htmlEscape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '\'' -> out.append("&#39;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&#34;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
