package dev.weft.sockets;

import dev.weft.fibers.Event;
import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.hub.ListenerHandle;
import dev.weft.hub.Ops;
import dev.weft.hub.StreamHandle;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

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
 * pauses (connections wait in the kernel backlog) and resumes when a handler ends. At most {@code
 * maxAcceptsPerIteration} connections are accepted before the accept fiber yields to the others.
 * Accept errors (e.g. EMFILE, too many open files) are logged and retried after a back-off that
 * doubles from 10 ms to 1 s, never in a busy loop.
 *
 * <p>Thread rule: hub thread, from fibers; the server belongs to the hub it was started on.
 */
public final class StreamServer {
    private static final System.Logger LOG = System.getLogger(StreamServer.class.getName());
    static final Duration FIRST_BACKOFF = Duration.ofMillis(10);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(1);

    /** Settings for a {@link StreamServer}; {@link #start()} binds and starts accepting. */
    public static final class Builder {
        private final ConnectionHandler handler;
        private InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        private int backlog = 1024;
        private int maxConnections = Integer.MAX_VALUE;
        private int maxAcceptsPerIteration = 64;

        private Builder(ConnectionHandler handler) {
            this.handler = Objects.requireNonNull(handler, "handler");
        }

        /** Where to listen; port 0 picks a free port ({@link StreamServer#port()} tells which). Default 127.0.0.1:0. */
        public Builder bind(String host, int port) {
            this.address = host == null ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
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

        /** At most this many accepts before the accept fiber lets other fibers run (default 64). */
        public Builder maxAcceptsPerIteration(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxAcceptsPerIteration must be at least 1, not " + max);
            }
            this.maxAcceptsPerIteration = max;
            return this;
        }

        /**
         * Binds, listens and starts the accept fiber on the current hub.
         *
         * @throws java.net.BindException if the address is in use
         * @throws dev.weft.fibers.NotInFiberException outside a fiber
         */
        public StreamServer start() throws IOException {
            Fiber.current();
            return new StreamServer(this);
        }
    }

    private final Hub hub;
    private final ConnectionHandler handler;
    private final ListenerHandle listener;
    private final InetSocketAddress address;
    private final int maxConnections;
    private final int maxAcceptsPerIteration;
    private final Set<Fiber<?>> handlers = new LinkedHashSet<>();
    private final Event slotFree = new Event();
    private final Fiber<Void> acceptor;
    private boolean stopping;
    private long accepted;

    private StreamServer(Builder b) throws IOException {
        this.hub = Hub.current();
        this.handler = b.handler;
        this.maxConnections = b.maxConnections;
        this.maxAcceptsPerIteration = b.maxAcceptsPerIteration;
        InetSocketAddress bindTo = b.address;
        if (bindTo.isUnresolved()) {
            bindTo = new InetSocketAddress(Resolver.resolve(bindTo.getHostString(), null).get(0), bindTo.getPort());
        }
        this.listener = hub.loop().poller().openListener(bindTo.getAddress() instanceof java.net.Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        try {
            listener.bind(bindTo, b.backlog);
            this.address = (InetSocketAddress) listener.localAddress();
        } catch (IOException | RuntimeException e) {
            listener.close();
            throw e;
        }
        this.acceptor = Fiber.spawn("accept " + address, this::acceptLoop);
    }

    /** A builder for a server whose connections run {@code handler}. */
    public static Builder builder(ConnectionHandler handler) {
        return new Builder(handler);
    }

    private void acceptLoop() {
        Duration backoff = FIRST_BACKOFF;
        int burst = 0;
        while (!stopping) {
            if (handlers.size() >= maxConnections) {
                slotFree.clear();
                slotFree.await();
                continue;
            }
            StreamHandle h;
            try {
                h = listener.accept();
            } catch (IOException e) {
                if (stopping || !listener.isOpen()) {
                    return;
                }
                warn("accept on " + address + " failed (" + e.getMessage() + "); retrying in " + backoff.toMillis()
                        + " ms");
                Fiber.sleep(backoff);
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
                continue;
            }
            if (h == null) {
                burst = 0;
                hub.awaitIo(listener, Ops.READ, Long.MAX_VALUE);
                continue;
            }
            backoff = FIRST_BACKOFF;
            accepted++;
            serve(new TcpSocket(hub, h));
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

    private void serve(TcpSocket socket) {
        String peer;
        try {
            peer = String.valueOf(socket.remoteAddress());
        } catch (IOException e) {
            peer = "?";
        }
        Fiber<Void> f = Fiber.spawn("conn " + peer, () -> {
            try (socket) {
                handler.handle(socket);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("connection handler failed on " + socket + ": " + e, e);
            }
        });
        handlers.add(f);
        f.onExit(done -> {
            handlers.remove(done);
            slotFree.set();
        });
    }

    /** The address it listens on (with the actual port when bound to port 0). */
    public InetSocketAddress address() {
        return address;
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
        acceptor.get();
    }

    /**
     * Stops the server: stops accepting and closes the listening socket at once, waits up to {@code
     * grace} for the running handlers to finish, then kills the rest (their {@code finally} blocks
     * run and their sockets close). Blocks the calling fiber until every handler has ended. Called
     * from one of the server's own handlers, it neither waits for nor kills that handler.
     *
     * @return how many handlers had to be killed
     */
    public int stop(Duration grace) {
        stopping = true;
        listener.close(); // wakes the accept fiber
        slotFree.set();
        acceptor.join(); // its failure, if any, is serveForever's to report
        List<Fiber<?>> running = new ArrayList<>(handlers);
        running.remove(Fiber.current()); // a handler stopping its own server does not wait for itself
        if (running.isEmpty() || Fiber.joinAll(running, grace)) {
            return 0;
        }
        List<Fiber<?>> left = new ArrayList<>();
        for (Fiber<?> f : running) {
            if (!f.isDone()) {
                left.add(f);
            }
        }
        Fiber.killAll(left, Duration.ofSeconds(30));
        return left.size();
    }

    @Override
    public String toString() {
        return "StreamServer(" + address + ", " + handlers.size() + " connections)";
    }
}
