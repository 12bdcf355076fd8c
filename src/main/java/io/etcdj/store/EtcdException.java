package io.etcdj.store;

/**
 * A client-visible error in etcd's format: a numeric code with its fixed message, a cause and the
 * store index at the time of the error. Rendered to clients as
 * {@code {"errorCode":..,"message":..,"cause":..,"index":..}}.
 */
public final class EtcdException extends RuntimeException {
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

    /** The HTTP status the reference answers this error with. */
    public int httpStatus() { throw new UnsupportedOperationException("TODO"); }

    /** The error as the JSON body clients see. */
    public String toJson() { throw new UnsupportedOperationException("TODO"); }
}
