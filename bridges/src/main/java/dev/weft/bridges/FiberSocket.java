package dev.weft.bridges;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.fibers.NotInFiberException;
import dev.weft.hub.WrongThreadException;
import dev.weft.sockets.Connection;
import dev.weft.sockets.ConnectionInputStream;
import dev.weft.sockets.ConnectionOutputStream;
import dev.weft.sockets.TcpSocket;
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
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;

/**
 * A {@link java.net.Socket} whose blocking calls park only the calling fiber: a Weft {@link
 * Connection} behind the JDK's socket API, so that unmodified libraries that take a {@code Socket} or a
 * {@link javax.net.SocketFactory} (JDBC drivers, Jedis, OkHttp, the JDK's TLS layered with
 * {@code SSLSocketFactory.createSocket(socket, host, port, true)}) become cooperative. Usually made by
 * {@link FiberSocketFactory} (unconnected; {@link #connect} opens a {@link TcpSocket}); {@link
 * #FiberSocket(Connection)} wraps a connection that is open already, a {@code TlsSocket} too (the
 * library then reads and writes plaintext and Weft's TLS does the records).
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
 * <p>Thread rule: {@code connect}, reads, writes and options run in fibers of one hub (the hub of the
 * fiber that connects it); outside a fiber {@code connect} throws {@link NotInFiberException} and
 * other threads get {@link WrongThreadException}, never a silently blocked hub. {@link #close()} and
 * the state queries ({@code isClosed}, {@code isConnected}, addresses...) may be called from any
 * thread: a close from another thread is handed to the hub, which wakes the fibers blocked on it.
 * One fiber reads and one fiber writes at a time, as with {@code TcpSocket}. A kill or an enclosing
 * {@link dev.weft.fibers.Timeout} interrupts a blocked call as for any fiber call; what the library
 * above then does with its half-finished protocol is its business: close the connection.
 *
 * <p>Not supported: binding a local address before connecting ({@link #bind} throws
 * {@code SocketException}), urgent data and {@code OOBINLINE}, proxies.
 */
