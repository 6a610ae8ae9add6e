package dev.weft.sockets;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.hub.Ops;
import dev.weft.hub.StreamHandle;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A TCP connection for fibers: {@code read} and {@code write} look blocking and park only the
 * calling fiber; the hub runs other fibers meanwhile.
 *
 * <p>Thread rule: fibers of the hub that opened it. One fiber reads and one fiber writes at a time:
 * a second concurrent reader (or writer) gets an {@link IllegalStateException} naming the owner.
 *
 * <p>Timeouts: {@link #setTimeout} sets a limit for every blocking call on this socket, reported as
 * {@link SocketTimeoutException}; any enclosing {@link dev.weft.fibers.Timeout} block applies as
 * well ({@link dev.weft.fibers.FiberTimeoutException}). A read or write that times out has moved no
 * bytes, so the socket stays usable and nothing is lost. A kill ({@link
 * dev.weft.fibers.FiberKilledError}) interrupts a blocked call the same way.
 *
 * <p>Closing: {@link #close()} from any fiber of the hub wakes fibers blocked on the socket with a
 * {@link SocketClosedException} naming who closed it. Views ({@link #inputStream()}, {@link
 * #outputStream()}, and this {@link ByteChannel}) let existing stream code run in fibers.
 */
public final class TcpSocket implements ByteChannel, ClosedBy {
    private final Hub hub;
    final StreamHandle handle;
    private final SocketSide reading = new SocketSide(Ops.READ);
    private final SocketSide writing = new SocketSide(Ops.WRITE);
    private final String name;
    private Duration timeout;
    private String closedBy;
    private InputStream in;
    private OutputStream out;

    TcpSocket(Hub hub, StreamHandle handle) {
        this.hub = hub;
        this.handle = handle;
        String local = "?";
        String remote = "?";
        try {
            local = String.valueOf(handle.localAddress());
            remote = String.valueOf(handle.remoteAddress());
        } catch (IOException ignored) {
            // only for the name
        }
        this.name = "TcpSocket(" + local + " -> " + remote + ")";
    }

    // ---------------------------------------------------------------- connecting

    /** {@link #connect(String, int, Duration)} without a timeout. */
    public static TcpSocket connect(String host, int port) throws IOException {
        return connect(host, port, null);
    }

    /**
     * Connects to {@code host} (a name or an address literal) on {@code port}. The name is resolved
     * off the hub ({@link Resolver}); each address is tried in turn until one connects. Blocks the
     * calling fiber.
     *
     * @param timeout for resolving and connecting together; null for none
     * @throws java.net.ConnectException   if every address refused
     * @throws SocketTimeoutException      if {@code timeout} passed first
     * @throws java.net.UnknownHostException if the name does not resolve
     * @throws dev.weft.fibers.NotInFiberException outside a fiber
     */
    public static TcpSocket connect(String host, int port, Duration timeout) throws IOException {
        Objects.requireNonNull(host, "host");
        Fiber.current();
        long deadline = SocketSide.deadline(timeout);
        List<InetAddress> addresses = Resolver.resolve(host, timeout);
        IOException last = null;
        for (InetAddress a : addresses) {
            try {
                return connect(new InetSocketAddress(a, port), deadline, timeout);
            } catch (SocketTimeoutException e) {
                throw e;
            } catch (IOException e) {
                last = e;
            }
        }
        throw last != null ? last : new java.net.UnknownHostException(host + ": no addresses");
    }

    /** Connects to {@code remote}; {@code timeout} null for none. Blocks the calling fiber. */
    public static TcpSocket connect(InetSocketAddress remote, Duration timeout) throws IOException {
        Fiber.current();
        if (remote.isUnresolved()) {
            return connect(remote.getHostString(), remote.getPort(), timeout);
        }
        return connect(remote, SocketSide.deadline(timeout), timeout);
    }

    private static TcpSocket connect(InetSocketAddress remote, long deadline, Duration timeout) throws IOException {
        Hub hub = Hub.current();
        StreamHandle h = hub.loop().poller().openStream(remote.getAddress() instanceof java.net.Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        boolean ok = false;
        try {
            if (!h.connect(remote)) {
                do {
                    if (!hub.awaitIo(h, Ops.WRITE, deadline)) {
                        throw new SocketTimeoutException("connect to " + remote + " timed out after "
                                + timeout.toMillis() + " ms");
                    }
                } while (!h.finishConnect());
            }
            ok = true;
            return new TcpSocket(hub, h);
        } finally {
            if (!ok) {
                h.close();
            }
        }
    }

    // ---------------------------------------------------------------- reading

    /**
     * Reads into {@code dst} what is available, waiting until at least one byte is.
     *
     * @return bytes read (&gt; 0), -1 at end-of-stream, 0 only if {@code dst} has no room
     * @throws SocketTimeoutException if the socket's timeout passes first (nothing was read)
     * @throws SocketClosedException  if the socket is or gets closed
     * @throws IOException            on a network error (e.g. reset by peer)
     */
    @Override
    public int read(ByteBuffer dst) throws IOException {
        reading.enter(this);
        try {
            ensureOpen(reading);
            long deadline = SocketSide.deadline(timeout);
            while (true) {
                int n = handle.read(dst);
                if (n != 0 || !dst.hasRemaining()) {
                    return n;
                }
                reading.await(hub, handle, deadline, timeout, this);
            }
        } finally {
            reading.exit();
        }
    }

    /** {@link #read(ByteBuffer)} into an array. */
    public int read(byte[] b, int off, int len) throws IOException {
        return read(ByteBuffer.wrap(b, off, len));
    }

    /**
     * Reads until {@code dst} is full.
     *
     * @throws EOFException if the stream ends first (what was read stays in {@code dst})
     */
    public void readFully(ByteBuffer dst) throws IOException {
        while (dst.hasRemaining()) {
            if (read(dst) < 0) {
                throw new EOFException("end of stream after " + dst.position() + " bytes, " + dst.remaining()
                        + " more expected, on " + this);
            }
        }
    }

    // ---------------------------------------------------------------- writing

    /**
     * Writes from {@code src}, waiting until at least one byte could be written.
     *
     * @return bytes written (&gt; 0 unless {@code src} is empty)
     * @throws SocketTimeoutException if the socket's timeout passes first (nothing was written)
     */
    @Override
    public int write(ByteBuffer src) throws IOException {
        writing.enter(this);
        try {
            ensureOpen(writing);
            long deadline = SocketSide.deadline(timeout);
            while (true) {
                int n = handle.write(src);
                if (n != 0 || !src.hasRemaining()) {
                    return n;
                }
                writing.await(hub, handle, deadline, timeout, this);
            }
        } finally {
            writing.exit();
        }
    }

    /**
     * Writes all of {@code src}. The socket's timeout applies to each wait, not to the whole call;
     * on a timeout, {@code src}'s position says how much was written.
     */
    public void writeAll(ByteBuffer src) throws IOException {
        while (src.hasRemaining()) {
            write(src);
        }
    }

    /** {@link #writeAll} of an array. */
    public void writeAll(byte[] b) throws IOException {
        writeAll(ByteBuffer.wrap(b));
    }

    /** Half-close: the peer reads end-of-stream and may still send. */
    public void shutdownOutput() throws IOException {
        ensureOpen(writing);
        handle.shutdownOutput();
    }

    /** Stops reading: later reads return -1. */
    public void shutdownInput() throws IOException {
        ensureOpen(reading);
        handle.shutdownInput();
    }

    // ---------------------------------------------------------------- views

    /** An {@link InputStream} over this socket (closing it closes the socket). Fibers only. */
    public InputStream inputStream() {
        if (in == null) {
            in = new SocketInputStream(this);
        }
        return in;
    }

    /** An {@link OutputStream} over this socket; writes are {@link #writeAll}; closing it closes the socket. */
    public OutputStream outputStream() {
        if (out == null) {
            out = new SocketOutputStream(this);
        }
        return out;
    }

    // ---------------------------------------------------------------- settings and state

    /** A limit for every blocking call on this socket; null or zero for none (the default). */
    public void setTimeout(Duration timeout) {
        this.timeout = timeout == null || timeout.isZero() ? null : timeout;
    }

    /** The per-call limit, or null. */
    public Duration timeout() {
        return timeout;
    }

    /** Sets a socket option ({@link StandardSocketOptions}); see {@link #supportedOptions()}. */
    public <T> TcpSocket setOption(SocketOption<T> option, T value) throws IOException {
        handle.setOption(option, value);
        return this;
    }

    /** Reads a socket option. */
    public <T> T getOption(SocketOption<T> option) throws IOException {
        return handle.getOption(option);
    }

    /** The options this backend supports on this socket (SO_REUSEPORT only where the OS has it). */
    public java.util.Set<SocketOption<?>> supportedOptions() {
        return handle.supportedOptions();
    }

    /** TCP_NODELAY: send small writes at once (Nagle off). */
    public TcpSocket setNoDelay(boolean on) throws IOException {
        return setOption(StandardSocketOptions.TCP_NODELAY, on);
    }

    /** SO_KEEPALIVE. */
    public TcpSocket setKeepAlive(boolean on) throws IOException {
        return setOption(StandardSocketOptions.SO_KEEPALIVE, on);
    }

    /** SO_LINGER in seconds; negative turns it off; 0 makes close send a reset. */
    public TcpSocket setLinger(int seconds) throws IOException {
        return setOption(StandardSocketOptions.SO_LINGER, seconds);
    }

    /** SO_RCVBUF and SO_SNDBUF hints. */
    public TcpSocket setBufferSizes(int receive, int send) throws IOException {
        setOption(StandardSocketOptions.SO_RCVBUF, receive);
        return setOption(StandardSocketOptions.SO_SNDBUF, send);
    }

    /** The local address. */
    public InetSocketAddress localAddress() throws IOException {
        return (InetSocketAddress) handle.localAddress();
    }

    /** The peer's address. */
    public InetSocketAddress remoteAddress() throws IOException {
        return handle.remoteAddress();
    }

    @Override
    public boolean isOpen() {
        return handle.isOpen();
    }

    /**
     * Closes the socket; fibers blocked on it wake with a {@link SocketClosedException}. Idempotent.
     * Hub thread.
     */
    @Override
    public void close() {
        if (!handle.isOpen()) {
            return;
        }
        closedBy = SocketSide.closer();
        handle.close();
    }

    private void ensureOpen(SocketSide side) throws SocketClosedException {
        if (!handle.isOpen()) {
            throw new SocketClosedException(this + " is closed" + (closedBy == null ? "" : " (closed by " + closedBy + ")"));
        }
    }

    @Override
    public String closedBy() {
        return closedBy;
    }

    @Override
    public String toString() {
        return name;
    }
}
