package dev.weft.http;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.weft.fibers.Event;
import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.fibers.HubGroup;
import dev.weft.fibers.NotInFiberException;
import dev.weft.http.internal.Contexts;
import dev.weft.http.internal.HttpService;
import dev.weft.sockets.ConnectionHandler;
import dev.weft.sockets.StreamServer;
import dev.weft.sockets.StreamServerGroup;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * The JDK's {@link HttpServer} served by fibers: every connection is a fiber on one hub, and every
 * exchange runs the context's filters and handler in that fiber, so a handler may block
 * cooperatively ({@link Fiber#sleep}, Weft sockets, {@code ThreadPool.offload}) without holding up
 * the other exchanges.
 *
 * <pre>{@code
 * HttpServer server = HttpServer.create(new InetSocketAddress(8000), 0);   // with the Weft provider chosen
 * server.createContext("/", exchange -> { ... });
 * server.start();                                                          // serves on a hub thread of its own
 * }</pre>
 *
 * <p><b>Which hub.</b> A server bound inside a fiber ({@code WeftHttpServer.create} or {@code
 * HttpServer.create} called in {@code Hub.run}) belongs to that hub: its accept fiber and its
 * connections run there, next to the caller's other fibers. A server bound on an ordinary thread
 * starts a hub thread of its own ({@code weft-http <address>}, default backend) that lives until
 * {@link #stop}; {@link #start()} then also starts a non-daemon thread that keeps the JVM alive while
 * the server runs, as the JDK's own dispatcher thread does.
 *
 * <p><b>Binding and starting.</b> As with the JDK's server, binding (in {@code create(address, …)}
 * or {@link #bind}) opens the listening socket at once, so {@link #getAddress()} tells the port when
 * bound to port 0; connections that arrive before {@link #start()} wait and are served once it is
 * called.
 *
 * <p><b>Executor.</b> {@link #setExecutor} is accepted for compatibility and remembered ({@link
 * #getExecutor()} returns it) but not used: handlers always run as fibers on the server's hub. A
 * handler that must call truly blocking code (JDBC on plain sockets, file I/O) hands it to {@code
 * dev.weft.sockets.ThreadPool.offload}.
 *
 * <p><b>Stopping.</b> {@link #stop(int)} closes the listening socket, closes idle keep-alive
 * connections at once, lets exchanges in flight finish (their connections close afterwards) for up
 * to {@code delay} seconds, then kills what is left (their {@code finally} blocks run) and returns.
 * It blocks the calling thread, or only the calling fiber on the server's own hub. Called from one of
 * the server's own handlers, it does not wait for that handler's exchange, which finishes normally
 * (its connection then closes). Connections a handler took over ({@link HttpUpgrade}) are told after
 * the delay and get {@value HttpUpgrade#STOP_GRACE_SECONDS} seconds more.
 *
 * <p>HTTP/1.1 details, limits and what is refused: see {@link HttpLimits}. HTTPS: {@link
 * WeftHttpsServer}.
 *
 * <p>Thread rule: any thread, for every method.
 */
public final class WeftHttpServer extends HttpServer {
    private static final System.Logger LOG = System.getLogger("dev.weft.http");

    private final HttpLimits limits;
    private final Contexts contexts;
    /** What serves each accepted connection: plain HTTP, or the TLS handshake first (an HTTPS server). */
    private final Function<HttpService, ConnectionHandler> connections;
    private final Object lock = new Object();
    private volatile Hub hub;
    private volatile InetSocketAddress address;
    private volatile Executor executor;
    private HttpService service;
    private StreamServer acceptor;
    private Event stopped;
    /** Bound on an ordinary thread: the server's own hubs, one service per hub, and their listeners. */
    private HubGroup group;
    private List<HttpService> groupServices;
    private StreamServerGroup groupAcceptors;
    /** How many hubs a server bound on an ordinary thread runs on. */
    private final int hubs;
    private final CountDownLatch terminated = new CountDownLatch(1);
    private boolean bound;
    private boolean started;
    private boolean stopCalled;

    private WeftHttpServer(HttpLimits limits, int hubs) {
        this(limits, null, service -> service::serve, hubs);
    }

    /**
     * The engine of a server of another type ({@link WeftHttpsServer}): its contexts report {@code
     * owner} as their server, and {@code connections} makes the handler of accepted connections.
     */
    WeftHttpServer(HttpLimits limits, HttpServer owner, Function<HttpService, ConnectionHandler> connections, int hubs) {
        if (hubs < 1) {
            throw new IllegalArgumentException("an HTTP server needs at least one hub, not " + hubs);
        }
        this.hubs = hubs;
        this.limits = Objects.requireNonNull(limits, "limits");
        this.contexts = new Contexts(owner == null ? this : owner);
        this.connections = connections;
    }

    /** {@link #create(InetSocketAddress, int, HttpLimits)} with {@link HttpLimits#defaults()}. */
    public static WeftHttpServer create(InetSocketAddress address, int backlog) throws IOException {
        return create(address, backlog, HttpLimits.defaults());
    }

    /**
     * A server with {@code limits}, bound to {@code address} (port 0 picks a free port) unless it is
     * null (then call {@link #bind} later).
     *
     * @param backlog the kernel's queue of connections not yet accepted; 0 or less for 1024
     * @throws BindException if the address is in use
     */
    public static WeftHttpServer create(InetSocketAddress address, int backlog, HttpLimits limits) throws IOException {
        return create(address, backlog, limits, HubGroup.defaultSize());
    }

    /**
     * {@link #create(InetSocketAddress, int, HttpLimits)} on {@code hubs} hubs when bound on an
     * ordinary thread (1: one hub thread, as before groups). Bound in a fiber, the server runs on
     * that fiber's hub whatever {@code hubs} says.
     *
     * @throws IllegalArgumentException if {@code hubs} is below 1
     */
    public static WeftHttpServer create(InetSocketAddress address, int backlog, HttpLimits limits, int hubs)
            throws IOException {
        dev.weft.fibers.internal.JvmFlags.check(); // an exception naming the JVM flag, not a bare IllegalAccessError
        WeftHttpServer s = new WeftHttpServer(limits, hubs);
        if (address != null) {
            s.bind(address, backlog);
        }
        return s;
    }

    /** The limits this server enforces. */
    public HttpLimits limits() {
        return limits;
    }

    /**
     * Opens the listening socket: on the current hub when called in a fiber, else on a new hub
     * thread of this server's own. Blocks until it is listening.
     *
     * @throws BindException if already bound, or the address is in use
     */
    @Override
    public void bind(InetSocketAddress addr, int backlog) throws IOException {
        Objects.requireNonNull(addr, "address");
        int queue = backlog <= 0 ? 1024 : backlog;
        synchronized (lock) {
            if (bound) {
                throw new BindException("this server is already bound to " + address);
            }
            bound = true;
        }
        boolean ok = false;
        try {
            if (inFiber()) {
                listen(addr, queue);
            } else {
                startOwnHub(addr, queue);
            }
            ok = true;
        } finally {
            if (!ok) {
                synchronized (lock) {
                    bound = false;
                }
            }
        }
    }

    private static boolean inFiber() {
        try {
            Fiber.current();
            return true;
        } catch (NotInFiberException e) {
            return false;
        }
    }

    /** In a fiber of the hub that will serve: the service, the listening socket and the accept fiber. */
    private void listen(InetSocketAddress addr, int backlog) throws IOException {
        HttpService s = new HttpService(limits, contexts);
        String host = addr.getAddress() != null ? addr.getAddress().getHostAddress() : addr.getHostString();
        StreamServer a = StreamServer.builder(connections.apply(s)).bind(host, addr.getPort()).backlog(backlog)
                .maxConnections(limits.maxConnections()).maxConnectionsPerPeer(limits.maxConnectionsPerPeer())
                .idleTimeout(limits.idleTimeout()).reclaimWhenFull(s::closeLongestIdle).start();
        this.service = s;
        this.acceptor = a;
        this.stopped = new Event();
        this.address = a.address();
        this.hub = Hub.current();
    }

    /** On an ordinary thread: a group of the server's own hubs, each with its service and listener. */
    private void startOwnHub(InetSocketAddress addr, int backlog) throws IOException {
        HubGroup g = HubGroup.start(null, hubs, "weft-http " + addr, true);
        HttpService[] services = new HttpService[hubs];
        String host = addr.getAddress() != null ? addr.getAddress().getHostAddress() : addr.getHostString();
        StreamServerGroup a;
        try {
            a = StreamServerGroup.start(g, i -> {
                HttpService s = new HttpService(limits, contexts);
                services[i] = s;
                return StreamServer.builder(connections.apply(s)).bind(host, addr.getPort()).backlog(backlog)
                        .maxConnections(limits.maxConnections()).maxConnectionsPerPeer(limits.maxConnectionsPerPeer())
                        .idleTimeout(limits.idleTimeout()).reclaimWhenFull(s::closeLongestIdle);
            });
        } catch (IOException | RuntimeException | Error e) {
            try {
                g.close();
            } catch (RuntimeException alsoFailed) {
                e.addSuppressed(alsoFailed);
            }
            throw e;
        }
        this.groupServices = List.of(services).subList(0, a.hubs());
        this.groupAcceptors = a;
        this.group = g;
        this.address = a.address();
        this.hub = g.hubs().get(0);
    }

    /**
     * Starts serving. Returns at once.
     *
     * @throws IllegalStateException if not bound, already started, or stopped
     */
    @Override
    public void start() {
        synchronized (lock) {
            if (hub == null) {
                throw new IllegalStateException("the server is not bound: call bind(address, backlog) first");
            }
            if (started || stopCalled) {
                throw new IllegalStateException(stopCalled ? "the server was stopped" : "the server is already started");
            }
            started = true;
        }
        if (group != null) {
            for (int i = 0; i < groupServices.size(); i++) {
                group.hubs().get(i).execute(groupServices.get(i)::start);
            }
        } else if (Thread.currentThread() == hub.thread()) {
            service.start();
        } else {
            hub.execute(service::start);
        }
        if (group != null) {
            Thread.ofPlatform().daemon(false).name("weft-http keep-alive " + address).start(() -> {
                try {
                    terminated.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
    }

    /**
     * Remembers {@code executor} but does not use it: every exchange runs as a fiber on the server's
     * hub (see the class comment).
     *
     * @throws IllegalStateException if the server is already started (as the JDK's server)
     */
    @Override
    public void setExecutor(Executor executor) {
        synchronized (lock) {
            if (started) {
                throw new IllegalStateException("the server is already started");
            }
        }
        this.executor = executor;
        if (executor != null) {
            LOG.log(System.Logger.Level.DEBUG, () -> "setExecutor(" + executor + ") on " + this
                    + ": ignored, every exchange runs as a fiber on the server's hub");
        }
    }

    /** The executor last given to {@link #setExecutor}, unused by this server; null by default. */
    @Override
    public Executor getExecutor() {
        return executor;
    }

    /**
     * Stops the server (see the class comment) and returns when every connection has closed. Blocks
     * the calling thread for at most about {@code delay} seconds (plus the time killed handlers take
     * to unwind); on the server's own hub it blocks only the calling fiber. A second call returns at
     * once.
     *
     * @throws IllegalArgumentException if {@code delay} is negative
     */
    @Override
    public void stop(int delay) {
        if (delay < 0) {
            throw new IllegalArgumentException("negative delay: " + delay);
        }
        Hub h;
        synchronized (lock) {
            if (stopCalled) {
                return;
            }
            stopCalled = true;
            h = hub;
        }
        if (h == null) {
            return;
        }
        Duration grace = Duration.ofSeconds(delay);
        if (group != null) {
            stopGroup(grace);
            return;
        }
        if (Thread.currentThread() == h.thread()) {
            stopOnHub(grace);
            return;
        }
        try {
            h.submit(() -> {
                stopOnHub(grace);
                return null;
            }).join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof IOException io) {
                throw new UncheckedIOException(io);
            }
            throw e;
        }
    }

    /**
     * Stops the server's own group: every hub's service and listener at once (each closes its
     * listener, closes idle connections, waits up to the grace for exchanges in flight), then every
     * hub's remaining connections end, then the group stops and its threads are joined. Called on
     * one of the group's hubs (a handler), it waits for the other hubs' listeners only and leaves
     * the rest to a thread of its own, so its own exchange finishes normally.
     */
    private void stopGroup(Duration grace) {
        int ownIndex = HubGroup.current() == group ? group.indexOf(Hub.current()) : -1;
        List<CompletableFuture<Void>> stops = new ArrayList<>();
        for (int i = 0; i < groupServices.size(); i++) {
            int index = i;
            if (i != ownIndex) {
                stops.add(group.spawnOn(i, () -> {
                    stopGroupHub(index, grace);
                    return null;
                }));
            }
        }
        if (ownIndex >= 0 && ownIndex < groupServices.size()) {
            stopGroupHub(ownIndex, grace); // in the caller's fiber: it neither waits for nor kills itself
        }
        for (CompletableFuture<Void> f : stops) {
            try {
                if (Fiber.inFiber()) {
                    dev.weft.fibers.Futures.await(f);
                } else {
                    f.join();
                }
            } catch (Exception e) {
                LOG.log(System.Logger.Level.ERROR, "stopping " + this + " failed", e);
            }
        }
        Runnable rest = () -> {
            try {
                for (int i = 0; i < groupServices.size(); i++) {
                    HttpService s = groupServices.get(i);
                    group.spawnOn(i, () -> {
                        s.awaitNoConnections(); // a handler that called stop() finishes its exchange
                        return null;
                    }).join();
                }
                group.stop(Duration.ZERO);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "stopping " + this + " failed", e);
            } finally {
                terminated.countDown();
            }
        };
        if (ownIndex >= 0) {
            Thread.ofPlatform().name("weft-http stop " + address).start(rest); // the group cannot join itself
        } else {
            rest.run();
        }
    }

    /** One hub's part of {@link #stopGroup}: as {@link #stopOnHub}, for that hub's service and listener. */
    private void stopGroupHub(int i, Duration grace) {
        stopServing(groupServices.get(i), groupAcceptors.on(i), grace);
    }

    private void stopOnHub(Duration grace) {
        stopServing(service, acceptor, grace);
        stopped.set();
    }

    /** Stops one hub's service and listener, on that hub: the grace for exchanges, then upgraded connections are told. */
    private static void stopServing(HttpService service, StreamServer acceptor, Duration grace) {
        service.beginStop();
        if (!service.hasUpgraded()) {
            acceptor.stop(grace);
            return;
        }
        // upgraded connections (HttpUpgrade) are told after the grace, then get a little longer
        Fiber<?> goAway = Fiber.spawnLater(grace, () -> {
            service.goAway();
            return null;
        });
        try {
            acceptor.stop(grace.plusSeconds(HttpUpgrade.STOP_GRACE_SECONDS));
        } finally {
            goAway.kill();
        }
    }

    @Override
    public HttpContext createContext(String path, HttpHandler handler) {
        Objects.requireNonNull(handler, "handler");
        return contexts.create(path, handler);
    }

    @Override
    public HttpContext createContext(String path) {
        return contexts.create(path, null);
    }

    @Override
    public void removeContext(String path) {
        contexts.remove(path);
    }

    @Override
    public void removeContext(HttpContext context) {
        contexts.remove(context);
    }

    /**
     * Connections open now, upgraded ones ({@link HttpUpgrade}) included; 0 before binding. Blocks
     * the calling thread briefly when called off the server's hub.
     */
    public int connections() {
        Hub h = hub;
        if (h == null) {
            return 0;
        }
        if (group != null) { // the server's own group: the sum over its hubs
            int sum = 0;
            for (int i = 0; i < groupServices.size(); i++) {
                HttpService s = groupServices.get(i);
                sum += Thread.currentThread() == group.hubs().get(i).thread() ? s.connections()
                        : group.hubs().get(i).submit(s::connections).join();
            }
            return sum;
        }
        if (Thread.currentThread() == h.thread()) {
            return service.connections();
        }
        return h.submit(service::connections).join();
    }

    /**
     * How many hubs serve this server: its own group's size when it was bound on an ordinary thread,
     * 1 when it was bound in a fiber (that fiber's hub); before binding, how many it would use if bound
     * here. State shared between requests lives on one hub only when this is 1. Any thread.
     */
    public int hubCount() {
        if (hub == null) { // volatile, written after group and groupServices
            return dev.weft.fibers.Fiber.inFiber() ? 1 : hubs;
        }
        return group != null ? groupServices.size() : 1;
    }

    /** The address it listens on (the actual port when bound to port 0); null before binding. */
    @Override
    public InetSocketAddress getAddress() {
        return address;
    }

    @Override
    public String toString() {
        return "WeftHttpServer(" + address + ")";
    }
}
