package dev.weft.sockets;

import dev.weft.fibers.Fiber;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A UDP server on one hub (gevent's {@code DatagramServer}): a receive fiber, and a handler fiber
 * per datagram, which may answer through the server's socket.
 *
 * <p>Thread rule: hub thread, from fibers.
 */
public final class DatagramServer {

    /** What a {@link DatagramServer} runs for each datagram, in a fiber of its own. */
    @FunctionalInterface
    public interface Handler {
        /** {@code data} holds the datagram (flipped); answer with {@code server.send(reply, from)}. */
        void handle(ByteBuffer data, InetSocketAddress from, DatagramServer server) throws Exception;
    }

    private final UdpSocket socket;
    private final Handler handler;
    private final int maxDatagram;
    private final Set<Fiber<?>> handlers = new LinkedHashSet<>();
    private final Fiber<Void> receiver;
    private boolean stopping;

    private DatagramServer(UdpSocket socket, Handler handler, int maxDatagram) {
        this.socket = socket;
        this.handler = handler;
        this.maxDatagram = maxDatagram;
        this.receiver = Fiber.spawn("udp-receive", this::receiveLoop);
    }

    /**
     * Binds {@code host:port} (port 0: a free one) and starts receiving; datagrams longer than
     * {@code maxDatagram} bytes are truncated.
     */
    public static DatagramServer start(String host, int port, int maxDatagram, Handler handler) throws IOException {
        Objects.requireNonNull(handler, "handler");
        return new DatagramServer(UdpSocket.bind(host, port), handler, maxDatagram);
    }

    private void receiveLoop() {
        while (!stopping) {
            ByteBuffer buf = ByteBuffer.allocate(maxDatagram);
            InetSocketAddress from;
            try {
                from = socket.receive(buf);
            } catch (IOException e) {
                if (stopping) {
                    return;
                }
                throw new IllegalStateException("datagram server " + socket + " failed to receive: " + e, e);
            }
            buf.flip();
            Fiber<Void> f = Fiber.spawn("udp " + from, () -> {
                handler.handle(buf, from, this);
                return null;
            });
            handlers.add(f);
            f.onExit(handlers::remove);
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

    /**
     * Stops receiving, waits up to {@code grace} for running handlers, kills the rest and closes the
     * socket. Blocks the calling fiber.
     *
     * @return how many handlers had to be killed
     */
    public int stop(Duration grace) {
        stopping = true;
        receiver.kill();
        receiver.join();
        List<Fiber<?>> running = new ArrayList<>(handlers);
        int killed = 0;
        if (!running.isEmpty() && !Fiber.joinAll(running, grace)) {
            List<Fiber<?>> left = running.stream().filter(f -> !f.isDone()).toList();
            Fiber.killAll(left, Duration.ofSeconds(30));
            killed = left.size();
        }
        socket.close();
        return killed;
    }
}
