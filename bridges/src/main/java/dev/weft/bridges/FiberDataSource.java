package dev.weft.bridges;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.fibers.Semaphore;
import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A JDBC pool of your choice (HikariCP, DBCP, c3p0...) in front of which fibers wait cooperatively.
 * Such pools wait for a free connection with thread-blocking calls (HikariCP's {@code ConcurrentBag}
 * parks the thread for up to {@code connectionTimeout}): called from a fiber while every connection is
 * in use, they block the hub thread, so the fibers that hold the connections can never run to give
 * them back, and the hub freezes until the pool times out. This wrapper lets at most {@code
 * connectionsPerHub} fibers of each hub into the pool at a time (a {@link Semaphore} per hub, FIFO);
 * the others park, and a connection's {@code close()} lets the next one in. With the permits no more
 * than the pool's size (divided among the hubs that share the pool), the pool's own wait never runs
 * on a hub thread.
 *
 * <p>Give the pool's driver {@link FiberSocketFactory} too (pgjdbc: the data source property {@code
 * socketFactory}): the pool opens connections on its own threads, and those sockets are then
 * cooperative in the fibers that borrow them (see {@link FiberSocket}).
 *
 * <p>What it cannot help: a pool that has fewer connections than permits (still filling up after a
 * start, or replacing a retired connection) makes a borrower wait for its connection adder on the hub
 * thread (milliseconds, as long as opening a connection takes); the hub watchdog reports a wait that
 * lasts. Threads that run no hub go straight to the pool.
 *
 * <p>Thread rule: any thread; a connection's permit belongs to the hub of the fiber that borrowed
 * it, and is given back by {@code close()} from any thread.
 */
public final class FiberDataSource implements DataSource {
    private final DataSource pool;
    private final int connectionsPerHub;
    private final Map<Hub, Semaphore> gates = new ConcurrentHashMap<>();

    /**
     * @param pool              the pool (its {@code getConnection} is called with a permit held)
     * @param connectionsPerHub how many fibers of one hub may hold or wait for a pool connection at once:
     *                          the pool's maximum size, divided among the hubs that share it
     * @throws IllegalArgumentException if {@code connectionsPerHub} is not positive
     */
    public FiberDataSource(DataSource pool, int connectionsPerHub) {
        this.pool = Objects.requireNonNull(pool, "pool");
        if (connectionsPerHub <= 0) {
            throw new IllegalArgumentException("connectionsPerHub must be positive: " + connectionsPerHub);
        }
        this.connectionsPerHub = connectionsPerHub;
    }

    /**
     * A connection from the pool. In a fiber: parks while {@code connectionsPerHub} fibers of its hub
     * hold one (until one is closed, the fiber is killed, or an enclosing {@link dev.weft.fibers.Timeout}
     * expires), then borrows. Elsewhere: the pool's own {@code getConnection}.
     */
    @Override
    public Connection getConnection() throws SQLException {
        return borrow(null, null);
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return borrow(Objects.requireNonNull(username, "username"), password);
    }

    private Connection borrow(String user, String password) throws SQLException {
        if (!Fiber.inFiber()) {
            return user == null ? pool.getConnection() : pool.getConnection(user, password);
        }
        Hub hub = Hub.current();
        Semaphore gate = gates.computeIfAbsent(hub, h -> {
            h.onClose(() -> gates.remove(h));
            return new Semaphore(connectionsPerHub);
        });
        gate.acquire();
        boolean ok = false;
        try {
            Connection c = user == null ? pool.getConnection() : pool.getConnection(user, password);
            ok = true;
            return gated(c, hub, gate);
        } finally {
            if (!ok) {
                gate.release();
            }
        }
    }

    /** {@code c}, whose first {@code close()} also gives the permit back (on its hub). */
    private static Connection gated(Connection c, Hub hub, Semaphore gate) {
        AtomicBoolean released = new AtomicBoolean();
        InvocationHandler h = (proxy, method, args) -> {
            if (method.getName().equals("close") && method.getParameterCount() == 0) {
                try {
                    c.close();
                } finally {
                    if (released.compareAndSet(false, true)) {
                        if (Thread.currentThread() == hub.thread()) {
                            gate.release();
                        } else {
                            hub.loop().execute(gate::release);
                        }
                    }
                }
                return null;
            }
            return forward(c, method, args);
        };
        return (Connection) Proxy.newProxyInstance(FiberDataSource.class.getClassLoader(), new Class<?>[] {Connection.class}, h);
    }

    private static Object forward(Connection c, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            return switch (method.getName()) {
                case "toString" -> "FiberDataSource connection over " + c;
                case "hashCode" -> System.identityHashCode(c);
                default -> method.invoke(c, args);
            };
        }
        try {
            return method.invoke(c, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    // ---------------------------------------------------------------- DataSource's other methods: the pool's

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return pool.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        pool.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        pool.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return pool.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return pool.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        return type.isInstance(pool) ? type.cast(pool) : pool.unwrap(type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) throws SQLException {
        return type.isInstance(pool) || pool.isWrapperFor(type);
    }
}
