package io.etcdj.http;

import io.netty.handler.codec.DateFormatter;

import java.util.Date;

/**
 * The Date header of answers. Its text changes once a second, so it is formatted once a second
 * rather than for every answer (formatting goes through a calendar and showed in profiles of many
 * small answers, such as a thousand watchers woken by one write).
 */
final class HttpDate {
    private record Formatted(long second, String text) {
    }

    private static volatile Formatted last = new Formatted(Long.MIN_VALUE, "");

    private HttpDate() {
    }

    /** The current time as the header spells it (RFC 1123, GMT). */
    static String now() {
        long millis = System.currentTimeMillis();
        long second = Math.floorDiv(millis, 1000);
        Formatted seen = last;
        if (seen.second() == second) {
            return seen.text();
        }
        String text = DateFormatter.format(new Date(second * 1000));
        last = new Formatted(second, text);
        return text;
    }
}
