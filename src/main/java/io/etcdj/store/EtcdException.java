package io.etcdj.store;

import java.util.Map;

/**
 * A client-visible error in etcd's format: a numeric code with its fixed message, a cause and the
 * store index at the time of the error. Rendered to clients as
 * {@code {"errorCode":..,"message":..,"cause":..,"index":..}}; the cause is left out when empty.
 */
public final class EtcdException extends RuntimeException {
    public static final int KEY_NOT_FOUND = 100;
    public static final int TEST_FAILED = 101;
    public static final int NOT_FILE = 102;
    public static final int NO_MORE_PEER = 103;
    public static final int NOT_DIR = 104;
    public static final int NODE_EXIST = 105;
    public static final int KEY_IS_PRESERVED = 106;
    public static final int ROOT_READ_ONLY = 107;
    public static final int DIR_NOT_EMPTY = 108;

    public static final int VALUE_REQUIRED = 200;
    public static final int PREV_VALUE_REQUIRED = 201;
    public static final int TTL_NAN = 202;
    public static final int INDEX_NAN = 203;
    public static final int VALUE_OR_TTL_REQUIRED = 204;
    /** A request beyond a limit (key length or depth, value size): etcd v2's code, added here. */
    public static final int INVALID_FIELD = 209;
    /** A refresh (an extension) with a value: it keeps the key's value. */
    public static final int REFRESH_VALUE = 211;
    /** A refresh (an extension) without a TTL. */
    public static final int REFRESH_TTL_REQUIRED = 212;

    public static final int RAFT_INTERNAL = 300;
    public static final int LEADER_ELECT = 301;

    public static final int WATCHER_CLEARED = 400;
    public static final int EVENT_INDEX_CLEARED = 401;

    private static final Map<Integer, String> MESSAGES = Map.ofEntries(
            Map.entry(KEY_NOT_FOUND, "Key not found"),
            Map.entry(TEST_FAILED, "Compare failed"),
            Map.entry(NOT_FILE, "Not a file"),
            Map.entry(NO_MORE_PEER, "Reached the max number of peers in the cluster"),
            Map.entry(NOT_DIR, "Not a directory"),
            Map.entry(NODE_EXIST, "Key already exists"),
            Map.entry(ROOT_READ_ONLY, "Root is read only"),
            Map.entry(KEY_IS_PRESERVED, "The prefix of given key is a keyword in etcd"),
            Map.entry(DIR_NOT_EMPTY, "Directory not empty"),
            Map.entry(VALUE_REQUIRED, "Value is Required in POST form"),
            Map.entry(PREV_VALUE_REQUIRED, "PrevValue is Required in POST form"),
            Map.entry(TTL_NAN, "The given TTL in POST form is not a number"),
            Map.entry(INDEX_NAN, "The given index in POST form is not a number"),
            Map.entry(VALUE_OR_TTL_REQUIRED, "Value or TTL is required in POST form"),
            Map.entry(INVALID_FIELD, "Invalid field"),
            Map.entry(REFRESH_VALUE, "Value provided on refresh"),
            Map.entry(REFRESH_TTL_REQUIRED, "A TTL must be provided on refresh"),
            Map.entry(RAFT_INTERNAL, "Raft Internal Error"),
            Map.entry(LEADER_ELECT, "During Leader Election"),
            Map.entry(WATCHER_CLEARED, "watcher is cleared due to etcd recovery"),
            Map.entry(EVENT_INDEX_CLEARED, "The event in requested index is outdated and cleared"));

    private final int code;
    private final String errorCause;
    private final long index;

    public EtcdException(int code, String cause, long index) {
        super(cause);
        this.code = code;
        this.errorCause = cause;
        this.index = index;
    }

    public int code() { return code; }

    public String errorCause() { return errorCause; }

    public long index() { return index; }

    /** The fixed message of this error's code. */
    public String message() { return messageFor(code); }

    /** The fixed message of a code; empty for a code without one, as the reference answers. */
    public static String messageFor(int code) {
        return MESSAGES.getOrDefault(code, "");
    }

    /** The HTTP status the reference answers this error with. */
    public int httpStatus() {
        return switch (code) {
            case KEY_NOT_FOUND -> 404;
            case NOT_FILE, DIR_NOT_EMPTY -> 403;
            case TEST_FAILED, NODE_EXIST -> 412;
            default -> code / 100 == 3 ? 500 : 400;
        };
    }

    /** The error as the JSON body clients see. */
    public String toJson() {
        StringBuilder out = new StringBuilder(96);
        out.append("{\"errorCode\":").append(code).append(",\"message\":");
        appendJsonString(out, message());
        if (errorCause != null && !errorCause.isEmpty()) {
            out.append(",\"cause\":");
            appendJsonString(out, errorCause);
        }
        out.append(",\"index\":").append(index).append('}');
        return out.toString();
    }

    /** Writes a JSON string escaped the way Go's encoder does (it also escapes {@code < > &}). */
    private static void appendJsonString(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
