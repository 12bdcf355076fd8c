package io.etcdj.http;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RequestTargetTest {

    @Test
    void pathIsDecodedButPlusStaysAndQueryStaysRaw() {
        RequestTarget t = RequestTarget.parse("/v2/keys/a%20b+c%2Fd?value=x+y&z=%41");

        assertEquals("/v2/keys/a b+c/d", t.path());
        assertEquals("value=x+y&z=%41", t.rawQuery());
    }

    @Test
    void utf8EscapesAndRawUtf8BytesBothDecodeToTheSameKey() {
        String rawUtf8AsLatin1 = new String("/v2/keys/☃".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                java.nio.charset.StandardCharsets.ISO_8859_1);

        assertEquals("/v2/keys/☃", RequestTarget.parse("/v2/keys/%E2%98%83").path());
        assertEquals("/v2/keys/☃", RequestTarget.parse(rawUtf8AsLatin1).path());
    }

    @Test
    void aFragmentMarkIsPartOfThePath() {
        assertEquals("/v2/keys/a#b", RequestTarget.parse("/v2/keys/a#b").path());
    }

    @Test
    void badEscapesAndControlCharactersAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> RequestTarget.parse("/v2/keys/%zz"));
        assertThrows(IllegalArgumentException.class, () -> RequestTarget.parse("/v2/keys/%4"));
        assertThrows(IllegalArgumentException.class, () -> RequestTarget.parse("/v2/keys/a\u0001"));
        assertThrows(IllegalArgumentException.class, () -> RequestTarget.parse("v2/keys"));
    }

    @Test
    void absoluteFormAddressesItsPath() {
        RequestTarget t = RequestTarget.parse("http://example.com:4001/v2/keys/x?a=1");

        assertEquals("/v2/keys/x", t.path());
        assertEquals("a=1", t.rawQuery());
        assertEquals("", RequestTarget.parse("http://example.com").path());
    }

    @Test
    void cleaningResolvesDotsAndDoubleSlashesButKeepsATrailingSlash() {
        assertEquals("/v2/keys/y", RequestTarget.cleanPath("/v2/keys//y"));
        assertEquals("/v2/keys/x", RequestTarget.cleanPath("/v2/keys/a/../x"));
        assertEquals("/v2/keys/x", RequestTarget.cleanPath("/v2/keys/./x"));
        assertEquals("/v2/keys/x/", RequestTarget.cleanPath("/v2/keys/x/"));
        assertEquals("/", RequestTarget.cleanPath("/../.."));
        assertEquals("/", RequestTarget.cleanPath(""));
        assertEquals("/*", RequestTarget.cleanPath("*"));
        assertEquals("/v2", RequestTarget.cleanPath("/v2/keys/../../v2"));
    }

    @Test
    void theShortcutForCleanPathsAgreesWithTakingThemApart() {
        // Every path up to six characters over the alphabet that matters: slash, dot, a letter.
        char[] alphabet = {'/', '.', 'a'};
        java.util.List<String> paths = new java.util.ArrayList<>(java.util.List.of(""));
        for (int len = 1; len <= 6; len++) {
            int n = (int) Math.pow(alphabet.length, len);
            for (int code = 0; code < n; code++) {
                StringBuilder b = new StringBuilder();
                for (int c = code, k = 0; k < len; k++, c /= alphabet.length) {
                    b.append(alphabet[c % alphabet.length]);
                }
                paths.add(b.toString());
            }
        }
        paths.addAll(java.util.List.of("/v2/keys/bench/k17", "/v2/keys/.hidden", "/v2/keys/a..b/", "/v2/keys/...",
                "/v2/keys/x/..", "/v2/keys/x/."));
        for (String p : paths) {
            assertEquals(RequestTarget.cleanLexically(p), RequestTarget.cleanPath(p), p);
            if (RequestTarget.isClean(p)) {
                assertEquals(p, RequestTarget.cleanLexically(p), "taken for clean: " + p);
            }
        }
    }
}
