package dev.weft.sockets;

import dev.weft.fibers.Deadlines;
import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.hub.ListenerHandle;
import dev.weft.hub.Ops;
import dev.weft.hub.StreamHandle;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * A TCP server on one hub: an accept fiber, and one handler fiber per connection that owns its
 * {@link TcpSocket} and always closes it (gevent's {@code StreamServer}).
 *
 * <pre>{@code
 * StreamServer server = StreamServer.builder(socket -> { ... }).bind("127.0.0.1", 0).start();
 * int port = server.port();
 * }</pre>
 *
 * <p>Flow control: at most {@code maxConnections} handlers run at once; while full, accepting
 * pauses (connections wait in the kernel backlog) and resumes when a handler ends, or, with {@link
 * Builder#reclaimWhenFull}, the application closes an idle connection to make room. At most {@code
 * maxConnectionsPerPeer} come from one address. Every accepted socket has an idle timeout (default
 * {@value #DEFAULT_IDLE_TIMEOUT_SECONDS} s, {@link Builder#idleTimeout}), so a connection whose peer
 * sends and reads nothing does not hold its slot forever. At most {@code
 * maxAcceptsPerIteration} connections are accepted before the accept fiber yields to the others.
 * Accept errors (e.g. EMFILE, too many open files) are logged and retried after a back-off that
 * doubles from 10 ms to 1 s, never in a busy loop. A handler's exception goes to the hub's uncaught
 * handler, exactly once. {@link Builder#reusePort} lets several hubs (threads) serve one port.
 *
 * <p>Thread rule: hub thread, from fibers; the server belongs to the hub it was started on.
 */
public final class StreamServer {
    private static final System.Logger LOG = System.getLogger(StreamServer.class.getName());
    static final Duration FIRST_BACKOFF = Duration.ofMillis(10);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(1);
    /** The default {@link Builder#idleTimeout}. */
    public static final long DEFAULT_IDLE_TIMEOUT_SECONDS = 300;
    /** How often a full server with a client waiting asks {@link Builder#reclaimWhenFull} again. */
    static final Duration RECLAIM_RETRY = Duration.ofMillis(100);

    /** Settings for a {@link StreamServer}; {@link #start()} binds and starts accepting. */
    public static final class Builder {
        private final ConnectionHandler handler;
        /** null: every interface (the wildcard address); resolved off the hub by {@link #start()}. */
        private String host = InetAddress.getLoopbackAddress().getHostAddress();
        private int port;
        private boolean reusePort;
        private int backlog = 1024;
        private int maxConnections = Integer.MAX_VALUE;
        private int maxAcceptsPerIteration = 64;
        private int maxConnectionsPerPeer = Integer.MAX_VALUE;
        private Duration idleTimeout = Duration.ofSeconds(DEFAULT_IDLE_TIMEOUT_SECONDS);
        private BooleanSupplier reclaimWhenFull;
        private AcceptMode acceptMode;

        private Builder(ConnectionHandler handler) {
            this.handler = Objects.requireNonNull(handler, "handler");
        }

        /**
         * Where to listen: {@code host} a name or an address literal (null: every interface); port 0
         * picks a free port ({@link StreamServer#port()} tells which). Default 127.0.0.1:0. A name is
         * resolved off the hub, by {@link #start()} ({@link Resolver}).
         */
        public Builder bind(String host, int port) {
            if (port < 0 || port > 0xFFFF) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
            this.host = host;
            this.port = port;
            return this;
        }

        /**
         * SO_REUSEPORT: several listening sockets, typically one per hub on its own thread, share
         * one port and the kernel spreads the connections among them (Linux 3.9+, the BSDs, macOS;
         * Linux balances new connections across them). Every one of them must set it. Default off.
         *
         * @throws UnsupportedOperationException from {@link #start()} where the backend or the OS lacks it
         */
        public Builder reusePort(boolean on) {
            this.reusePort = on;
            return this;
        }

        /**
         * How {@link #startOn} spreads connections over a group's hubs (default {@link
         * AcceptMode#defaultMode()}: {@code REUSE_PORT} on Linux, {@code HANDOFF} elsewhere, {@code
         * -Dweft.acceptMode} overrides). Ignored by {@link #start()} (one hub).
         */
        public Builder acceptMode(AcceptMode mode) {
            this.acceptMode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /** The kernel's queue of connections not yet accepted (default 1024). */
        public Builder backlog(int backlog) {
            this.backlog = backlog;
            return this;
        }

        /** At most this many handlers at once; accepting pauses while full (default unlimited). */
        public Builder maxConnections(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxConnections must be at least 1, not " + max);
            }
            this.maxConnections = max;
            return this;
        }

        /**
         * At most this many connections from one peer address at once (default unlimited); one more is
         * closed as soon as it is accepted (logged at DEBUG), so that one client cannot take every slot.
         */
        public Builder maxConnectionsPerPeer(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxConnectionsPerPeer must be at least 1, not " + max);
            }
            this.maxConnectionsPerPeer = max;
            return this;
        }

        /**
         * The timeout ({@link TcpSocket#setTimeout}) every accepted socket starts with: a read or write
         * that waits longer than this for the peer throws {@link java.net.SocketTimeoutException}.
         * Default {@value StreamServer#DEFAULT_IDLE_TIMEOUT_SECONDS} s; null for none. A handler may set its own.
         * When the server's timeout ends a handler (the exception escapes it) the connection was idle:
         * it is closed and logged at DEBUG, not reported as a handler failure.
         */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = timeout;
            return this;
        }

        /**
         * When {@code maxConnections} handlers run and another client has connected, the accept fiber
         * calls {@code closeOneIdle}, which may close one idle connection the application knows of
         * (the longest idle, as nginx does with keep-alive connections) and returns whether it did.
         * The new client is served as soon as a handler ends; while nothing could be closed it waits,
         * and {@code closeOneIdle} is asked again every {@code 100} ms. Runs in the accept fiber; must
         * not block. Default: none (the server waits for a handler to end).
         */
        public Builder reclaimWhenFull(BooleanSupplier closeOneIdle) {
            this.reclaimWhenFull = Objects.requireNonNull(closeOneIdle, "closeOneIdle");
            return this;
        }

        /** At most this many accepts before the accept fiber lets other fibers run (default 64). */
        public Builder maxAcceptsPerIteration(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxAcceptsPerIteration must be at least 1, not " + max);
            }
            this.maxAcceptsPerIteration = max;
            return this;
        }

        /**
         * Resolves the address (off the hub), binds, listens and starts the accept fiber on the
         * current hub. Blocks the calling fiber while a name resolves.
         *
         * @throws java.net.BindException if the address is in use ("Address already in use: 127.0.0.1:8080")
         * @throws java.net.UnknownHostException if the host name does not resolve
         * @throws dev.weft.fibers.NotInFiberException outside a fiber
         */
        public StreamServer start() throws IOException {
            Fiber.current();
            return new StreamServer(this, port, reusePort, maxConnections, null);
        }

        /**
         * Starts the server on every hub of {@code group}: one listening socket per hub on the same
         * port (SO_REUSEPORT, the kernel spreads connections) or one acceptor handing connections to
         * the hubs ({@link #acceptMode}), each hub's connections as fibers of that hub;
         * {@link #maxConnections} is shared out between the hubs. See {@link StreamServerGroup}.
         * Any thread; in a fiber it parks that fiber while the hubs bind.
         *
         * @throws java.net.BindException if the port is in use, also by a program that shares ports
         * @throws IOException if a hub cannot bind (the hubs that did are stopped first)
         */
        public StreamServerGroup startOn(dev.weft.fibers.HubGroup group) throws IOException {
            return StreamServerGroup.start(group, hub -> this);
        }

        String host() {
            return host;
        }

        int port() {
            return port;
        }

        int maxConnections() {
            return maxConnections;
        }

        AcceptMode acceptModeOrDefault() {
            return acceptMode != null ? acceptMode : AcceptMode.defaultMode();
        }
    }

    private final Hub hub;
    private final ConnectionHandler handler;
    private final ListenerHandle listener;
    private final InetSocketAddress address;
    private final int maxAcceptsPerIteration;
    private final int maxConnectionsPerPeer;
    private final Duration idleTimeout;
    private final BooleanSupplier reclaimWhenFull;
    /** Connections per peer address, kept only with {@link Builder#maxConnectionsPerPeer}. */
    private final Map<InetAddress, Integer> perPeer = new HashMap<>();
    private final ServerFibers handlers;
    /** Null unless this hub's listener hands its connections to a group's hubs (hub 0 in HANDOFF mode). */
    private final HandOff handOff;
    private final Fiber<Void> acceptor;
    private long accepted;

    /**
     * A server on the current hub from {@code b}, with the port, SO_REUSEPORT and connection limit
     * given here; with {@code handOff}, its listener hands every connection to a hub of the group
     * (this one included), and it registers itself as hub 0's receiver.
     */
    StreamServer(Builder b, int port, boolean reusePort, int maxConnections, HandOff handOff) throws IOException {
        this.hub = Hub.current();
        this.handOff = handOff;
        this.handler = b.handler;
        this.maxAcceptsPerIteration = b.maxAcceptsPerIteration;
        this.maxConnectionsPerPeer = b.maxConnectionsPerPeer;
        this.idleTimeout = b.idleTimeout;
        this.reclaimWhenFull = b.reclaimWhenFull;
        InetSocketAddress bindTo = b.host == null ? new InetSocketAddress(port)
                : new InetSocketAddress(Resolver.resolve(b.host, null).get(0), port);
        this.listener = hub.loop().poller().openListener(bindTo.getAddress() instanceof java.net.Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        try {
            if (reusePort) {
                listener.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            listener.bind(bindTo, b.backlog);
            this.address = (InetSocketAddress) listener.localAddress();
        } catch (IOException | RuntimeException e) {
            listener.close();
            throw e;
        }
        this.handlers = new ServerFibers("StreamServer(" + address + ")", maxConnections);
        if (handOff != null) {
            handOff.register(0, this, maxConnections);
        }
        this.acceptor = Fiber.spawn("accept " + address, this::acceptLoop);
        handlers.watch(acceptor);
    }

    /**
     * A server on the current hub (hub {@code index} of a group in HANDOFF mode) with no listener of
     * its own: it serves the connections {@code handOff} hands it, at most {@code maxConnections}.
     */
    StreamServer(Builder b, InetSocketAddress address, int maxConnections, HandOff handOff, int index) {
        this.hub = Hub.current();
        this.handOff = null;
        this.handler = b.handler;
        this.maxAcceptsPerIteration = b.maxAcceptsPerIteration;
        this.maxConnectionsPerPeer = b.maxConnectionsPerPeer;
        this.idleTimeout = b.idleTimeout;
        this.reclaimWhenFull = b.reclaimWhenFull;
        this.listener = null;
        this.address = address;
        this.handlers = new ServerFibers("StreamServer(" + address + ", hub " + index + ")", maxConnections);
        this.acceptor = null;
        handOff.register(index, this, maxConnections);
    }

    /** A builder for a server whose connections run {@code handler}. */
    public static Builder builder(ConnectionHandler handler) {
        return new Builder(handler);
    }

    private void acceptLoop() {
        Duration backoff = FIRST_BACKOFF;
        int burst = 0;
        while (handOff != null ? handOff.awaitRoom(handlers)
                : reclaimWhenFull == null ? handlers.awaitSlot() : !handlers.isStopping()) {
            StreamHandle h = null;
            try {
                hub.spendBudget();
                if (handOff != null) {
                    if (!handOff.acceptOne(listener)) {
                        burst = 0;
                        if (listener.isOpen()) {
                            hub.awaitIo(listener, Ops.READ, Deadlines.NONE);
                        }
                        continue;
                    }
                } else {
                    h = listener.accept();
                }
            } catch (IOException e) {
                if (handlers.isStopping() || !listener.isOpen()) {
                    return;
                }
                warn("accept on " + address + " failed (" + e.getMessage() + "); retrying in " + backoff.toMillis()
                        + " ms");
                if (!handlers.pause(backoff)) {
                    return;
                }
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
                continue;
            }
            backoff = FIRST_BACKOFF;
            if (handOff == null) {
                if (h == null) {
                    burst = 0;
                    if (listener.isOpen()) {
                        hub.awaitIo(listener, Ops.READ, Deadlines.NONE);
                    }
                    continue;
                }
                accepted++;
                if (!admit(new TcpSocket(hub, h), null)) {
                    return; // stopping
                }
            }
            if (++burst >= maxAcceptsPerIteration) {
                burst = 0;
                Fiber.yield();
            }
        }
    }

    /**
     * Logs an accept problem. Out of descriptors, logging itself can fail (a log formatter opening
     * the time-zone database gets EMFILE too); that must not end the accept loop, so the message
     * then goes to standard error.
     */
    private static void warn(String message) {
        try {
            LOG.log(System.Logger.Level.WARNING, message);
        } catch (Throwable loggingFailed) {
            System.err.println("WARNING: " + message + " (the logger failed: " + loggingFailed + ")");
        }
    }

    /**
     * Serves a connection {@code from} handed over (HANDOFF mode): registers it with this hub's
     * backend and admits it, or closes it if this server is stopping; either way {@code from} hears
     * when it ends. Hub thread, in a fiber of its own.
     */
    void adoptHandedOff(dev.weft.hub.AcceptedStream connection, HandOff from, int index) {
        if (handlers.isStopping()) {
            from.closeUnserved(index, connection);
            return;
        }
        StreamHandle h;
        try {
            h = hub.loop().poller().adopt(connection);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> address + ": could not take over " + connection + ": " + e);
            from.adoptionFailed(index, connection);
            return;
        }
        accepted++;
        admit(new TcpSocket(hub, h), () -> from.release(index));
    }

    /**
     * Serves an accepted socket, or closes it: over the per-peer limit, or when the server stops
     * while it waits for a slot (then returns false). Closes it on any failure, a kill included.
     * {@code ended} (may be null) runs once when the connection is done with: closed here, or its
     * handler ended.
     */
    private boolean admit(TcpSocket socket, Runnable ended) {
        InetSocketAddress peer;
        try {
            peer = socket.remoteAddress();
        } catch (IOException | RuntimeException e) {
            peer = null;
        }
        InetAddress peerAddress = peer == null ? null : peer.getAddress();
        boolean counted = false;
        boolean handed = false;
        try {
            if (maxConnectionsPerPeer != Integer.MAX_VALUE && peerAddress != null) {
                if (perPeer.getOrDefault(peerAddress, 0) >= maxConnectionsPerPeer) {
                    InetSocketAddress shown = peer;
                    LOG.log(System.Logger.Level.DEBUG, () -> address + ": closed a connection from " + shown + ": "
                            + maxConnectionsPerPeer + " from that address are open (maxConnectionsPerPeer)");
                    return true;
                }
                perPeer.merge(peerAddress, 1, Integer::sum);
                counted = true;
            }
            if (reclaimWhenFull != null && !makeRoom()) {
                return false;
            }
            serve(socket, peer, counted ? peerAddress : null, ended);
            handed = true;
            return true;
        } finally {
            if (!handed) {
                if (counted) {
                    leftPeer(peerAddress);
                }
                socket.close();
                if (ended != null) {
                    ended.run();
                }
            }
        }
    }

    /** While full, asks the application to close an idle connection and waits for a slot; false if stopping. */
    private boolean makeRoom() {
        while (handlers.isFull()) {
            reclaimWhenFull.getAsBoolean();
            if (!handlers.awaitChange(RECLAIM_RETRY)) {
                return false;
            }
        }
        return true;
    }

    private void leftPeer(InetAddress peer) {
        perPeer.computeIfPresent(peer, (a, n) -> n == 1 ? null : n - 1);
    }

    private void serve(TcpSocket socket, InetSocketAddress peer, InetAddress countedPeer, Runnable ended) {
        socket.setTimeout(idleTimeout);
        handlers.spawn("conn " + peer, () -> {
            try (socket) {
                handler.handle(socket);
            } catch (Exception e) {
                if (endedByIdleTimeout(e, socket)) {
                    LOG.log(System.Logger.Level.DEBUG, () -> address + ": closed " + socket + ", idle for "
                            + idleTimeout.toMillis() + " ms (the idle timeout): " + e);
                    return;
                }
                if (e instanceof RuntimeException re) {
                    throw re;
                }
                throw new IllegalStateException("connection handler failed on " + socket + ": " + e, e);
            } finally {
                if (countedPeer != null) {
                    leftPeer(countedPeer);
                }
                if (ended != null) {
                    ended.run();
                }
            }
        });
    }

    /** The server's idle timeout (still the socket's own) ended the handler, directly or as a cause. */
    private boolean endedByIdleTimeout(Exception e, TcpSocket socket) {
        if (idleTimeout == null || !idleTimeout.equals(socket.timeout())) {
            return false;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.SocketTimeoutException) {
                return true;
            }
        }
        return false;
    }

    /** The address it listens on (with the actual port when bound to port 0). */
    public InetSocketAddress address() {
        return address;
    }

    /** The hub it runs on. */
    Hub hub() {
        return hub;
    }

    /** The port it listens on. */
    public int port() {
        return address.getPort();
    }

    /** Handlers running now. */
    public int connections() {
        return handlers.size();
    }

    /** Connections accepted so far. */
    public long accepted() {
        return accepted;
    }

    /**
     * Blocks the calling fiber until the server is stopped.
     *
     * @throws RuntimeException what ended the accept loop, if it was not {@link #stop}
     */
    public void serveForever() {
        if (acceptor == null) { // a hand-off receiver: until stopped
            handlers.awaitStopped();
            return;
        }
        acceptor.get();
    }

    /**
     * Stops the server: stops accepting and closes the listening socket at once (a new connect is
     * refused when this returns, on every backend), waits up to {@code grace} for the running
     * handlers to finish, then kills the rest (their {@code finally} blocks run and their sockets
     * close). Blocks the calling fiber until every handler has ended. Called from one of the
     * server's own handlers, it neither waits for nor kills that handler. A handler that fails
     * meanwhile still reaches the hub's uncaught handler. A second call waits for the first.
     *
     * @param grace null: as long as they run; zero or negative: kill them at once
     * @return how many handlers had to be killed
     */
    public int stop(Duration grace) {
        return handlers.stop(grace, acceptor, () -> {
            if (listener != null) {
                listener.close();
            }
            if (handOff != null) {
                handOff.wakeAcceptor();
            }
        }, () -> { });
    }

    @Override
    public String toString() {
        return "StreamServer(" + address + ", " + handlers.size() + " connections)";
    }
}
