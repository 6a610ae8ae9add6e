package dev.weft.http.internal;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * A server's contexts, and which one serves a request path. Changes from any thread; lookups read an
 * immutable snapshot (longest path first) without locking.
 *
 * <p>Matching is the JDK API's: the context whose path is the longest string prefix of the request
 * path ({@code HttpServer}'s "longest matching prefix", what the JDK's own server does). So {@code
 * /admin} serves {@code /admin}, {@code /admin/x}, and also {@code /admin.html} and {@code
 * /administrator}, with its filters and authenticator: an application moved onto Weft keeps the
 * protection it had. {@code /} serves everything no longer context serves.
 */
public final class Contexts {
    private final HttpServer server;
    private volatile List<HttpContextImpl> sorted = List.of();

    public Contexts(HttpServer server) {
        this.server = server;
    }

    /** @throws IllegalArgumentException if the path is not absolute or is taken */
    public synchronized HttpContext create(String path, HttpHandler handler) {
        Objects.requireNonNull(path, "path");
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("a context path must start with '/': " + path);
        }
        for (HttpContextImpl c : sorted) {
            if (c.getPath().equals(path)) {
                throw new IllegalArgumentException("a context for " + path + " already exists");
            }
        }
        HttpContextImpl c = new HttpContextImpl(path, handler, server);
        List<HttpContextImpl> next = new ArrayList<>(sorted);
        next.add(c);
        next.sort(Comparator.comparingInt((HttpContextImpl x) -> x.getPath().length()).reversed());
        sorted = List.copyOf(next);
        return c;
    }

    /** @throws IllegalArgumentException if there is no context for {@code path} */
    public synchronized void remove(String path) {
        Objects.requireNonNull(path, "path");
        List<HttpContextImpl> next = new ArrayList<>(sorted);
        if (!next.removeIf(c -> c.getPath().equals(path))) {
            throw new IllegalArgumentException("no context for " + path);
        }
        sorted = List.copyOf(next);
    }

    /** @throws IllegalArgumentException if {@code context} is not one of these */
    public synchronized void remove(HttpContext context) {
        Objects.requireNonNull(context, "context");
        List<HttpContextImpl> next = new ArrayList<>(sorted);
        if (!next.remove(context)) {
            throw new IllegalArgumentException(context + " is not a context of this server");
        }
        sorted = List.copyOf(next);
    }

    /** The context serving {@code path}, or null. */
    HttpContextImpl find(String path) {
        for (HttpContextImpl c : sorted) {
            if (path.startsWith(c.getPath())) {
                return c;
            }
        }
        return null;
    }
}
