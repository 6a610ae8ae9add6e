package dev.weft.http.internal;

import com.sun.net.httpserver.Authenticator;
import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A context of a Weft server: a path, its handler, its filters, its authenticator and attributes.
 * Any thread may configure it, also while the server runs; each exchange sees the configuration of
 * the moment it starts.
 *
 * <p>Order of calls for an exchange, as in the JDK's server: the user's filters ({@link
 * #getFilters()}, in list order), then the authenticator (a {@link Authenticator.Success} sets the
 * principal, a {@link Authenticator.Failure} or {@link Authenticator.Retry} answers with its status
 * and no body), then the handler.
 */
public final class HttpContextImpl extends HttpContext {
    private final String path;
    private final HttpServer server;
    private final List<Filter> filters = new CopyOnWriteArrayList<>();
    private final Map<String, Object> attributes = new ConcurrentHashMap<>();
    private volatile HttpHandler handler;
    private volatile Authenticator authenticator;

    HttpContextImpl(String path, HttpHandler handler, HttpServer server) {
        this.path = path;
        this.handler = handler;
        this.server = server;
    }

    @Override
    public HttpHandler getHandler() {
        return handler;
    }

    /** @throws IllegalArgumentException if a handler is already set (as the JDK's server) */
    @Override
    public void setHandler(HttpHandler h) {
        if (h == null) {
            throw new NullPointerException("handler");
        }
        if (handler != null) {
            throw new IllegalArgumentException("the context " + path + " already has a handler");
        }
        handler = h;
    }

    @Override
    public String getPath() {
        return path;
    }

    @Override
    public HttpServer getServer() {
        return server;
    }

    @Override
    public Map<String, Object> getAttributes() {
        return attributes;
    }

    @Override
    public List<Filter> getFilters() {
        return filters;
    }

    @Override
    public Authenticator setAuthenticator(Authenticator auth) {
        Authenticator old = authenticator;
        authenticator = auth;
        return old;
    }

    @Override
    public Authenticator getAuthenticator() {
        return authenticator;
    }

    /** Runs the filters, the authenticator and the handler for {@code exchange}, in the calling fiber. */
    void handle(HttpExchange exchange) throws IOException {
        HttpHandler h = handler;
        if (h == null) {
            throw new IOException("the context " + path + " has no handler (createContext(path) without setHandler)");
        }
        Authenticator auth = authenticator;
        HttpHandler last = auth == null ? h : ex -> authenticate(auth, h, ex);
        if (filters.isEmpty()) {
            last.handle(exchange);
        } else {
            new Filter.Chain(List.copyOf(filters), last).doFilter(exchange);
        }
    }

    private static void authenticate(Authenticator auth, HttpHandler h, HttpExchange ex) throws IOException {
        Authenticator.Result r = auth.authenticate(ex);
        if (r instanceof Authenticator.Success s) {
            unwrap(ex).setPrincipal(s.getPrincipal());
            h.handle(ex);
        } else if (r instanceof Authenticator.Retry retry) {
            ex.sendResponseHeaders(retry.getResponseCode(), -1);
            ex.close();
        } else if (r instanceof Authenticator.Failure f) {
            ex.sendResponseHeaders(f.getResponseCode(), -1);
            ex.close();
        } else {
            throw new IOException("the authenticator of " + ex.getHttpContext().getPath() + " returned " + r);
        }
    }

    private static HttpExchangeImpl unwrap(HttpExchange ex) throws IOException {
        if (ex instanceof HttpExchangeImpl impl) {
            return impl;
        }
        if (ex instanceof HttpsExchangeImpl tls) {
            return tls.plain();
        }
        throw new IOException("a filter replaced the exchange object; the principal cannot be set on " + ex);
    }

    @Override
    public String toString() {
        return "HttpContext(" + path + ")";
    }
}
