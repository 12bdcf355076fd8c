package io.etcdj.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class KeyPathTest {
    @Test
    void cleanMatchesGoPathCleanOfAnAbsoluteJoin() {
        assertEquals("/", KeyPath.clean(""));
        assertEquals("/", KeyPath.clean(null));
        assertEquals("/", KeyPath.clean("/"));
        assertEquals("/", KeyPath.clean("/.."));
        assertEquals("/foo", KeyPath.clean("foo"));
        assertEquals("/foo", KeyPath.clean("/foo/"));
        assertEquals("/a/b", KeyPath.clean("//a//b/"));
        assertEquals("/x", KeyPath.clean("/a/../x"));
        assertEquals("/x", KeyPath.clean("/./x"));
        assertEquals("/a.b/..c", KeyPath.clean("/a.b/..c"));
    }

    @Test
    void splitsIntoParentNameAndComponents() {
        assertEquals("/", KeyPath.parent("/a"));
        assertEquals("/a/b", KeyPath.parent("/a/b/c"));
        assertEquals("c", KeyPath.name("/a/b/c"));
        assertEquals("", KeyPath.name("/"));
        assertEquals("/a", KeyPath.join("/", "a"));
        assertEquals("/a/b", KeyPath.join("/a", "b"));
        assertArrayEquals(new String[0], KeyPath.components("/"));
        assertArrayEquals(new String[] {"a", "b"}, KeyPath.components("/a/b"));
    }

    @Test
    void comparesInUtf8ByteOrder() {
        assertTrue(KeyPath.compareBytewise("/s/10", "/s/9") < 0);
        assertTrue(KeyPath.compareBytewise("/s/Z", "/s/a") < 0);
        assertTrue(KeyPath.compareBytewise("/s/a", "/s/ab") < 0);
        assertEquals(0, KeyPath.compareBytewise("/s/a", "/s/a"));
        // U+FF5E sorts before U+1F600 in UTF-8 although its UTF-16 unit is larger
        assertTrue(KeyPath.compareBytewise("/\uFF5E", "/\uD83D\uDE00") < 0);
    }
}
