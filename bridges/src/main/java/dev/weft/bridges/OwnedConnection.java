package dev.weft.bridges;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.FiberTimeoutException;
import dev.weft.fibers.Hub;
import dev.weft.fibers.NotInFiberException;
import dev.weft.fibers.Timeout;
import dev.weft.sockets.Connection;
import dev.weft.sockets.TcpSocket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;

/**
 * The connection behind a {@link FiberSocket}: a {@link Connection} (a {@link TcpSocket} it connected,
 * or any connection handed to {@link FiberSocket#FiberSocket(Connection)}, TLS too) and the hub that
 * owns it, usable from any thread. The owner is the hub of the fiber that connected it, or the {@link BridgeHub} for a
 * socket connected on a thread that runs no hub. Calls on the owner's thread go straight to the
 * socket; calls from anywhere else are carried out on the owner ({@link OwnerHubCall}): a fiber of
 * another hub parks meanwhile, a plain thread blocks.
 *
 * <p>Design and its limits: a descriptor stays registered with the one poller that opened it (an
 * epoll set or a JDK {@code Selector}, which cannot be shared between hubs, and a {@code SocketChannel}
 * registered with a selector cannot be made blocking for a plain thread); instead of moving it, the
 * calls move. A call from elsewhere costs two thread hand-offs (about 10–30 µs here) on top of the
 * I/O, so a connection used mostly by one hub's fibers is best opened in one of them. A read whose
 * caller stops waiting (killed, timed out) loses nothing: bytes it had read anyway are kept for the
 * next read ({@link #pushBack}).
 *
 * <p>Thread rule: any thread, except a hub thread outside any fiber for calls that wait
 * ({@link NotInFiberException}). One reader and one writer at a time, as {@link TcpSocket}.
 */
final class OwnedConnection {
    final Hub owner;
    final Connection connection;
    final InetSocketAddress remote;
    final InetSocketAddress local;
    /** Bytes read for a caller that stopped waiting, served first by the next read; guarded by {@code this}. */
    private volatile byte[] pending;
    private int pendingFrom;

    private OwnedConnection(Hub owner, Connection connection) throws IOException {
        this.owner = owner;
        this.connection = connection;
        this.remote = connection.remoteAddress();
        this.local = connection.localAddress();
    }

    /**
     * Connects to {@code address} and applies {@code options}: in a fiber on its hub; on a thread that
     * runs no hub on the {@link BridgeHub} (the thread blocks meanwhile).
     *
     * @throws NotInFiberException on a hub thread outside any fiber
     */
    static OwnedConnection connect(InetSocketAddress address, int timeoutMillis, Map<SocketOption<?>, Object> options)
            throws IOException {
        Callable<OwnedConnection> connect = () -> {
            TcpSocket tcp = TcpSocket.connect(address, timeoutMillis == 0 ? null : Duration.ofMillis(timeoutMillis));
            try {
                for (Map.Entry<SocketOption<?>, Object> e : options.entrySet()) {
                    if (tcp.supportedOptions().contains(e.getKey())) { // keep-alive tuning the backend lacks is dropped
                        apply(tcp, e.getKey(), e.getValue());
                    }
                }
                return new OwnedConnection(Hub.current(), tcp);
            } catch (IOException | RuntimeException | Error e) {
                tcp.close();
                throw e;
            }
        };
        if (Fiber.inFiber()) {
            try {
                return connect.call();
            } catch (IOException | RuntimeException | Error e) {
                throw e;
            } catch (Exception e) {
                throw new IOException(e);
            }
        }
        // a connection the caller gave up on is closed on the hub that made it
        return OwnerHubCall.call(BridgeHub.get(), "FiberSocket.connect(" + address + ")", connect, OwnedConnection::close);
    }

    /** The connection {@code connection}, owned by its hub ({@link Connection#hub()}). */
    static OwnedConnection of(Connection connection) throws IOException {
        return new OwnedConnection(connection.hub(), connection);
    }

    @SuppressWarnings("unchecked")
    private static <T> void apply(TcpSocket tcp, SocketOption<T> option, Object value) throws IOException {
        tcp.setOption(option, (T) value);
    }

