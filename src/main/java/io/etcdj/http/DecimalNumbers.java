package io.etcdj.http;

import java.time.Clock;
import java.time.Instant;

/**
 * Number fields of the API, accepted exactly as the reference accepts them: ASCII digits only, a
 * sign only where a signed number is expected, anything else or out of range is refused.
 */
public final class DecimalNumbers {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private DecimalNumbers() {
    }

    /** A signed 64-bit decimal with an optional {@code +}/{@code -} sign. */
    public static long parseSigned(String s) {
        if (s.isEmpty()) {
            throw new NumberFormatException("empty");
        }
        boolean negative = s.charAt(0) == '-';
        String digits = (s.charAt(0) == '-' || s.charAt(0) == '+') ? s.substring(1) : s;
        requireDigits(digits, s);
        return Long.parseLong(negative ? "-" + digits : digits);
    }

    /**
     * An unsigned 64-bit decimal. Values beyond {@link Long#MAX_VALUE} are valid but no index can
     * reach them, so they are clamped there.
     */
    static long parseUnsigned(String s) {
        requireDigits(s, s);
        long value = Long.parseUnsignedLong(s);
        return value < 0 ? Long.MAX_VALUE : value;
    }

    private static void requireDigits(String digits, String original) {
        if (digits.isEmpty()) {
            throw new NumberFormatException("no digits in '" + original + "'");
        }
        for (int i = 0; i < digits.length(); i++) {
            char c = digits.charAt(i);
            if (c < '0' || c > '9') {
                throw new NumberFormatException("not a decimal number: '" + original + "'");
            }
        }
    }

    /**
     * The absolute expiration for a {@code ttl} form value: null (permanent) when empty, else now
     * plus that many seconds. The seconds-to-nanoseconds product wraps around on 64 bits as it does
     * in the reference, so an absurd ttl gives a time in the past rather than an error.
     *
     * @throws NumberFormatException when the value is not a signed integer
     */
    public static Instant expireTime(String ttl, Clock clock) {
        if (ttl.isEmpty()) {
            return null;
        }
        long seconds = parseSigned(ttl);
        return clock.instant().plusNanos(seconds * NANOS_PER_SECOND);
    }
}
