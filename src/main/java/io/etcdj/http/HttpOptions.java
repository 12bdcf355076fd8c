package io.etcdj.http;

import io.netty.handler.ssl.SslContext;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * Settings of the client listener.
 *
 * @param maxBodyBytes   largest request body accepted; larger ones are answered 413
 * @param maxHeaderBytes longest request line (beyond: 414), and largest header block (beyond: 431)
 * @param corsOrigins    origins allowed cross-origin access ({@code *} for all); empty for none
 * @param sslContext     server TLS context, or null for plain HTTP
 * @param clock          the clock that turns a {@code ttl} into an expiration time
 * @param ioThreads      event loop threads for connections; 0 for Netty's default
 * @param idleTimeout    a connection that answers no request for this long is closed (one waiting
 *                       on a watch is answering one); zero never closes
 * @param watchEarlyHeaders a v2 long-poll watch that has to wait sends its status line and headers at
 *                       once, as etcd 2 does, then its event as the body (an extension; off by default)
 */
public record HttpOptions(int maxBodyBytes, int maxHeaderBytes, Set<String> corsOrigins, SslContext sslContext,
                          Clock clock, int ioThreads, Duration idleTimeout,
                          boolean watchEarlyHeaders) {
    /** Four times the largest value, so that a value fits with any escaping and the other fields. */
    public static final int DEFAULT_MAX_BODY_BYTES = 4 << 20;
    /** Room for the longest key, percent-encoded three times over, and a query besides. */
    public static final int DEFAULT_MAX_HEADER_BYTES = 64 << 10;
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);

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
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        if (idleTimeout.isNegative()) {
            throw new IllegalArgumentException("idleTimeout must not be negative: " + idleTimeout);
        }
        corsOrigins = Set.copyOf(corsOrigins);
        Objects.requireNonNull(clock, "clock");
    }

    public static HttpOptions defaults() {
        return new HttpOptions(DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_HEADER_BYTES, Set.of(), null,
                Clock.systemUTC(), 0, DEFAULT_IDLE_TIMEOUT, false);
    }

    public HttpOptions withMaxBodyBytes(int bytes) {
        return new HttpOptions(bytes, maxHeaderBytes, corsOrigins, sslContext, clock, ioThreads,
                idleTimeout, watchEarlyHeaders);
    }

    public HttpOptions withMaxHeaderBytes(int bytes) {
        return new HttpOptions(maxBodyBytes, bytes, corsOrigins, sslContext, clock, ioThreads,
                idleTimeout, watchEarlyHeaders);
    }

    public HttpOptions withCorsOrigins(Set<String> origins) {
        return new HttpOptions(maxBodyBytes, maxHeaderBytes, origins, sslContext, clock, ioThreads,
                idleTimeout, watchEarlyHeaders);
    }

    public HttpOptions withSslContext(SslContext context) {
        return new HttpOptions(maxBodyBytes, maxHeaderBytes, corsOrigins, context, clock, ioThreads,
                idleTimeout, watchEarlyHeaders);
    }

    public HttpOptions withClock(Clock newClock) {
        return new HttpOptions(maxBodyBytes, maxHeaderBytes, corsOrigins, sslContext, newClock, ioThreads,
                idleTimeout, watchEarlyHeaders);
    }

    public HttpOptions withIoThreads(int threads) {
        return new HttpOptions(maxBodyBytes, maxHeaderBytes, corsOrigins, sslContext, clock, threads,
                idleTimeout, watchEarlyHeaders);
    }

    public HttpOptions withIdleTimeout(Duration timeout) {
        return new HttpOptions(maxBodyBytes, maxHeaderBytes, corsOrigins, sslContext, clock, ioThreads,
                timeout, watchEarlyHeaders);
    }

    /** With true, a v2 long-poll watch that has to wait sends its head at once (an extension). */
    public HttpOptions withWatchEarlyHeaders(boolean early) {
        return new HttpOptions(maxBodyBytes, maxHeaderBytes, corsOrigins, sslContext, clock, ioThreads, idleTimeout,
                early);
    }
}
