package dev.weft.fibers;

import java.util.List;

/**
 * A connection pool's own wait for a free connection, recognised in a stuck hub thread's stack for
 * {@link HubWatchdog}'s report: HikariCP, commons-pool2 (under {@code JedisPool}), Apache HttpClient's
 * pools. Such a wait parks the hub thread (a {@code j.u.c.} wait, or {@code Object.wait}), so the fibers
 * that hold the pool's connections can never run to give them back: the hub freezes until the pool
 * times out. The report then names the pool instead of blaming a socket or a lock.
 *
 * @param pool  what waits, in words ("HikariCP getConnection")
 * @param frame the pool's frame in the stack
 */
record PoolWait(String pool, StackTraceElement frame) {
    /** Class-name prefix (nested classes too), method-name prefix ("": any), and what to call it. */
    private record Known(String classPrefix, String method, String pool) {
    }

    private static final List<Known> KNOWN = List.of(
            new Known("com.zaxxer.hikari.util.ConcurrentBag", "borrow", "HikariCP getConnection"),
            new Known("com.zaxxer.hikari.pool.HikariPool", "getConnection", "HikariCP getConnection"),
            new Known("org.apache.commons.pool2.impl.GenericObjectPool", "borrowObject", "commons-pool2 borrowObject (JedisPool)"),
            new Known("org.apache.commons.pool2.impl.GenericKeyedObjectPool", "borrowObject", "commons-pool2 borrowObject"),
            new Known("org.apache.hc.core5.pool.StrictConnPool", "", "Apache HttpClient's connection pool (StrictConnPool)"),
            new Known("org.apache.hc.core5.pool.LaxConnPool", "", "Apache HttpClient's connection pool (LaxConnPool)"),
            new Known("org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager", "",
                    "Apache HttpClient's PoolingHttpClientConnectionManager"));

    /** The innermost known pool frame of {@code stack}, or null. */
    static PoolWait find(StackTraceElement[] stack) {
        for (StackTraceElement e : stack) {
            for (Known k : KNOWN) {
                if (e.getClassName().startsWith(k.classPrefix) && e.getMethodName().startsWith(k.method)) {
                    return new PoolWait(k.pool, e);
                }
            }
        }
        return null;
    }

    /** The report's lines: what waits, where, and what to do. */
    String describe() {
        return " The hub thread is blocked in the pool's own wait: " + pool + " waits for a free connection (all in use by"
                + " fibers of this hub, which cannot run to give them back while the thread waits, or a new one being"
                + " opened on the pool's thread); the hub stays frozen until the pool's timeout."
                + "\n  pool wait at:  " + frame
                + "\n  instead:       size the pool >= the fibers that use it at once, or let fibers wait for it cooperatively:"
                + " wrap a JDBC pool in dev.weft.bridges.FiberDataSource(pool, poolSize), or use dev.weft.bridges.ConnectionPool"
                + " (for Jedis too); the pool's sockets should come from dev.weft.bridges.FiberSocketFactory";
    }
}