public class FiberSocket extends Socket {
    private final FiberSocketOptions options = new FiberSocketOptions(this);
    private Connection conn;
    private Hub hub;
    private volatile boolean closed;
    private volatile boolean connected;
    private boolean inputShutdown;
    private boolean outputShutdown;
    /** SO_TIMEOUT in milliseconds; 0 means no limit. */
    private int soTimeout;
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
    }

    /**
     * A connected socket over {@code connection}: a {@link TcpSocket}, or a {@code TlsSocket} after its
     * handshake (then the library reads and writes plaintext, and Weft does the TLS). The socket owns
     * the connection from now on: closing it closes the connection. Any thread; the socket is used
     * by fibers of the connection's hub.
     *
     * @throws SocketException if {@code connection} is closed
     */
    public FiberSocket(Connection connection) throws SocketException {
        super(noImpl());
        java.util.Objects.requireNonNull(connection, "connection");
        if (!connection.isOpen()) {
            throw new SocketException(connection + " is closed; FiberSocket wraps an open connection");
        }
        try {
            remote = connection.remoteAddress();
            local = connection.localAddress();
        } catch (IOException e) {
            throw (SocketException) new SocketException(connection + ": " + e.getMessage()).initCause(e);
        }
        conn = connection;
        hub = connection.hub();
        connected = true;
    }

    private static SocketImpl noImpl() {
        return null;
    }

    /** The connection underneath ({@code session()} is the TLS session of a TLS one), or null before {@code connect}. */
    public Connection connection() {
        return connected ? conn : null;
    }

    // ---------------------------------------------------------------- connecting

    /** {@link #connect(SocketAddress, int)} without a timeout. */
    @Override
    public void connect(SocketAddress endpoint) throws IOException {
        connect(endpoint, 0);
    }

    /**
     * Connects to {@code endpoint}, parking the calling fiber; an unresolved address is resolved off
     * the hub. Fails and closes the socket on error, as {@code Socket.connect} does. Fibers only.
     *
     * @param timeout milliseconds for resolving and connecting; 0 for no limit
     * @throws java.net.ConnectException      if the peer refused
     * @throws java.net.SocketTimeoutException if {@code timeout} passed first
     * @throws java.net.UnknownHostException   if the name does not resolve
     * @throws SocketException                 if already connected or closed
     * @throws NotInFiberException             outside a fiber (use {@link FiberSocketFactory}, which
     *                                         gives other threads a JDK socket)
     */
    @Override
    public void connect(SocketAddress endpoint, int timeout) throws IOException {
        if (!(endpoint instanceof InetSocketAddress address)) {
            throw new IllegalArgumentException("FiberSocket connects to an InetSocketAddress, not " + endpoint);
        }
        if (timeout < 0) {
            throw new IllegalArgumentException("connect: timeout can't be negative: " + timeout);
        }
        if (!Fiber.inFiber()) {
            throw new NotInFiberException("FiberSocket.connect(" + endpoint + ") was called on thread '"
                    + Thread.currentThread().getName() + "' outside any fiber; it would block a hub or has no hub"
                    + " to park on. Connect it inside a fiber, or let FiberSocketFactory choose: outside a"
                    + " fiber it makes a plain java.net.Socket.");
        }
        checkOpen();
        if (connected) {
            throw new SocketException("already connected");
        }
        TcpSocket tcp;
        try {
            tcp = TcpSocket.connect(address, timeout == 0 ? null : Duration.ofMillis(timeout));
        } catch (IOException | RuntimeException | Error e) {
            closed = true;
            throw e;
        }
        conn = tcp;
        hub = tcp.hub();
        remote = tcp.remoteAddress();
        local = tcp.localAddress();
        connected = true; // volatile write: publishes conn and hub to close() on other threads
        if (closed) { // closed (by another fiber or thread) while connecting
            tcp.close();
            throw new SocketException("Socket closed while connecting to " + endpoint);
        }
        options.applyPending(tcp);
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
     * The stream of bytes from the peer: reads park the calling fiber, bounded by {@link
     * #setSoTimeout}; {@code available()} is 0; closing it closes the socket. Hub thread.
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
        Connection t = conn;
        if (Thread.currentThread() == hub.thread()) {
            t.close();
        } else {
            try {
                hub.loop().execute(t::close);
            } catch (RejectedExecutionException hubEnded) {
                // the hub closed its loop, and every socket of it, already
            }
        }
    }

    /** Half-close of the input: later reads return -1 (end of stream). Hub thread. */
    @Override
    public void shutdownInput() throws IOException {
        checkOpen();
        checkConnected();
        if (inputShutdown) {
            throw new SocketException("Socket input is already shutdown");
        }
        checkHubThread("shutdownInput");
        inputShutdown = true;
        try {
            conn.shutdownInput();
        } catch (NotYetConnectedException peerGone) {
            // ENOTCONN: the peer has closed already; the JDK ignores it too
        }
    }

    /** Half-close of the output: the peer reads end of stream; later writes fail. Hub thread. */
    @Override
    public void shutdownOutput() throws IOException {
        checkOpen();
        checkConnected();
        if (outputShutdown) {
            throw new SocketException("Socket output is already shutdown");
        }
        checkHubThread("shutdownOutput");
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

    // ---------------------------------------------------------------- options (hub thread)

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
        if (!supportedOptions().contains(name)) {
            throw new UnsupportedOperationException("'" + name + "' not supported");
        }
        set(name, value);
        return this;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getOption(SocketOption<T> name) throws IOException {
        java.util.Objects.requireNonNull(name, "name");
        if (!supportedOptions().contains(name)) {
            throw new UnsupportedOperationException("'" + name + "' not supported");
        }
        checkOpen();
        if (!connected) {
            return (T) options.pending(name);
        }
        checkHubThread("getOption");
        return conn.getOption(name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        if (connected) {
            return conn.supportedOptions();
        }
        return Set.of(StandardSocketOptions.TCP_NODELAY, StandardSocketOptions.SO_KEEPALIVE,
                StandardSocketOptions.SO_LINGER, StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_RCVBUF,
                StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.IP_TOS);
    }

    private <T> void set(SocketOption<T> option, T value) throws SocketException {
        checkOpen();
        options.set(connected ? conn : null, option, value);
    }

    private <T> T get(SocketOption<T> option, T unset) throws SocketException {
        checkOpen();
        return options.get(connected ? conn : null, option, unset);
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

    void checkHubThread(String what) {
        if (Thread.currentThread() != hub.thread()) {
            throw new WrongThreadException("FiberSocket." + what, hub.thread(), Thread.currentThread(),
                    "A FiberSocket is used by fibers of the hub that connected it; only close() and the state"
                            + " queries work from other threads.");
        }
    }
}
