package io.etcdj.http;

import io.etcdj.server.Command;
import io.etcdj.store.EtcdException;

/**
 * The sizes a client may write, checked on every command before it is proposed, so that nothing
 * the log, the store or a snapshot cannot carry comfortably ever reaches them. A refusal is etcd's
 * error 209 ("Invalid field") with a cause naming the limit. The reference had no such limits; they
 * sit far above anything it was used for (its own tests go 700 levels deep).
 */
public final class RequestLimits {
    /** etcd v2's number for a field the server will not take; the v0.2 store has no message for it. */

    /** Longest key, in UTF-8 bytes, as the store names it (with its leading slash). */
    static final int MAX_KEY_BYTES = 8192;
    /** Most path components in a key: {@code /a/b} has 2. */
    static final int MAX_KEY_LEVELS = 1024;
    /** Largest value (and {@code prevValue}), in UTF-8 bytes. */
    static final int MAX_VALUE_BYTES = 1 << 20;
    /** Most distinct fields in a request's form (query and body together). */
    static final int MAX_FORM_FIELDS = 1000;

    /** An in-order key is its directory, a slash and the index in 20 digits. */
    private static final int IN_ORDER_NAME_BYTES = 21;

    private RequestLimits() {
    }

    /**
     * Refuses a write whose key or values are over the limits.
     *
     * @param index the store index, reported in the error
     * @throws EtcdException 209 naming the limit
     */
    public static void check(Command command, long index) {
        if (command instanceof Command.Set c) {
            checkKey(c.key(), 0, 0, index);
            checkValue("value", c.value(), index);
        } else if (command instanceof Command.Create c) {
            // an in-order create adds one level and the 20-digit name below the given directory
            checkKey(c.key(), c.unique() ? 1 : 0, c.unique() ? IN_ORDER_NAME_BYTES : 0, index);
            checkValue("value", c.value(), index);
        } else if (command instanceof Command.Update c) {
            checkKey(c.key(), 0, 0, index);
            checkValue("value", c.value(), index);
        } else if (command instanceof Command.CompareAndSwap c) {
            checkKey(c.key(), 0, 0, index);
            checkValue("value", c.value(), index);
            checkValue("prevValue", c.prevValue(), index);
        } else if (command instanceof Command.Delete c) {
            checkKey(c.key(), 0, 0, index);
        } else if (command instanceof Command.CompareAndDelete c) {
            checkKey(c.key(), 0, 0, index);
            checkValue("prevValue", c.prevValue(), index);
        } else if (command instanceof Command.Refresh c) {
            checkKey(c.key(), 0, 0, index);
        }
    }

    private static void checkKey(String key, int extraLevels, int extraBytes, long index) {
        int levels = extraLevels;
        long bytes = extraBytes;
        boolean inComponent = false;
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c == '/') {
                inComponent = false;
                continue;
            }
            if (!inComponent) {
                inComponent = true;
                levels++;
                bytes++; // the slash before the component
            }
            bytes += utf8Length(key, i);
            if (Character.isHighSurrogate(c) && i + 1 < key.length() && Character.isLowSurrogate(key.charAt(i + 1))) {
                i++;
            }
        }
        if (levels > MAX_KEY_LEVELS) {
            throw invalid("key has " + levels + " levels; the limit is " + MAX_KEY_LEVELS, index);
        }
        if (bytes > MAX_KEY_BYTES) {
            throw invalid("key is " + bytes + " bytes long; the limit is " + MAX_KEY_BYTES, index);
        }
    }

    private static void checkValue(String field, String value, long index) {
        if (value == null || value.length() * 3L <= MAX_VALUE_BYTES) {
            return; // no UTF-16 char takes more than three bytes
        }
        long bytes = utf8Length(value);
        if (bytes > MAX_VALUE_BYTES) {
            throw invalid(field + " is " + bytes + " bytes long; the limit is " + MAX_VALUE_BYTES, index);
        }
    }

    static EtcdException invalid(String cause, long index) {
        return new EtcdException(EtcdException.INVALID_FIELD, cause, index);
    }

    /** The UTF-8 length of a string as Java encodes it (a lone surrogate becomes one byte). */
    static long utf8Length(String s) {
        long bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            bytes += utf8Length(s, i);
            if (Character.isHighSurrogate(s.charAt(i)) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            }
        }
        return bytes;
    }

    /** Bytes of the char at {@code i}; a surrogate pair counts 4 at its first half. */
    private static int utf8Length(String s, int i) {
        char c = s.charAt(i);
        if (c < 0x80) {
            return 1;
        }
        if (c < 0x800) {
            return 2;
        }
        if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
            return 4;
        }
        return Character.isSurrogate(c) ? 1 : 3;
    }
}
