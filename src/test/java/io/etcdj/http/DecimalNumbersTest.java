package io.etcdj.http;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DecimalNumbersTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    @Test
    void ttlIsSecondsFromNowAndEmptyMeansPermanent() {
        assertNull(DecimalNumbers.expireTime("", CLOCK));
        assertEquals(NOW.plusSeconds(100), DecimalNumbers.expireTime("100", CLOCK));
        assertEquals(NOW.plusSeconds(5), DecimalNumbers.expireTime("+5", CLOCK));
        assertEquals(NOW.minusSeconds(5), DecimalNumbers.expireTime("-5", CLOCK));
        assertEquals(NOW, DecimalNumbers.expireTime("0", CLOCK));
    }

    @Test
    void ttlRefusesAnythingButAnAsciiInteger() {
        for (String bad : new String[] {"abc", "1.5", " 1", "1 ", "+", "-", "١", "0x10", "99999999999999999999"}) {
            assertThrows(NumberFormatException.class, () -> DecimalNumbers.expireTime(bad, CLOCK), bad);
        }
    }

    @Test
    void anAbsurdTtlWrapsAroundInsteadOfFailing() {
        long seconds = 10_000_000_000L; // 1e19 ns does not fit in 64 bits
        Instant expected = NOW.plusNanos(seconds * 1_000_000_000L);

        assertEquals(expected, DecimalNumbers.expireTime(Long.toString(seconds), CLOCK));
    }

    @Test
    void theExtremeTtlsStayWithin292YearsOfNowAndNeverFail() {
        for (long seconds : new long[] {Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE / 1_000_000_000L + 1,
                -(Long.MAX_VALUE / 1_000_000_000L) - 1}) {
            Instant t = DecimalNumbers.expireTime(Long.toString(seconds), CLOCK);
            // a 64-bit count of nanoseconds spans 292 years either way (and a part of a second)
            assertTrue(Math.abs(t.getEpochSecond() - NOW.getEpochSecond()) <= Long.MAX_VALUE / 1_000_000_000L + 1, t::toString);
            assertFalse(EventJson.rfc3339Nano(t).isEmpty());
        }
    }

    @Test
    void indexesAreUnsignedDecimalsClampedToTheLongRange() {
        assertEquals(7, DecimalNumbers.parseUnsigned("007"));
        assertEquals(Long.MAX_VALUE, DecimalNumbers.parseUnsigned("18446744073709551615"));
        for (String bad : new String[] {"", "-1", "+1", "abc", "18446744073709551616", "1e3"}) {
            assertThrows(NumberFormatException.class, () -> DecimalNumbers.parseUnsigned(bad), bad);
        }
    }
}
