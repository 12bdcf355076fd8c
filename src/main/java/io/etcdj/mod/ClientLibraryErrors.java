package io.etcdj.mod;

import io.etcdj.server.EtcdServer;
import io.etcdj.store.EtcdException;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The words the reference's modules put after their own prefixes when a store operation failed.
 * They called the keys API through a client library that turned a 400 answer into
 * {@code "<code>: <message> (<cause>)"}, but retried any other failure (404, 403, 412, 500) on every
 * machine twice over and then gave up with {@code "Cannot reach servers after <n> time"}. Clients
 * match on these texts, so they are kept; the retries are not.
 */
final class ClientLibraryErrors {
    private ClientLibraryErrors() {
    }

    static String describe(Throwable failure, EtcdServer server) {
        Throwable cause = unwrap(failure);
        if (cause instanceof EtcdException e && e.httpStatus() == 400) {
            return e.code() + ": " + e.message() + " (" + (e.errorCause() == null ? "" : e.errorCause()) + ")";
        }
        return "Cannot reach servers after " + (2 * Math.max(1, server.clientUrls().size()) + 1) + " time";
    }

    /** Whether the failure is the store's "Key not found". */
    static boolean isKeyNotFound(Throwable failure) {
        return unwrap(failure) instanceof EtcdException e && e.code() == EtcdException.KEY_NOT_FOUND;
    }

    static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
