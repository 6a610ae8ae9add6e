package dev.weft.sockets;

import dev.weft.fibers.Fiber;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;

/**
 * A UDP server on one hub (gevent's {@code DatagramServer}): a receive fiber, and a handler fiber
 * per datagram, which may answer through the server's socket.
 *
 * <pre>{@code
 * DatagramServer server = DatagramServer.builder((data, from, srv) -> srv.send(data, from))
 *         .bind("127.0.0.1", 0).maxHandlers(1_000).start();
 * }</pre>
 *
 * <p>Flow control, as {@link StreamServer}'s: at most {@code maxHandlers} handlers run at once;
 * while full, the receive fiber stops reading until one ends (datagrams wait in the kernel's
 * receive buffer, and the kernel drops what does not fit: UDP's own back-pressure). A handler's
 * exception goes to the hub's uncaught handler, exactly once.
 *
 * <p>Thread rule: hub thread, from fibers; the server belongs to the hub it was started on.
 */
public final class DatagramServer {
    /** Default {@link Builder#maxHandlers}: UDP has no accept backlog, so the default is a bound, not unlimited. */
    public static final int DEFAULT_MAX_HANDLERS = 1_000;

    /** What a {@link DatagramServer} runs for each datagram, in a fiber of its own. */
    @FunctionalInterface
    public interface Handler {
        /** {@code data} holds the datagram (flipped); answer with {@code server.send(reply, from)}. */
        void handle(ByteBuffer data, InetSocketAddress from, DatagramServer server) throws Exception;
    }

    /** Settings for a {@link DatagramServer}; {@link #start()} binds and starts receiving. */
    public static final class Builder {
        private final Handler handler;
        private String host = InetAddress.getLoopbackAddress().getHostAddress();
        private int port;
        private int maxDatagram = 65_507;
        private int maxHandlers = DEFAULT_MAX_HANDLERS;

        private Builder(Handler handler) {
            this.handler = Objects.requireNonNull(handler, "handler");
        }

        /**
         * Where to listen: a name or an address literal (null: every interface), resolved off the
         * hub by {@link #start()}; port 0 picks a free one. Default 127.0.0.1:0.
         */
        public Builder bind(String host, int port) {
            if (port < 0 || port > 0xFFFF) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
            this.host = host;
            this.port = port;
            return this;
        }

        /** Datagrams longer than this many bytes are truncated (default 65,507, the most UDP over IPv4 carries). */
        public Builder maxDatagram(int bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxDatagram must be at least 1, not " + bytes);
            }
            this.maxDatagram = bytes;
            return this;
        }

        /** At most this many handlers at once; receiving pauses while full (default {@value #DEFAULT_MAX_HANDLERS}). */
        public Builder maxHandlers(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxHandlers must be at least 1, not " + max);
            }
            this.maxHandlers = max;
            return this;
        }

        /**
         * Resolves (off the hub), binds and starts the receive fiber on the current hub.
         *
         * @throws java.net.BindException if the address is in use ("Address already in use: 127.0.0.1:PORT")
         * @throws dev.weft.fibers.NotInFiberException outside a fiber
         */
        public DatagramServer start() throws IOException {
            Fiber.current();
            return new DatagramServer(UdpSocket.bind(host, port), this);
        }

        /**
         * Starts the server on every hub of {@code group}: one UDP socket per hub on the same port
         * with SO_REUSEPORT (Linux spreads datagrams over them by a hash of the sender's address and
         * port), each hub's datagrams handled by fibers of that hub; {@link #maxHandlers} holds per
         * hub. See {@link DatagramServerGroup}. Any thread; in a fiber it parks that fiber while the hubs bind.
         *
         * @throws java.net.BindException if the port is in use, also by a program that shares ports
         * @throws UnsupportedOperationException if the backend has no SO_REUSEPORT for datagrams (the
         *         simulation backend)
         * @throws IOException if a hub cannot bind (the hubs that did are stopped first)
         */
        public DatagramServerGroup startOn(dev.weft.fibers.HubGroup group) throws IOException {
            return DatagramServerGroup.start(group, this);
        }

        /** Binds a socket with SO_REUSEPORT on the current hub at {@code host:port} (port: the group's). */
        DatagramServer startSharing(int port) throws IOException {
            Fiber.current();
            InetSocketAddress at = host == null ? new InetSocketAddress(port)
                    : new InetSocketAddress(Resolver.resolve(host, null).get(0), port);
            return new DatagramServer(UdpSocket.bind(dev.weft.fibers.Hub.current(), at, true), this);
        }

        String host() {
            return host;
        }

        int port() {
            return port;
        }
    }

    private final UdpSocket socket;
    private final Handler handler;
    private final int maxDatagram;
    private final ServerFibers handlers;
    private final Fiber<Void> receiver;
    private final dev.weft.fibers.Hub hub;
    private long received;

    private DatagramServer(UdpSocket socket, Builder b) {
        this.hub = dev.weft.fibers.Hub.current();
        this.socket = socket;
        this.handler = b.handler;
        this.maxDatagram = b.maxDatagram;
        this.handlers = new ServerFibers("DatagramServer(" + socket + ")", b.maxHandlers);
        this.receiver = Fiber.spawn("udp-receive", this::receiveLoop);
        handlers.watch(receiver);
    }

    /** A builder for a server whose datagrams run {@code handler}. */
    public static Builder builder(Handler handler) {
        return new Builder(handler);
    }

    /**
     * Binds {@code host:port} (port 0: a free one) and starts receiving; datagrams longer than
     * {@code maxDatagram} bytes are truncated; at most {@value #DEFAULT_MAX_HANDLERS} handlers at once.
     */
    public static DatagramServer start(String host, int port, int maxDatagram, Handler handler) throws IOException {
        return builder(handler).bind(host, port).maxDatagram(maxDatagram).start();
    }

    private void receiveLoop() {
        while (handlers.awaitSlot()) {
            ByteBuffer buf = ByteBuffer.allocate(maxDatagram);
            InetSocketAddress from;
            try {
                from = socket.receive(buf);
            } catch (IOException e) {
                if (handlers.isStopping() || !socket.isOpen()) {
                    return;
                }
                throw new IllegalStateException("datagram server " + socket + " failed to receive: " + e, e);
            }
            buf.flip();
            received++;
            handlers.spawn("udp " + from, () -> handler.handle(buf, from, this));
        }
    }

    /** Sends {@code data} to {@code to} from the server's socket. */
    public void send(ByteBuffer data, InetSocketAddress to) throws IOException {
        socket.send(data, to);
    }

    /** The bound address. */
    public InetSocketAddress address() throws IOException {
        return socket.localAddress();
    }

    /** Handlers running now. */
    public int handlers() {
        return handlers.size();
    }

    /** Datagrams received so far (each one handled, or being handled, by a fiber). */
    public long received() {
        return received;
    }

    /** The hub it runs on. */
    dev.weft.fibers.Hub hub() {
        return hub;
    }

    /**
     * Stops receiving, waits up to {@code grace} for running handlers (they may still answer), kills
     * the rest and closes the socket (its port is free when this returns). Blocks the calling fiber.
     * Called from one of the server's own handlers, it neither waits for nor kills that handler; the
     * socket is closed all the same. A second call waits for the first.
     *
     * @param grace null: as long as they run; zero or negative: kill them at once
     * @return how many handlers had to be killed
     */
    public int stop(Duration grace) {
        return handlers.stop(grace, receiver, receiver::kill, socket::close);
    }

    @Override
    public String toString() {
        return handlers.toString();
    }
}
