package dev.weft.bridges;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.fibers.NotInFiberException;
import dev.weft.sockets.Connection;
import dev.weft.sockets.ConnectionInputStream;
import dev.weft.sockets.ConnectionOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketImpl;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SocketChannel;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A {@link java.net.Socket} whose blocking calls park only the calling fiber: a Weft {@link
 * Connection} behind the JDK's socket API, so that unmodified libraries that take a {@code Socket} or a
 * {@link javax.net.SocketFactory} (JDBC drivers, Jedis, OkHttp, the JDK's TLS layered with
 * {@code SSLSocketFactory.createSocket(socket, host, port, true)}) become cooperative. Usually made by
 * {@link FiberSocketFactory} (unconnected; {@link #connect} opens a {@code TcpSocket}); {@link
 * #FiberSocket(Connection)} wraps a connection that is open already, a {@code TlsSocket} too (the
 * library then reads and writes plaintext, and Weft's TLS makes the records).
 *
 * <p>Every public method of {@code Socket} is overridden (none falls through to an OS socket of the
 * JDK's); {@link #getChannel()} returns null. Behaviour follows {@code Socket}'s javadoc: {@link
 * #setSoTimeout} bounds each read and a read that times out throws {@link
 * java.net.SocketTimeoutException} with nothing lost and the socket still usable; writes have no
 * limit (as in the JDK). Options set before {@code connect} are applied once connected. A failed
 * connect closes the socket. Using it after {@link #close()} throws {@link SocketException}
 * ("Socket is closed"), and a read or write woken by a close from another fiber throws
 * {@code SocketException} naming who closed it.
 *
 * <p>Thread rule: any thread. A socket belongs to the hub that connected it: the hub of the fiber that
 * called {@code connect}, or, when a thread that runs no hub connects it (a pool's own thread, such as
 * HikariCP's connection adder or pgjdbc's cancel timer), a shared daemon hub ({@code weft-bridge-hub}).
 * Its fibers use it directly. Everyone else may use it too, and their calls are carried out on that
 * hub: a fiber of another hub parks meanwhile (cooperative there too), a plain thread blocks as with a
 * JDK socket. So a socket a pool opened on its own thread is cooperative in whichever hub's fiber
 * borrows it, and the pool's housekeeping threads may still validate and close it. A call from
 * elsewhere costs two thread hand-offs (tens of microseconds); a connection that one hub's fibers use
 * is best opened in one of them. On a hub thread outside any fiber, calls that wait throw {@link
 * NotInFiberException} (they would block that hub). One reader and one writer at a time, as with
 * {@code TcpSocket}. A kill or an enclosing {@link dev.weft.fibers.Timeout} interrupts a blocked call
 * as for any fiber call (a read interrupted so loses nothing: bytes read meanwhile go to the next
 * read); what the library above then does with its half-finished protocol is its business: close
 * the connection. Why calls move rather than descriptors: see {@code OwnedConnection}.
 *
 * <p>Not supported: binding a local address before connecting ({@link #bind} throws
 * {@code SocketException}), urgent data and {@code OOBINLINE}, proxies.
 */
public class FiberSocket extends Socket {
    private final Map<SocketOption<?>, Object> pendingOptions = new LinkedHashMap<>();
    /** Set once connected (published by the volatile {@link #connected}). */
    private OwnedConnection conn;
    private volatile boolean closed;
    private volatile boolean connected;
    private volatile boolean inputShutdown;
    private volatile boolean outputShutdown;
    /** SO_TIMEOUT in milliseconds; 0 means no limit. */
    private volatile int soTimeout;
    private InetSocketAddress remote;
    private InetSocketAddress local;
    private InputStream in;
    private OutputStream out;

    /**
     * An unconnected socket; {@link #connect(SocketAddress, int)} it from a fiber. Any thread.
     *
     * @throws SocketException never in practice ({@code Socket}'s constructor declares it)
     */
    public FiberSocket() throws SocketException {
        super(noImpl());
        OpeningScope.opened(this);
    }

    /**
     * A connected socket over {@code connection}: a {@code TcpSocket}, or a {@code TlsSocket} after its
     * handshake. It belongs to the connection's hub ({@link Connection#hub()}), and closing it closes
     * the connection. Any thread.
     *
     * @throws SocketException if {@code connection} is closed or no longer knows its addresses
     */
    public FiberSocket(Connection connection) throws SocketException {
        super(noImpl());
        if (!Objects.requireNonNull(connection, "connection").isOpen()) {
            throw new SocketException(connection + " is closed; a FiberSocket wraps an open connection");
        }
        try {
            conn = OwnedConnection.of(connection);
        } catch (IOException addressesGone) {
            throw JdkSocketErrors.closed(addressesGone);
        }
        remote = conn.remote;
        local = conn.local;
        connected = true;
    }

    private static SocketImpl noImpl() {
        return null;
    }

    /** The connection underneath ({@code session()} is the TLS session of a TLS one), or null before it is connected. Any thread. */
    public Connection connection() {
        return connected ? conn.connection : null;
    }

    // ---------------------------------------------------------------- connecting

    /** {@link #connect(SocketAddress, int)} without a timeout. */
    @Override
    public void connect(SocketAddress endpoint) throws IOException {
        connect(endpoint, 0);
    }

    /**
     * Connects to {@code endpoint}: in a fiber it parks that fiber, and the socket belongs to its hub;
     * on a thread that runs no hub it blocks that thread, and the socket belongs to the shared bridge
     * hub (see the class comment). An unresolved address is resolved off the hub. Fails and closes the
     * socket on error, as {@code Socket.connect} does.
     *
     * @param timeout milliseconds for resolving and connecting; 0 for no limit
     * @throws java.net.ConnectException      if the peer refused
     * @throws java.net.SocketTimeoutException if {@code timeout} passed first
     * @throws java.net.UnknownHostException   if the name does not resolve
     * @throws SocketException                 if already connected or closed
     * @throws NotInFiberException             on a hub thread outside any fiber (it would block the hub)
     */
    @Override
    public void connect(SocketAddress endpoint, int timeout) throws IOException {
        if (!(endpoint instanceof InetSocketAddress address)) {
            throw new IllegalArgumentException("FiberSocket connects to an InetSocketAddress, not " + endpoint);
        }
        if (timeout < 0) {
            throw new IllegalArgumentException("connect: timeout can't be negative: " + timeout);
        }
        if (!Fiber.inFiber() && BridgeHub.onSomeHub()) {
            throw new NotInFiberException("FiberSocket.connect(" + endpoint + ") was called on the hub thread '"
                    + Thread.currentThread().getName() + "' outside any fiber (a timer, a callback); it would block"
                    + " every fiber of the hub. Connect it inside a fiber.");
        }
        checkOpen();
        if (connected) {
            throw new SocketException("already connected");
        }
        OwnedConnection c;
        try {
            c = OwnedConnection.connect(address, timeout, new LinkedHashMap<>(pendingOptions));
        } catch (IOException | RuntimeException | Error e) {
            closed = true;
            throw e;
        }
        conn = c;
        remote = c.remote;
        local = c.local;
        pendingOptions.clear();
        connected = true; // volatile write: publishes conn to other threads
        if (closed) { // closed (by another fiber or thread) while connecting
            c.close();
            throw new SocketException("Socket closed while connecting to " + endpoint);
        }
    }

    /**
     * Not supported: a {@code FiberSocket} takes its local address from the system when it connects.
     *
     * @throws SocketException always, unless {@code bindpoint} is null or the wildcard address with port 0
     */
    @Override
    public void bind(SocketAddress bindpoint) throws IOException {
        if (bindpoint == null || (bindpoint instanceof InetSocketAddress a && a.getPort() == 0
                && (a.getAddress() == null || a.getAddress().isAnyLocalAddress()))) {
            return; // what connect does anyway
        }
        throw new SocketException("FiberSocket cannot bind to " + bindpoint + " before connecting (not supported);"
                + " leave the local address to the system");
    }

    // ---------------------------------------------------------------- streams

    /**
     * The stream of bytes from the peer: reads park the calling fiber (block a plain thread), bounded
     * by {@link #setSoTimeout}; {@code available()} is 0; closing it closes the socket.
     *
     * @throws SocketException if the socket is closed, not connected, or its input is shut down
     */
    @Override
    public InputStream getInputStream() throws IOException {
        checkOpen();
        checkConnected();
        if (inputShutdown) {
            throw new SocketException("Socket input is shutdown");
        }
        if (in == null) {
            in = new ConnectionInputStream(new FiberSocketChannel(this));
        }
        return in;
    }

    /**
     * The stream of bytes to the peer: each write parks the calling fiber until all of it is
     * written (no time limit, as in the JDK); nothing is buffered; closing it closes the socket.
     *
     * @throws SocketException if the socket is closed, not connected, or its output is shut down
     */
    @Override
    public OutputStream getOutputStream() throws IOException {
        checkOpen();
        checkConnected();
        if (outputShutdown) {
            throw new SocketException("Socket output is shutdown");
        }
        if (out == null) {
            out = new ConnectionOutputStream(new FiberSocketChannel(this));
        }
        return out;
    }

    /** The connection once connected (for {@link FiberSocketChannel}). */
    OwnedConnection owned() {
        return conn;
    }

    /** SO_TIMEOUT in milliseconds, 0 for none (for {@link FiberSocketChannel}). */
    int soTimeoutMillis() {
        return soTimeout;
    }

    // ---------------------------------------------------------------- closing

    /**
     * Closes the socket; fibers blocked on it wake with a {@link SocketException}. Idempotent. Any
     * thread: from another thread the close is handed to the socket's hub (it happens soon after,
     * on the hub thread); if that hub has ended, the socket closed with it.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!connected) {
            return; // a connect in progress sees the flag and closes what it opened
        }
        conn.close();
    }

    /** Half-close of the input: later reads return -1 (end of stream). */
    @Override
    public void shutdownInput() throws IOException {
        checkOpen();
        checkConnected();
        if (inputShutdown) {
            throw new SocketException("Socket input is already shutdown");
        }
        inputShutdown = true;
        try {
            conn.shutdownInput();
        } catch (NotYetConnectedException peerGone) {
            // ENOTCONN: the peer has closed already; the JDK ignores it too
        }
    }

    /** Half-close of the output: the peer reads end of stream; later writes fail. */
    @Override
    public void shutdownOutput() throws IOException {
        checkOpen();
        checkConnected();
        if (outputShutdown) {
            throw new SocketException("Socket output is already shutdown");
        }
        outputShutdown = true;
        try {
            conn.shutdownOutput();
        } catch (NotYetConnectedException peerGone) {
            // ENOTCONN: the peer has closed already; the JDK ignores it too
        }
    }

    // ---------------------------------------------------------------- state (any thread)

    @Override
    public boolean isConnected() {
        return connected;
    }

    @Override
    public boolean isBound() {
        return connected;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public boolean isInputShutdown() {
        return inputShutdown;
    }

    @Override
    public boolean isOutputShutdown() {
        return outputShutdown;
    }

    /** Always null: there is no JDK channel behind this socket. */
    @Override
    public SocketChannel getChannel() {
        return null;
    }

    @Override
    public InetAddress getInetAddress() {
        return remote == null ? null : remote.getAddress();
    }

    @Override
    public int getPort() {
        return remote == null ? 0 : remote.getPort();
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
        return remote;
    }

    @Override
    public InetAddress getLocalAddress() {
        return local == null ? new InetSocketAddress(0).getAddress() : local.getAddress();
    }

    @Override
    public int getLocalPort() {
        return local == null ? -1 : local.getPort();
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return local;
    }

    @Override
    public String toString() {
        if (remote == null) {
            return "FiberSocket[unconnected" + (closed ? ", closed" : "") + "]";
        }
        return "FiberSocket[addr=" + remote.getAddress() + ",port=" + remote.getPort() + ",localport="
                + local.getPort() + (closed ? ",closed" : "") + "]";
    }

    // ---------------------------------------------------------------- options (any thread)

    /** SO_TIMEOUT: the limit of each read in milliseconds, 0 for none; a read that is already waiting keeps the limit it started with. */
    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        checkOpen();
        if (timeout < 0) {
            throw new IllegalArgumentException("timeout < 0");
        }
        soTimeout = timeout;
    }

    @Override
    public int getSoTimeout() throws SocketException {
        checkOpen();
        return soTimeout;
    }

    @Override
    public void setTcpNoDelay(boolean on) throws SocketException {
        set(StandardSocketOptions.TCP_NODELAY, on);
    }

    @Override
    public boolean getTcpNoDelay() throws SocketException {
        return get(StandardSocketOptions.TCP_NODELAY, false);
    }

    @Override
    public void setSoLinger(boolean on, int linger) throws SocketException {
        if (on && linger < 0) {
            throw new IllegalArgumentException("invalid value for SO_LINGER");
        }
        set(StandardSocketOptions.SO_LINGER, on ? Math.min(linger, 65_535) : -1);
    }

    @Override
    public int getSoLinger() throws SocketException {
        int v = get(StandardSocketOptions.SO_LINGER, -1);
        return v < 0 ? -1 : v;
    }

    @Override
    public void setSendBufferSize(int size) throws SocketException {
        if (size <= 0) {
            throw new IllegalArgumentException("negative send size");
        }
        set(StandardSocketOptions.SO_SNDBUF, size);
    }

    @Override
    public int getSendBufferSize() throws SocketException {
        return get(StandardSocketOptions.SO_SNDBUF, 0);
    }

    @Override
    public void setReceiveBufferSize(int size) throws SocketException {
        if (size <= 0) {
            throw new IllegalArgumentException("invalid receive size");
        }
        set(StandardSocketOptions.SO_RCVBUF, size);
    }

    @Override
    public int getReceiveBufferSize() throws SocketException {
        return get(StandardSocketOptions.SO_RCVBUF, 0);
    }

    @Override
    public void setKeepAlive(boolean on) throws SocketException {
        set(StandardSocketOptions.SO_KEEPALIVE, on);
    }

    @Override
    public boolean getKeepAlive() throws SocketException {
        return get(StandardSocketOptions.SO_KEEPALIVE, false);
    }

    /** IP_TOS where the backend supports it; otherwise ignored, as {@code Socket} allows. */
    @Override
    public void setTrafficClass(int tc) throws SocketException {
        if (tc < 0 || tc > 255) {
            throw new IllegalArgumentException("tc is not in range 0 -- 255");
        }
        if (connected && !conn.supportedOptions().contains(StandardSocketOptions.IP_TOS)) {
            return;
        }
        set(StandardSocketOptions.IP_TOS, tc);
    }

    @Override
    public int getTrafficClass() throws SocketException {
        if (connected && !conn.supportedOptions().contains(StandardSocketOptions.IP_TOS)) {
            return 0;
        }
        return get(StandardSocketOptions.IP_TOS, 0);
    }

    @Override
    public void setReuseAddress(boolean on) throws SocketException {
        set(StandardSocketOptions.SO_REUSEADDR, on);
    }

    @Override
    public boolean getReuseAddress() throws SocketException {
        return get(StandardSocketOptions.SO_REUSEADDR, false);
    }

    /** Only {@code false} is supported (urgent data is not). */
    @Override
    public void setOOBInline(boolean on) throws SocketException {
        checkOpen();
        if (on) {
            throw new SocketException("FiberSocket does not support OOBINLINE (urgent data)");
        }
    }

    @Override
    public boolean getOOBInline() throws SocketException {
        checkOpen();
        return false;
    }

    /** Not supported: throws {@link SocketException}. */
    @Override
    public void sendUrgentData(int data) throws IOException {
        throw new SocketException("FiberSocket does not support urgent data");
    }

    /** Does nothing (the JDK's own socket ignores it too). */
    @Override
    public void setPerformancePreferences(int connectionTime, int latency, int bandwidth) {
    }

    @Override
    public <T> Socket setOption(SocketOption<T> name, T value) throws IOException {
        java.util.Objects.requireNonNull(name, "name");
        if (name == StandardSocketOptions.SO_LINGER && value instanceof Integer i && i < 0) {
            set(StandardSocketOptions.SO_LINGER, -1);
            return this;
        }
        if (KEEPALIVE_TUNING.contains(name) && !supportedOptions().contains(name)) {
            return this; // the backend cannot tune keep-alive probes (epoll's Netty socket): ignored, SO_KEEPALIVE works
        }
        if (!supportedOptions().contains(name)) {
            throw new UnsupportedOperationException("'" + name + "' not supported");
        }
        set(name, value);
        return this;
    }

    /**
     * TCP_KEEPIDLE, TCP_KEEPINTERVAL, TCP_KEEPCOUNT: set where the backend has them (nio on Linux), ignored
     * where it does not (Apache HttpClient sets them whenever the JDK's own sockets have them).
     */
    /** What may be set before connecting; the keep-alive tuning is dropped at connect where the backend lacks it. */
    private static final Set<SocketOption<?>> UNCONNECTED_OPTIONS = Set.of(StandardSocketOptions.TCP_NODELAY,
            StandardSocketOptions.SO_KEEPALIVE, StandardSocketOptions.SO_LINGER, StandardSocketOptions.SO_SNDBUF,
            StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.IP_TOS,
            jdk.net.ExtendedSocketOptions.TCP_KEEPIDLE, jdk.net.ExtendedSocketOptions.TCP_KEEPINTERVAL,
            jdk.net.ExtendedSocketOptions.TCP_KEEPCOUNT);

    private static final Set<SocketOption<?>> KEEPALIVE_TUNING = Set.of(jdk.net.ExtendedSocketOptions.TCP_KEEPIDLE,
            jdk.net.ExtendedSocketOptions.TCP_KEEPINTERVAL, jdk.net.ExtendedSocketOptions.TCP_KEEPCOUNT);

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getOption(SocketOption<T> name) throws IOException {
        java.util.Objects.requireNonNull(name, "name");
        if (!supportedOptions().contains(name)) {
            throw new UnsupportedOperationException("'" + name + "' not supported");
        }
        checkOpen();
        if (!connected) {
            return (T) pendingOptions.get(name);
        }
        return conn.getOption(name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        if (connected) {
            return conn.supportedOptions();
        }
        return UNCONNECTED_OPTIONS;
    }

    private <T> void set(SocketOption<T> option, T value) throws SocketException {
        checkOpen();
        if (!connected) {
            pendingOptions.put(option, value);
            return;
        }
        try {
            conn.setOption(option, value);
        } catch (SocketException e) {
            throw e;
        } catch (IOException e) {
            throw JdkSocketErrors.option(option, e);
        }
    }

    @SuppressWarnings("unchecked")
    private <T> T get(SocketOption<T> option, T unset) throws SocketException {
        checkOpen();
        if (!connected) {
            Object v = pendingOptions.get(option);
            return v == null ? unset : (T) v;
        }
        try {
            return conn.getOption(option);
        } catch (SocketException e) {
            throw e;
        } catch (IOException e) {
            throw JdkSocketErrors.option(option, e);
        }
    }

    // ---------------------------------------------------------------- checks

    private void checkOpen() throws SocketException {
        if (closed) {
            throw new SocketException("Socket is closed");
        }
    }

    private void checkConnected() throws SocketException {
        if (!connected) {
            throw new SocketException("Socket is not connected");
        }
    }

}
