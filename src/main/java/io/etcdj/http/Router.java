package io.etcdj.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Maps a method and a cleaned path to a route handler, first registered route first. A route is an
 * exact path, a path prefix followed by a key (the rest of the path, any characters but a
 * newline), or a bare prefix that takes every method (for modules with routers of their own).
 */
public final class Router {
    private final List<Route> routes = new ArrayList<>();

    /** The handler and, for key routes, the key part of the path. */
    public record Match(RouteHandler handler, String key, String matchedPrefix) {
    }

    private record Route(String path, Kind kind, Set<String> methods, RouteHandler handler) {
    }

    private enum Kind { EXACT, KEY, PREFIX }

    public Router exact(String path, RouteHandler handler, String... methods) {
        routes.add(new Route(path, Kind.EXACT, Set.of(methods), handler));
        return this;
    }

    /** {@code prefix} ends with a slash; whatever follows it is the key. */
    public Router key(String prefix, RouteHandler handler, String... methods) {
        if (!prefix.endsWith("/")) {
            throw new IllegalArgumentException("a key route prefix ends with '/': " + prefix);
        }
        routes.add(new Route(prefix, Kind.KEY, Set.of(methods), handler));
        return this;
    }

    /** Every path starting with {@code prefix} (as a string, not a segment), any method. */
    public Router prefix(String prefix, RouteHandler handler) {
        routes.add(new Route(prefix, Kind.PREFIX, Set.of(), handler));
        return this;
    }

    /** The first matching route, or null when none matches (a 404). */
    public Match match(String method, String path) {
        for (Route route : routes) {
            switch (route.kind) {
                case EXACT -> {
                    if (path.equals(route.path) && route.methods.contains(method)) {
                        return new Match(route.handler, null, route.path);
                    }
                }
                case KEY -> {
                    if (path.startsWith(route.path) && path.indexOf('\n') < 0 && route.methods.contains(method)) {
                        return new Match(route.handler, path.substring(route.path.length()), route.path);
                    }
                }
                case PREFIX -> {
                    if (path.startsWith(route.path)) {
                        return new Match(route.handler, null, route.path);
                    }
                }
            }
        }
        return null;
    }
}
