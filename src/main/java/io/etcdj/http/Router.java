package io.etcdj.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Maps a method and a cleaned path to an endpoint, first registered route first. A route is an
 * exact path, a path prefix followed by a key (the rest of the path, any characters but a
 * newline), or a bare prefix that takes every method (for modules with routers of their own).
 */
public final class Router {
    private final List<Route> routes = new ArrayList<>();

    /** The endpoint and, for key routes, the key part of the path. */
    public record Match(Endpoint endpoint, String key, String matchedPrefix) {
    }

    private record Route(String path, Kind kind, Set<String> methods, Endpoint endpoint) {
    }

    private enum Kind { EXACT, KEY, PREFIX }

    public Router exact(String path, Endpoint endpoint, String... methods) {
        routes.add(new Route(path, Kind.EXACT, Set.of(methods), endpoint));
        return this;
    }

    /** {@code prefix} ends with a slash; whatever follows it is the key. */
    public Router key(String prefix, Endpoint endpoint, String... methods) {
        if (!prefix.endsWith("/")) {
            throw new IllegalArgumentException("a key route prefix ends with '/': " + prefix);
        }
        routes.add(new Route(prefix, Kind.KEY, Set.of(methods), endpoint));
        return this;
    }

    /** Every path starting with {@code prefix} (as a string, not a segment), any method. */
    public Router prefix(String prefix, Endpoint endpoint) {
        routes.add(new Route(prefix, Kind.PREFIX, Set.of(), endpoint));
        return this;
    }

    /** The first matching route, or null when none matches (a 404). */
    public Match match(String method, String path) {
        for (Route route : routes) {
            switch (route.kind) {
                case EXACT -> {
                    if (path.equals(route.path) && route.methods.contains(method)) {
                        return new Match(route.endpoint, null, route.path);
                    }
                }
                case KEY -> {
                    if (path.startsWith(route.path) && path.indexOf('\n') < 0 && route.methods.contains(method)) {
                        return new Match(route.endpoint, path.substring(route.path.length()), route.path);
                    }
                }
                case PREFIX -> {
                    if (path.startsWith(route.path)) {
                        return new Match(route.endpoint, null, route.path);
                    }
                }
            }
        }
        return null;
    }
}