    /** Reads into {@code b[off, off + len)}, waiting at most {@code soTimeoutMillis} (0: no limit). */
    int read(byte[] b, int off, int len, int soTimeoutMillis) throws IOException {
        int n = takePending(b, off, len);
        if (n > 0) {
            return n;
        }
        Duration limit = soTimeoutMillis == 0 ? null : Duration.ofMillis(soTimeoutMillis);
        if (onOwnerThread()) {
            return readWithin(b, off, len, limit);
        }
        byte[] got = OwnerHubCall.call(owner, "FiberSocket.read", () -> {
            byte[] into = new byte[len];
            int r = readWithin(into, 0, len, limit);
            return r < 0 ? null : java.util.Arrays.copyOf(into, r);
        }, this::pushBack);
        if (got == null) {
            return -1;
        }
        System.arraycopy(got, 0, b, off, got.length);
        return got.length;
    }

    /**
     * A read bounded by {@code limit} through a {@link Timeout}, not through the connection's own
     * timeout: that one is shared with the writer, whose writes have no limit (a reader fiber's
     * SO_TIMEOUT set there would bound another fiber's write). An interrupted read takes nothing.
     */
    private int readWithin(byte[] into, int off, int len, Duration limit) throws IOException {
        connection.setTimeout(null);
        if (limit == null) {
            return connection.read(into, off, len);
        }
        try (Timeout t = Timeout.after(limit)) {
            try {
                return connection.read(into, off, len);
            } catch (FiberTimeoutException e) {
                if (!e.is(t)) {
                    throw e;
                }
                throw new SocketTimeoutException("reading " + connection + " timed out (SO_TIMEOUT of " + limit.toMillis()
                        + " ms); nothing was lost, the socket is still usable");
            }
        }
    }

    /** Writes all of {@code b[off, off + len)}, without a time limit. */
    void write(byte[] b, int off, int len) throws IOException {
        if (onOwnerThread()) {
            connection.setTimeout(null);
            connection.writeAll(ByteBuffer.wrap(b, off, len));
            return;
        }
        byte[] copy = java.util.Arrays.copyOfRange(b, off, off + len); // the caller may reuse b once it stops waiting
        OwnerHubCall.call(owner, "FiberSocket.write", () -> {
            connection.setTimeout(null);
            connection.writeAll(ByteBuffer.wrap(copy));
            return null;
        }, ignored -> { });
    }

    void shutdownInput() throws IOException {
        onOwner("FiberSocket.shutdownInput", () -> {
            connection.shutdownInput();
            return null;
        });
    }

    void shutdownOutput() throws IOException {
        onOwner("FiberSocket.shutdownOutput", () -> {
            connection.shutdownOutput();
            return null;
        });
    }

    <T> void setOption(SocketOption<T> option, T value) throws IOException {
        onOwner("FiberSocket.setOption(" + option + ")", () -> {
            connection.setOption(option, value);
            return null;
        });
    }

    <T> T getOption(SocketOption<T> option) throws IOException {
        return onOwner("FiberSocket.getOption(" + option + ")", () -> connection.getOption(option));
    }

    Set<SocketOption<?>> supportedOptions() {
        return connection.supportedOptions(); // a fixed set per backend: no thread rule
    }

    /** Closes the socket on its hub; any thread. If that hub has ended, the socket closed with it. */
    void close() {
        if (onOwnerThread()) {
            connection.close();
            return;
        }
        try {
            owner.execute(connection::close); // in a fiber, so that a TLS connection can still send close_notify
        } catch (RejectedExecutionException hubEnded) {
            // the hub closed its loop, and every socket of it, already
        }
    }

    private boolean onOwnerThread() {
        return Thread.currentThread() == owner.thread();
    }

    private <T> T onOwner(String what, Callable<T> op) throws IOException {
        if (!onOwnerThread()) {
            return OwnerHubCall.call(owner, what, op, ignored -> { });
        }
        try {
            return op.call();
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    /** Keeps bytes read for a caller that stopped waiting; the next read returns them first. Any thread. */
    private synchronized void pushBack(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            return;
        }
        if (pending == null) {
            pending = bytes;
            pendingFrom = 0;
            return;
        }
        byte[] joined = java.util.Arrays.copyOfRange(pending, pendingFrom, pending.length + bytes.length);
        System.arraycopy(bytes, 0, joined, pending.length - pendingFrom, bytes.length);
        pending = joined;
        pendingFrom = 0;
    }

    private int takePending(byte[] b, int off, int len) {
        if (pending == null) { // racy peek; the lock below decides
            return 0;
        }
        synchronized (this) {
            if (pending == null) {
                return 0;
            }
            int n = Math.min(len, pending.length - pendingFrom);
            System.arraycopy(pending, pendingFrom, b, off, n);
            pendingFrom += n;
            if (pendingFrom == pending.length) {
                pending = null;
            }
            return n;
        }
    }
}
