package io.etcdj.http;

import io.netty.handler.codec.DateFormatter;
import org.junit.jupiter.api.Test;

import java.util.Date;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class HttpDateTest {

    @Test
    void isTheHttpFormOfTheTimeTruncatedToTheSecond() {
        long t = 1_785_000_123_456L;
        assertEquals("Sat, 25 Jul 2026 17:22:03 GMT", HttpDate.at(t));
        assertEquals(DateFormatter.format(new Date(t)), HttpDate.at(t));
    }

    @Test
    void isFormattedOncePerSecond() {
        long second = 1_785_000_200_000L;
        String first = HttpDate.at(second);
        assertSame(first, HttpDate.at(second + 999));
        assertNotEquals(first, HttpDate.at(second + 1000));
        assertEquals(DateFormatter.format(new Date(second + 1000)), HttpDate.at(second + 1000));
    }

    @Test
    void goesBackWhenTheClockDoes() {
        long t = 1_785_000_300_000L;
        HttpDate.at(t);
        assertEquals(DateFormatter.format(new Date(t - 5000)), HttpDate.at(t - 5000));
        assertEquals("Thu, 01 Jan 1970 00:00:00 GMT", HttpDate.at(999));
    }
}
