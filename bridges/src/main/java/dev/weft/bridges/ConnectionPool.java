package dev.weft.bridges;

import dev.weft.fibers.Hub;
import dev.weft.fibers.Semaphore;
import java.util.ArrayDeque;
import java.util.Objects;

/**
 * A pool of at most {@code size} connections (JDBC {@code Connection}s, Jedis clients...) shared by
 * the fibers of one hub, built on Weft's {@link Semaphore}: a fiber that wants a connection while all
 * are in use parks, the others run. This is what to use instead of pools built on
 * {@code synchronized} and {@code Object.wait} (commons-pool2 and so {@code JedisPool}, many JDBC
 * pools), which block the hub thread, and whose evictor threads touch the connections off the hub.
 *
 * <p>{@link #withConnection} is the safe way in: a connection whose use ended with any exception or
 * error (a failed query, a {@link dev.weft.fibers.FiberKilledError kill} or
 * {@link dev.weft.fibers.FiberTimeoutException timeout} mid-request) is closed, never reused: its
 * protocol state is unknown (a reused connection after a kill mid-query returns the previous query's
 * rows). Connections are opened lazily, in the fiber that needs one, through {@link
 * FiberSocketFactory#closeOnFailure}: if the opener fails (also by a kill or a timeout mid-connect),
 * every socket it made is closed, so no half-open connection is left on either side.
 *
 * <p>Thread rule: fibers of the hub that created the pool. Waiters are served in FIFO order.
 *
 * @param <C> the connection type
 */
public final class ConnectionPool<C extends AutoCloseable> implements AutoCloseable {
    /** Opens a connection; runs in the borrowing fiber. */
    @FunctionalInterface
    public interface Opener<C> {
        C open() throws Exception;
    }

    /** Uses a connection; runs in the borrowing fiber. */
    @FunctionalInterface
    public interface Use<C, R> {
        R apply(C connection) throws Exception;
    }

    private final Hub hub;
    private final int size;
    private final Opener<C> opener;
    private final Semaphore permits;
    private final ArrayDeque<C> idle = new ArrayDeque<>();
    private int open;
    private boolean closed;

    /**
     * A pool of at most {@code size} connections made by {@code opener}. Hub thread.
     *
     * @throws IllegalArgumentException if {@code size} is not positive
     */
    public ConnectionPool(int size, Opener<C> opener) {
        if (size <= 0) {
            throw new IllegalArgumentException("pool size must be positive: " + size);
        }
        this.hub = Hub.current();
        this.size = size;
        this.opener = Objects.requireNonNull(opener, "opener");
        this.permits = new Semaphore(size);
    }

    /**
     * Borrows a connection, runs {@code use} with it, and returns it to the pool; if {@code use}
     * throws anything, the connection is closed instead and the exception passes through. Blocks the
     * calling fiber while all connections are in use (until one is returned, the fiber is killed, or
     * an enclosing {@link dev.weft.fibers.Timeout} expires), and while a new one opens.
     *
     * @return what {@code use} returned
     * @throws Exception what {@code use} or the opener threw, as is
     * @throws IllegalStateException if the pool is closed
     */
    public <R> R withConnection(Use<? super C, R> use) throws Exception {
        C c = borrow();
        R result;
        try {
            result = use.apply(c);
        } catch (Throwable t) {
            discard(c);
            throw t;
        }
        release(c);
        return result;
    }

    /**
     * Takes a connection (an idle one, or a new one if fewer than {@code size} are open), parking the
     * calling fiber while none is free. Give it back with {@link #release} or {@link #discard}, exactly once.
     */
    public C borrow() throws Exception {
        checkOpen();
        permits.acquire();
        C c = idle.pollFirst();
        if (c != null) {
            return c;
        }
        boolean ok = false;
        try {
            c = Objects.requireNonNull(FiberSocketFactory.closeOnFailure(opener::open), "the opener returned null");
            ok = true;
            open++;
            return c;
        } finally {
            if (!ok) {
                permits.release();
            }
        }
    }

    /** Returns a healthy connection to the pool (closes it if the pool was closed meanwhile). */
    public void release(C connection) {
        Objects.requireNonNull(connection, "connection");
        if (closed) {
            discard(connection);
            return;
        }
        idle.addLast(connection);
        permits.release();
    }

    /** Closes a connection that must not be reused and frees its place in the pool. */
    public void discard(C connection) {
        Objects.requireNonNull(connection, "connection");
        open--;
        try {
            connection.close();
        } catch (Exception ignored) {
            // it is being thrown away because it failed; a second failure adds nothing
        } finally {
            permits.release();
        }
    }

    /** Connections open now (idle and in use). */
    public int openConnections() {
        return open;
    }

    /** Connections waiting in the pool. */
    public int idleConnections() {
        return idle.size();
    }

    /** The most connections this pool opens. */
    public int size() {
        return size;
    }

    /**
     * Closes the idle connections; connections in use are closed when they come back. Later
     * {@link #borrow}s throw {@link IllegalStateException}. Idempotent. Hub thread.
     */
    @Override
    public void close() {
        closed = true;
        C c;
        while ((c = idle.pollFirst()) != null) {
            open--;
            try {
                c.close();
            } catch (Exception ignored) {
                // closing: nothing to do about it
            }
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this ConnectionPool is closed");
        }
        if (Thread.currentThread() != hub.thread()) {
            throw new dev.weft.hub.WrongThreadException("ConnectionPool.borrow", hub.thread(), Thread.currentThread(),
                    "A ConnectionPool serves the fibers of the hub that created it; give each hub its own pool.");
        }
    }

    @Override
    public String toString() {
        return "ConnectionPool(" + open + " open of " + size + ", " + idle.size() + " idle, " + permits.waiting()
                + " fibers waiting)";
    }
}
