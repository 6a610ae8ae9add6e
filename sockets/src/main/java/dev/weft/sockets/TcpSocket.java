package dev.weft.sockets;

import dev.weft.fibers.Deadlines;
import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.hub.CompletionStreamHandle;
import dev.weft.hub.Ops;
import dev.weft.hub.SocketErrors;
import dev.weft.hub.StreamHandle;
import java.io.EOFException;
import java.io.IOException;
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
 * <p>Thread rule: fibers of the hub that opened it. Reads, writes and shutdowns check the thread
 * first: from another thread (a fiber of another hub) they throw
 * {@link dev.weft.hub.WrongThreadException} having touched nothing. One fiber reads and one fiber
 * writes at a time: a second concurrent reader (or writer) gets an {@link IllegalStateException}
 * naming the owner.
 *
 * <p>Timeouts: {@link #setTimeout} sets a limit for every blocking call on this socket, reported as
 * {@link SocketTimeoutException}; any enclosing {@link dev.weft.fibers.Timeout} block applies as
 * well ({@link dev.weft.fibers.FiberTimeoutException}). A read or write that times out has moved no
 * bytes, so the socket stays usable and nothing is lost. A kill ({@link
 * dev.weft.fibers.FiberKilledError}) interrupts a blocked call the same way. On io_uring, where a
 * read or write is an operation the kernel completes (a heap buffer's through memory the backend lends), an interrupted operation
 * is cancelled and waited for first: bytes a cancelled read received anyway are kept for the next
 * read (nothing read, nothing lost), and bytes a cancelled write sent anyway are counted in the
 * buffer's position before the kill or timeout is thrown (as {@link #writeAll} always reports them). Every {@link Duration}
 * follows Weft's one rule (see the Durations section of the {@code dev.weft.fibers} package docs):
 * {@code null} = no limit; zero or negative = do not wait (the call fails with its timeout at once
 * unless it completes without waiting, as Python's {@code settimeout(0)}); any positive duration
 * works, however long.
 *
 * <p>Fairness: a read or write that completes without waiting spends one unit of the fiber's
 * cooperative budget ({@link Hub#spendBudget()}), before it moves any bytes; every 128th such call
 * first lets the other fibers run, so a peer that always has data cannot starve the hub.
 *
 * <p>Errors are the {@code java.net} ones a JDK socket throws: {@link java.net.ConnectException}
 * naming the address, {@link java.net.SocketException} "Connection reset", "Broken pipe", and
 * "Socket output is shutdown" for a write after {@link #shutdownOutput()}.
 *
 * <p>Closing: {@link #close()} from any fiber of the hub wakes fibers blocked on the socket with a
 * {@link SocketClosedException} naming who closed it. Views ({@link #inputStream()}, {@link
 * #outputStream()}, and this {@link ByteChannel}) let existing stream code run in fibers.
 *
 * <p>A {@link Connection}: code written against that contract (HTTP, WebSocket, {@code bridges}'
 * {@code FiberSocket}) takes a {@code TcpSocket} or a {@code TlsSocket} alike; {@link #session()} is null.
 */
public final class TcpSocket implements Connection, ClosedBy {
    private static final String SOCKET_TIMEOUT = "the socket's timeout";
    private final Hub hub;
    final StreamHandle handle;
    private final SocketSide reading = new SocketSide(Ops.READ);
    private final SocketSide writing = new SocketSide(Ops.WRITE);
    /**
     * "TcpSocket(local -> remote)", made on first use (a message, a log line) or at close, not at
     * accept: an idle connection should not carry ~90 bytes of text (issue 15's heap per connection).
     */
    private String name;
    private Duration timeout;
    private String closedBy;
    /**
     * The handle's completion path (io_uring), or null (epoll, kqueue, nio: the branch is then one null
     * check of a final field). Reads and writes go through it where it takes them ({@link CompletedIo}).
     */
    private final CompletedIo completed;

    TcpSocket(Hub hub, StreamHandle handle) {
        this.hub = hub;
        this.handle = handle;
        this.completed = handle instanceof CompletionStreamHandle c ? new CompletedIo(hub, c) : null;
    }

    /** "TcpSocket(local -> remote)", "?" for an address the handle no longer knows. */
    private String describe() {
        String local = "?";
        String remote = "?";
        try {
            local = String.valueOf(handle.localAddress());
            remote = String.valueOf(handle.remoteAddress());
        } catch (IOException | RuntimeException ignored) {
            // only for the name
        }
        return "TcpSocket(" + local + " -> " + remote + ")";
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
     * @param timeout for resolving and connecting together: null for none; zero or negative: do not
     *                wait (only an address literal whose connect completes at once succeeds)
     * @throws java.net.ConnectException   if every address refused (the message names the last one)
     * @throws SocketTimeoutException      if {@code timeout} passed first
     * @throws java.net.UnknownHostException if the name does not resolve
     * @throws dev.weft.fibers.NotInFiberException outside a fiber
     */
    public static TcpSocket connect(String host, int port, Duration timeout) throws IOException {
        Objects.requireNonNull(host, "host");
        Fiber.current();
        long deadline = Deadlines.after(timeout);
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

    /**
     * Connects to {@code remote} (resolved off the hub if it is unresolved). Blocks the calling fiber.
     *
     * @param timeout null for none; zero or negative: do not wait
     */
    public static TcpSocket connect(InetSocketAddress remote, Duration timeout) throws IOException {
        Fiber.current();
        if (remote.isUnresolved()) {
            return connect(remote.getHostString(), remote.getPort(), timeout);
        }
        return connect(remote, Deadlines.after(timeout), timeout);
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
                        throw new SocketTimeoutException("connect to " + SocketErrors.describe(remote)
                                + " timed out (" + SocketSide.limit("the connect timeout", timeout) + ")");
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
        Duration t = timeout;
        return read(dst, Deadlines.after(t), SOCKET_TIMEOUT, t);
    }

    /** {@link #read(ByteBuffer)} until {@code deadline}; {@code whose} and {@code limit} name it for the exception. */
    private int read(ByteBuffer dst, long deadline, String whose, Duration limit) throws IOException {
        reading.enter(hub, this);
        try {
            // Spent before the attempt: if it yields and a kill or Timeout is thrown there, no bytes
            // have moved. A call that then parks gets its unit back (a switch refills the budget).
            hub.spendBudget();
            ensureOpen(reading); // after the yield: a close meanwhile is a SocketClosedException
            if (completed != null) {
                int n = completed.read(dst, deadline, whose, limit, this, reading);
                if (n != CompletedIo.NOT_TAKEN) {
                    return n;
                }
            }
            while (true) {
                int n = handle.read(dst);
                if (n != 0 || !dst.hasRemaining()) {
                    return n;
                }
                reading.await(hub, handle, deadline, whose, limit, this);
            }
        } finally {
            reading.exit();
        }
    }

    /** {@link #read(ByteBuffer)} into {@code b[off, off + len)}. */
    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        return read(ByteBuffer.wrap(b, off, len));
    }

    /** {@link #read(ByteBuffer)} into {@code b}: bytes read (&gt; 0), or -1 at end-of-stream. */
    public int read(byte[] b) throws IOException {
        return read(ByteBuffer.wrap(b));
    }

    /**
     * Reads until {@code dst} is full. The socket's timeout bounds each wait.
     *
     * @throws EOFException if the stream ends first (what was read stays in {@code dst})
     * @throws SocketTimeoutException if the socket's timeout passes during a wait (what was read
     *                                stays in {@code dst}; its position says how much)
     */
    @Override
    public void readFully(ByteBuffer dst) throws IOException {
        while (dst.hasRemaining()) {
            if (read(dst) < 0) {
                throw eof(dst);
            }
        }
    }

    /** {@link #readFully(ByteBuffer)} into all of {@code b}. */
    public void readFully(byte[] b) throws IOException {
        readFully(ByteBuffer.wrap(b));
    }

    /**
     * Reads until {@code dst} is full, within {@code timeout} for the whole call (the socket's own
     * timeout still bounds each wait). Blocks the calling fiber until one of these happens: {@code
     * dst} is full, the stream ends, the time is up, the fiber is killed or an enclosing {@link
     * dev.weft.fibers.Timeout} expires.
     *
     * @param timeout null for no limit; zero or negative: only what is already there
     * @throws EOFException           if the stream ends first
     * @throws SocketTimeoutException if the time is up first
     * In every case what was read stays in {@code dst}; its position says how much.
     */
    public void readFully(ByteBuffer dst, Duration timeout) throws IOException {
        long whole = Deadlines.after(timeout);
        while (dst.hasRemaining()) {
            Duration own = this.timeout;
            long each = Deadlines.after(own);
            boolean ownFirst = each != Deadlines.NONE && (whole == Deadlines.NONE || each - whole < 0);
            int n = ownFirst ? read(dst, each, SOCKET_TIMEOUT, own) : read(dst, whole, "readFully's timeout", timeout);
            if (n < 0) {
                throw eof(dst);
            }
        }
    }

    private EOFException eof(ByteBuffer dst) {
        return new EOFException("end of stream after " + dst.position() + " bytes, " + dst.remaining()
                + " more expected, on " + this);
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
        writing.enter(hub, this);
        try {
            Duration t = timeout;
            long deadline = Deadlines.after(t);
            hub.spendBudget(); // before the attempt, as in read
            ensureOpen(writing);
            if (completed != null) {
                int n = completed.write(src, deadline, SOCKET_TIMEOUT, t, this, writing);
                if (n != CompletedIo.NOT_TAKEN) {
                    return n;
                }
            }
            while (true) {
                int n = handle.write(src);
                if (n != 0 || !src.hasRemaining()) {
                    return n;
                }
                writing.await(hub, handle, deadline, SOCKET_TIMEOUT, t, this);
            }
        } finally {
            writing.exit();
        }
    }

    /**
     * Writes all of {@code src}. The socket's timeout applies to each wait, not to the whole call;
     * on a timeout, {@code src}'s position says how much was written.
     */
    @Override
    public void writeAll(ByteBuffer src) throws IOException {
        while (src.hasRemaining()) {
            write(src);
        }
    }

    /** {@link #writeAll} of an array. */
    public void writeAll(byte[] b) throws IOException {
        writeAll(ByteBuffer.wrap(b));
    }

    /**
     * Half-close: the peer reads end-of-stream and may still send; a later write here throws
     * {@link java.net.SocketException} "Socket output is shutdown". Quiet if the peer has gone.
     */
    @Override
    public void shutdownOutput() throws IOException {
        SocketSide.checkThread(hub, this);
        ensureOpen(writing);
        handle.shutdownOutput();
    }

    /** Stops reading: later reads return -1. Quiet if the peer has gone. */
    @Override
    public void shutdownInput() throws IOException {
        SocketSide.checkThread(hub, this);
        ensureOpen(reading);
        handle.shutdownInput();
    }

    // ---------------------------------------------------------------- settings and state

    /**
     * A limit for every blocking call on this socket, as Python's {@code settimeout}: {@code null}
     * for none (the default); zero or negative: do not wait (a call that would block throws {@link
     * SocketTimeoutException} at once); any positive duration, however long. See the Durations
     * section of the {@code dev.weft.fibers} package docs.
     */
    @Override
    public void setTimeout(Duration timeout) {
        this.timeout = timeout;
    }

    /** The per-call limit as set, or null for none. */
    @Override
    public Duration timeout() {
        return timeout;
    }

    /** Sets a socket option ({@link StandardSocketOptions}); see {@link #supportedOptions()}. */
    @Override
    public <T> TcpSocket setOption(SocketOption<T> option, T value) throws IOException {
        handle.setOption(option, value);
        return this;
    }

    /** Reads a socket option. */
    @Override
    public <T> T getOption(SocketOption<T> option) throws IOException {
        return handle.getOption(option);
    }

    /** The options this backend supports on this socket (SO_REUSEPORT only where the OS has it). */
    @Override
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
    @Override
    public InetSocketAddress localAddress() throws IOException {
        return (InetSocketAddress) handle.localAddress();
    }

    /** The peer's address. */
    @Override
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
        if (Thread.currentThread() != hub.thread()) { // refused before it records a closer
            throw new dev.weft.hub.WrongThreadException(toString(), hub.thread(), Thread.currentThread(),
                    "Close a socket in a fiber of the hub that opened it (or on that hub's thread).");
        }
        closedBy = SocketSide.closer();
        toString(); // the name, while the handle still knows its addresses
        handle.close();
    }

    private void ensureOpen(SocketSide side) throws SocketClosedException {
        if (!handle.isOpen()) {
            throw new SocketClosedException(this + " is closed" + (closedBy == null ? "" : " (closed by " + closedBy + ")"));
        }
    }

    /** The hub that opened this socket: its fibers may use it. Any thread. */
    @Override
    public Hub hub() {
        return hub;
    }

    @Override
    public String closedBy() {
        return closedBy;
    }

    @Override
    public String toString() {
        if (name == null) {
            name = describe();
        }
        return name;
    }
}
