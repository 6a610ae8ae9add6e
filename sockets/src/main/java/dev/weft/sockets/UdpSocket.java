package dev.weft.sockets;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.hub.DatagramHandle;
import dev.weft.hub.Ops;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * A UDP socket for fibers, connected or not: {@code receive} parks the calling fiber until a
 * datagram arrives. Thread rule: fibers of the hub that opened it; one receiver and one sender at a
 * time. Timeouts and closing behave as for {@link TcpSocket}.
 */
public final class UdpSocket implements AutoCloseable, ClosedBy {
    private final Hub hub;
    private final DatagramHandle handle;
    private final SocketSide receiving = new SocketSide(Ops.READ);
    private final SocketSide sending = new SocketSide(Ops.WRITE);
    private Duration timeout;
    private String closedBy;

    private UdpSocket(Hub hub, DatagramHandle handle) {
        this.hub = hub;
        this.handle = handle;
    }

    /**
     * Opens a UDP socket bound to {@code host:port} (host null: every interface; port 0: a free one).
     *
     * @throws dev.weft.fibers.NotInFiberException outside a fiber
     */
    public static UdpSocket bind(String host, int port) throws IOException {
        Fiber.current();
        Hub hub = Hub.current();
        InetSocketAddress at = host == null ? new InetSocketAddress(port)
                : new InetSocketAddress(InetAddress.getByName(host), port);
        DatagramHandle h = hub.loop().poller().openDatagram(at.getAddress() instanceof java.net.Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        try {
            h.bind(at);
        } catch (IOException | RuntimeException e) {
            h.close();
            throw e;
        }
        return new UdpSocket(hub, h);
    }

    /** Receives only from {@code remote} and lets {@link #send(ByteBuffer)} omit the target. */
    public void connect(InetSocketAddress remote) throws IOException {
        handle.connect(remote);
    }

    /** Sends one datagram to {@code target}; waits while the send buffer is full. */
    public int send(ByteBuffer src, InetSocketAddress target) throws IOException {
        sending.enter(this);
        try {
            long deadline = SocketSide.deadline(timeout);
            while (true) {
                int n = handle.send(src, target);
                if (n > 0 || !src.hasRemaining()) {
                    return n;
                }
                sending.await(hub, handle, deadline, timeout, this);
            }
        } finally {
            sending.exit();
        }
    }

    /** Sends one datagram to the connected peer. */
    public int send(ByteBuffer src) throws IOException {
        return send(src, null);
    }

    /**
     * Waits for one datagram and puts it into {@code dst} (the part that does not fit is dropped).
     *
     * @return the sender
     * @throws SocketTimeoutException if the socket's timeout passes first
     */
    public InetSocketAddress receive(ByteBuffer dst) throws IOException {
        receiving.enter(this);
        try {
            long deadline = SocketSide.deadline(timeout);
            while (true) {
                InetSocketAddress from = handle.receive(dst);
                if (from != null) {
                    return from;
                }
                receiving.await(hub, handle, deadline, timeout, this);
            }
        } finally {
            receiving.exit();
        }
    }

    /** A limit for every blocking call; null or zero for none. */
    public void setTimeout(Duration timeout) {
        this.timeout = timeout == null || timeout.isZero() ? null : timeout;
    }

    /** The bound address. */
    public InetSocketAddress localAddress() throws IOException {
        return (InetSocketAddress) handle.localAddress();
    }

    /** Closes it; blocked fibers wake with {@link SocketClosedException}. Idempotent. */
    @Override
    public void close() {
        if (handle.isOpen()) {
            closedBy = SocketSide.closer();
            handle.close();
        }
    }

    @Override
    public String closedBy() {
        return closedBy;
    }

    @Override
    public String toString() {
        try {
            return "UdpSocket(" + handle.localAddress() + ")";
        } catch (IOException e) {
            return "UdpSocket(closed)";
        }
    }
}
