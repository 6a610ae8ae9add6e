package dev.weft.sockets;

import dev.weft.fibers.Deadlines;
import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.hub.DatagramHandle;
import dev.weft.hub.Ops;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * A UDP socket for fibers, connected or not: {@code receive} parks the calling fiber until a
 * datagram arrives. Thread rule: fibers of the hub that opened it; one receiver and one sender at a
 * time. Timeouts (the one rule for durations), the cooperative budget and closing behave as for
 * {@link TcpSocket}.
 *
 * <p>Connected to a peer that has no socket on its port, the next {@code receive} (or {@code send})
 * after the ICMP error arrives throws {@link PortUnreachableException} naming the peer, on every
 * backend (as a connected JDK {@code DatagramChannel} does on Linux); the socket stays usable.
 */
public final class UdpSocket implements AutoCloseable, ClosedBy {
    private static final String SOCKET_TIMEOUT = "the socket's timeout";
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
     * A host name is resolved off the hub ({@link Resolver}); the calling fiber parks meanwhile.
     *
     * @throws java.net.BindException if the address is taken ("Address already in use: 127.0.0.1:PORT")
     * @throws java.net.UnknownHostException if {@code host} does not resolve
     * @throws dev.weft.fibers.NotInFiberException outside a fiber
     */
    public static UdpSocket bind(String host, int port) throws IOException {
        Fiber.current();
        Hub hub = Hub.current();
        InetSocketAddress at = host == null ? new InetSocketAddress(port)
                : new InetSocketAddress(Resolver.resolve(host, null).get(0), port);
        return bind(hub, at);
    }

    /** Opens a UDP socket bound to the resolved address {@code at}. */
    static UdpSocket bind(Hub hub, InetSocketAddress at) throws IOException {
        return bind(hub, at, false);
    }

    /**
     * Opens a UDP socket bound to the resolved address {@code at}, with {@code SO_REUSEPORT} set
     * before the bind when {@code reusePort} (several sockets, one per hub, share the port).
     *
     * @throws UnsupportedOperationException if the backend has no SO_REUSEPORT for datagrams
     */
    static UdpSocket bind(Hub hub, InetSocketAddress at, boolean reusePort) throws IOException {
        DatagramHandle h = hub.loop().poller().openDatagram(at.getAddress() instanceof java.net.Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        try {
            if (reusePort) {
                h.setOption(java.net.StandardSocketOptions.SO_REUSEPORT, true);
            }
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

    /**
     * Sends one datagram to {@code target}; waits while the send buffer is full.
     *
     * @throws SocketTimeoutException if the socket's timeout passes first
     */
    public int send(ByteBuffer src, InetSocketAddress target) throws IOException {
        sending.enter(hub, this);
        try {
            Duration t = timeout;
            long deadline = Deadlines.after(t);
            hub.spendBudget(); // before the attempt: a yield that throws has sent nothing
            while (true) {
                int n = handle.send(src, target);
                if (n > 0 || !src.hasRemaining()) {
                    return n;
                }
                sending.await(hub, handle, deadline, SOCKET_TIMEOUT, t, this);
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
     * @throws SocketTimeoutException   if the socket's timeout passes first
     * @throws PortUnreachableException if connected and an earlier datagram found no socket at the peer
     */
    public InetSocketAddress receive(ByteBuffer dst) throws IOException {
        receiving.enter(hub, this);
        try {
            Duration t = timeout;
            long deadline = Deadlines.after(t);
            hub.spendBudget(); // before the attempt: a yield that throws has taken no datagram
            while (true) {
                InetSocketAddress from = handle.receive(dst);
                if (from != null) {
                    return from;
                }
                receiving.await(hub, handle, deadline, SOCKET_TIMEOUT, t, this);
            }
        } finally {
            receiving.exit();
        }
    }

    /**
     * A limit for every blocking call: {@code null} for none (the default); zero or negative: do not
     * wait; any positive duration, however long. See the Durations section of the {@code
     * dev.weft.fibers} package docs.
     */
    public void setTimeout(Duration timeout) {
        this.timeout = timeout;
    }

    /** The per-call limit as set, or null for none. */
    public Duration timeout() {
        return timeout;
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

    boolean isOpen() {
        return handle.isOpen();
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
