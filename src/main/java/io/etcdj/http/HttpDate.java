package io.etcdj.http;

import io.netty.handler.codec.DateFormatter;

import java.util.Date;

/**
 * The value of the Date header every answer carries. It has a resolution of one second, and
 * formatting it is a calendar computation, among the costliest steps of a small answer; so it is
 * formatted once per second and shared by every connection.
 */
final class HttpDate {
    private record Formatted(long second, String value) {
    }

    private static volatile Formatted last = new Formatted(Long.MIN_VALUE, "");

    private HttpDate() {
    }

    /** The header value for now. */
    static String now() {
        return at(System.currentTimeMillis());
    }

    /** The header value for a time in milliseconds since the epoch. */
    static String at(long millis) {
        long second = Math.floorDiv(millis, 1000L);
        Formatted f = last;
        if (f.second() != second) {
            // Two threads may both format a new second: harmless, they write the same value.
            f = new Formatted(second, DateFormatter.format(new Date(second * 1000L)));
            last = f;
        }
        return f.value();
    }
}
