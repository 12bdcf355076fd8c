package io.etcdj.ctl;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An error answer of the keys API ({@code {"errorCode":100,"message":...}}). Its message is the
 * text etcdctl prints after {@code Error: }, e.g. {@code 100: Key not found (/foo) [12]}.
 */
final class ApiError extends Exception {
    private final int code;
    private final String text;
    private final String cause;
    private final long index;

    ApiError(int code, String text, String cause, long index) {
        super(code + ": " + text + " (" + cause + ") [" + index + "]", null, false, false);
        this.code = code;
        this.text = text;
        this.cause = cause;
        this.index = index;
    }

    /** Reads an error body; null when the body is not one. */
    static ApiError fromJson(JsonNode json) {
        if (json == null || !json.isObject() || !json.has("errorCode")) {
            return null;
        }
        return new ApiError(json.path("errorCode").asInt(), json.path("message").asText(""),
                json.path("cause").asText(""), json.path("index").asLong(0));
    }

    int code() {
        return code;
    }

    String text() {
        return text;
    }

    String errorCause() {
        return cause;
    }

    long index() {
        return index;
    }
}
