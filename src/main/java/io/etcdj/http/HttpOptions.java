package io.etcdj.http;

import io.netty.handler.ssl.SslContext;

import java.time.Clock;
import java.util.Objects;
import java.util.Set;

/**
 * Settings of the client listener.
 *
 * @param maxBodyBytes   largest request body accepted; larger ones are answered 413
 * @param maxHeaderBytes longest request line, and largest header block, accepted; beyond, 431
 * @param corsOrigins    origins allowed cross-origin access ({@code *} for all); empty for none
 * @param sslContext     server TLS context, or null for plain HTTP
 * @param clock          the clock that turns a {@code ttl} into an expiration time
 * @param ioThreads      event loop threads for connections; 0 for Netty's default
 */
public record HttpOptions(int maxBodyBytes, int maxHeaderBytes, Set<String> corsOrigins, SslContext sslContext,
                          Clock clock, int ioThreads) {
    /** The reference reads at most this much of a form body. */
    public static final int DEFAULT_MAX_BODY_BYTES = 10 << 20;
    /** The reference's limit on the request line and headers together. */
    public static final int DEFAULT_MAX_HEADER_BYTES = 1 << 20;

    public HttpOptions {
        if (maxBodyBytes < 0) {
            throw new IllegalArgumentException("maxBodyBytes must not be negative: " + maxBodyBytes);
        }
        if (maxHeaderBytes < 256) {
            throw new IllegalArgumentException("maxHeaderBytes must be at least 256: " + maxHeaderBytes);
        }
        if (ioThreads < 0) {
            throw new IllegalArgumentException("ioThreads must not be negative: " + ioThreads);
        }
        corsOrigins = Set.copyOf(corsOrigins);
        Objects.requireNonNull(clock, "clock");
    }

    public static HttpOptions defaults() {
        return new HttpOptions(DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_HEADER_BYTES, Set.of(), null,
                Clock.systemUTC(), 0);
    }

    public HttpOptions withMaxBodyBytes(int bytes) {
        return new HttpOptions(bytes, maxHeaderBytes, corsOrigins, sslContext, clock, ioThreads);
    }

    public HttpOptions withMaxHeaderBytes(int bytes) {
        return new HttpOptions(maxBodyBytes, bytes, corsOrigins, sslContext, clock, ioThreads);
    }

    public HttpOptions withCorsOrigins(Set<String> origins) {
        return new HttpOptions(maxBodyBytes, maxHeaderBytes, origins, sslContext, clock, ioThreads);
    }

    public HttpOptions withSslContext(SslContext context) {
        return new HttpOptions(maxBodyBytes, maxHeaderBytes, corsOrigins, context, clock, ioThreads);
    }

    public HttpOptions withClock(Clock newClock) {
        return new HttpOptions(maxBodyBytes, maxHeaderBytes, corsOrigins, sslContext, newClock, ioThreads);
    }

    public HttpOptions withIoThreads(int threads) {
        return new HttpOptions(maxBodyBytes, maxHeaderBytes, corsOrigins, sslContext, clock, threads);
    }

    /** Whether a request from {@code origin} may read answers, as the reference decides it. */
    boolean originAllowed(String origin) {
        return corsOrigins.contains("*") || corsOrigins.contains(origin);
    }
}
