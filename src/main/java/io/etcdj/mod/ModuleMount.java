package io.etcdj.mod;

import io.etcdj.http.ClientRequest;
import io.etcdj.http.Reply;
import io.etcdj.http.RequestTarget;
import io.etcdj.http.RouteHandler;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A module mounted on a path prefix, as the reference mounted its modules: a router of its own
 * behind the prefix, with the method table of one key route. Like that router it sends a rest that
 * is not a rooted path (the bare prefix, or the prefix run on into a longer name) to the cleaned
 * rest with a 301, and answers 404 for a method it does not serve.
 */
final class ModuleMount implements RouteHandler {
    /** One method of a module: the request and the key, the path after the prefix and its slash. */
    @FunctionalInterface
    interface KeyHandler {
        CompletableFuture<Reply> handle(ClientRequest request, String key);
    }

    private final String prefix;
    private final Map<String, KeyHandler> byMethod;

    ModuleMount(String prefix, Map<String, KeyHandler> byMethod) {
        this.prefix = prefix;
        this.byMethod = Map.copyOf(byMethod);
    }

    @Override
    public CompletableFuture<Reply> handle(ClientRequest request) {
        String rest = request.path().substring(prefix.length());
        if (!rest.startsWith("/")) {
            return CompletableFuture.completedFuture(Reply.movedPermanently(RequestTarget.cleanPath(rest)));
        }
        KeyHandler handler = byMethod.get(request.method());
        if (handler == null) {
            return CompletableFuture.completedFuture(Reply.notFound());
        }
        return handler.handle(request, rest.substring(1));
    }
}
