package dev.weft.http;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dev.weft.http.internal.HttpsConnections;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * The JDK's {@link HttpsServer} served by fibers: a {@link WeftHttpServer} (same hub rules, binding,
 * stopping, limits and HTTP/1.1 handling; see there) whose connections are TLS, through the {@code
 * tls} module's server-side {@code TlsSocket}.
 *
 * <pre>{@code
 * HttpsServer server = HttpsServer.create(new InetSocketAddress(8443), 0);  // with the Weft provider chosen
 * server.setHttpsConfigurator(new HttpsConfigurator(sslContext));         // the key and certificate chain
 * server.createContext("/", exchange -> { ... ((HttpsExchange) exchange).getSSLSession() ... });
 * server.start();
 * }</pre>
 *
 * <p><b>Each connection</b>: the server reads the ClientHello, makes an engine from the current
 * configurator's {@code SSLContext}, calls {@link HttpsConfigurator#configure(HttpsParameters)} for
 * it and applies the result as the JDK's own HTTPS server does (the {@code SSLParameters} it set —
 * the default {@code configure} sets the context's defaults — else the deprecated per-field
 * settings), and completes the handshake. The ClientHello and the handshake must arrive within the
 * limits' {@link HttpLimits#requestHeadTimeout()} (default 10 s). Then requests are served as on
 * plain HTTP, keep-alive included; handlers get an {@link HttpsExchange} whose {@link
 * HttpsExchange#getSSLSession()} is the connection's session. A failed handshake closes that
 * connection only (logged at DEBUG on {@code dev.weft.http}); a client that speaks plain HTTP to
 * the port gets {@code 400 Bad Request} saying so. A configurator set while the server runs applies
 * to connections accepted afterwards.
 *
 * <p>Thread rule: any thread, for every method.
 */
public final class WeftHttpsServer extends HttpsServer {
    private final WeftHttpServer server;
    private volatile HttpsConfigurator configurator;

    private WeftHttpsServer(HttpLimits limits, int hubs) {
        this.server = new WeftHttpServer(limits, this,
                service -> new HttpsConnections(service, () -> configurator, limits.requestHeadTimeout())::serve,
                hubs);
    }

    /** {@link #create(InetSocketAddress, int, HttpLimits)} with {@link HttpLimits#defaults()}. */
    public static WeftHttpsServer create(InetSocketAddress address, int backlog) throws IOException {
        return create(address, backlog, HttpLimits.defaults());
    }

    /**
     * A server with {@code limits}, bound to {@code address} (port 0 picks a free port) unless it is
     * null (then call {@link #bind} later). Call {@link #setHttpsConfigurator} before {@link #start()}.
     *
     * @param backlog the kernel's queue of connections not yet accepted; 0 or less for 1024
     * @throws BindException if the address is in use
     */
    public static WeftHttpsServer create(InetSocketAddress address, int backlog, HttpLimits limits) throws IOException {
        return create(address, backlog, limits, dev.weft.fibers.HubGroup.defaultSize());
    }

    /**
     * {@link #create(InetSocketAddress, int, HttpLimits)} on {@code hubs} hubs when bound on an
     * ordinary thread (1: one hub thread). Bound in a fiber, the server runs on that fiber's hub
     * whatever {@code hubs} says.
     *
     * @throws IllegalArgumentException if {@code hubs} is below 1
     */
    public static WeftHttpsServer create(InetSocketAddress address, int backlog, HttpLimits limits, int hubs)
            throws IOException {
        dev.weft.fibers.internal.JvmFlags.check(); // an exception naming the JVM flag, not a bare IllegalAccessError
        WeftHttpsServer s = new WeftHttpsServer(limits, hubs);
        if (address != null) {
            s.bind(address, backlog);
        }
        return s;
    }

    /** The limits this server enforces. */
    public HttpLimits limits() {
        return server.limits();
    }

    /**
     * The {@code SSLContext} (key and certificate chain) and per-connection parameters for
     * connections accepted from now on.
     *
     * @throws NullPointerException if {@code config} is null
     */
    @Override
    public void setHttpsConfigurator(HttpsConfigurator config) {
        this.configurator = Objects.requireNonNull(config, "null HttpsConfigurator");
    }

    /** The configurator last set, or null. */
    @Override
    public HttpsConfigurator getHttpsConfigurator() {
        return configurator;
    }

    /** As {@link WeftHttpServer#bind}. */
    @Override
    public void bind(InetSocketAddress addr, int backlog) throws IOException {
        server.bind(addr, backlog);
    }

    /**
     * Starts serving. Returns at once.
     *
     * @throws IllegalStateException if no {@link HttpsConfigurator} was set, or as {@link WeftHttpServer#start()}
     */
    @Override
    public void start() {
        if (configurator == null) {
            throw new IllegalStateException("the HTTPS server has no SSLContext: call"
                    + " setHttpsConfigurator(new HttpsConfigurator(sslContext)) before start()");
        }
        server.start();
    }

    /** As {@link WeftHttpServer#setExecutor}: remembered, not used. */
    @Override
    public void setExecutor(Executor executor) {
        server.setExecutor(executor);
    }

    @Override
    public Executor getExecutor() {
        return server.getExecutor();
    }

    /** As {@link WeftHttpServer#stop}. */
    @Override
    public void stop(int delay) {
        server.stop(delay);
    }

    @Override
    public HttpContext createContext(String path, HttpHandler handler) {
        return server.createContext(path, handler);
    }

    @Override
    public HttpContext createContext(String path) {
        return server.createContext(path);
    }

    @Override
    public void removeContext(String path) {
        server.removeContext(path);
    }

    @Override
    public void removeContext(HttpContext context) {
        server.removeContext(context);
    }

    /** The address it listens on (the actual port when bound to port 0); null before binding. */
    @Override
    public InetSocketAddress getAddress() {
        return server.getAddress();
    }

    /** How many hubs serve this server (see {@link WeftHttpServer#hubCount()}). Any thread. */
    public int hubCount() {
        return server.hubCount();
    }

    @Override
    public String toString() {
        return "WeftHttpsServer(" + getAddress() + ")";
    }
}
