package io.etcdj.http;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FormValuesTest {
    private static final String FORM = "application/x-www-form-urlencoded";

    @Test
    void aFormBodyWinsOverTheQueryAndTheFirstRepeatWins() {
        FormValues form = FormValues.parse("PUT", "value=fromquery&ttl=5", FORM, "value=first&value=second");

        assertEquals("first", form.get("value"));
        assertEquals("5", form.get("ttl"));
    }

    @Test
    void onlyPostPutAndPatchBodiesAreRead() {
        assertEquals("", FormValues.parse("DELETE", "", FORM, "recursive=true").get("recursive"));
        assertEquals("", FormValues.parse("GET", "", FORM, "wait=true").get("wait"));
        assertEquals("true", FormValues.parse("POST", "", FORM, "wait=true").get("wait"));
    }

    @Test
    void aBodyWithoutTheFormContentTypeIsIgnored() {
        assertEquals("q", FormValues.parse("PUT", "value=q", null, "value=b").get("value"));
        assertEquals("q", FormValues.parse("PUT", "value=q", "text/plain", "value=b").get("value"));
        assertEquals("b", FormValues.parse("PUT", "value=q", "Application/X-WWW-Form-Urlencoded; charset=utf-8",
                "value=b").get("value"));
    }

    @Test
    void plusIsASpaceAndEscapesAreUtf8() {
        FormValues form = FormValues.ofQuery("value=a+b%26c%3Dd&v=h%C3%A9llo");

        assertEquals("a b&c=d", form.get("value"));
        assertEquals("héllo", form.get("v"));
    }

    @Test
    void undecodablePairsAreSkippedAndTheRestKept() {
        FormValues form = FormValues.ofQuery("a=%zz&b=1;c=2&d=4&e");

        assertFalse(form.has("a"));
        assertFalse(form.has("b"));
        assertEquals("4", form.get("d"));
        assertTrue(form.has("e"));
        assertEquals("", form.get("e"));
    }

    @Test
    void presenceIsDistinctFromAnEmptyValueAndFlagsNeedExactlyTrue() {
        FormValues form = FormValues.ofQuery("prevValue=&a=True&b=1&c=true");

        assertTrue(form.has("prevValue"));
        assertFalse(form.has("prevIndex"));
        assertFalse(form.isTrue("a"));
        assertFalse(form.isTrue("b"));
        assertTrue(form.isTrue("c"));
    }
}
