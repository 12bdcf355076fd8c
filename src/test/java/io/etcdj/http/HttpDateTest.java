package io.etcdj.http;

import io.netty.handler.codec.DateFormatter;
import org.junit.jupiter.api.Test;

import java.util.Date;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HttpDateTest {
    @Test
    void isTheCurrentSecondInTheHeadersFormat() {
        long before = System.currentTimeMillis() / 1000 * 1000;
        String text = HttpDate.now();
        long after = System.currentTimeMillis();

        Date parsed = DateFormatter.parseHttpDate(text);
        assertNotNull(parsed, text);
        assertTrue(parsed.getTime() >= before && parsed.getTime() <= after, text);
        assertTrue(text.endsWith(" GMT"), text);
        assertTrue(text.equals(DateFormatter.format(parsed)), text);
    }

    @Test
    void followsTheClock() {
        String first = HttpDate.now();
        long deadline = System.currentTimeMillis() + 5_000;
        String later = first;
        while (later.equals(first) && System.currentTimeMillis() < deadline) {
            LockSupport.parkNanos(10_000_000);
            later = HttpDate.now();
        }
        assertTrue(DateFormatter.parseHttpDate(later).getTime() > DateFormatter.parseHttpDate(first).getTime(),
                first + " then " + later);
    }
}
