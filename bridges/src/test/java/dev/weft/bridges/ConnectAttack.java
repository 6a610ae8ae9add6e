package dev.weft.bridges;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.FiberState;
import dev.weft.fibers.Timeouts;
import dev.weft.testkit.Descriptors;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;

/**
 * Issue 23 item 8, for any driver: {@code n} fibers each borrow a connection from one {@link
 * ConnectionPool} (so each opens one) and are killed, or timed out through {@link Timeouts#withTimeout},
 * at a random point of the connect; afterwards the pool is closed and no socket of this JVM and no
 * connection of the server may be left. Runs in a fiber of the test's hub.
 */
final class ConnectAttack {
    /** What happened to the {@code n} fibers. */
    record Outcome(int connected, int interrupted, long seed) {
    }

    private ConnectAttack() {
    }

    /**
     * Attacks {@code n} connects. The random points lie in [0, 1.2 × the time {@code n} concurrent
     * connects take here), so that the interruptions fall all along the drivers' connects (resolving,
     * TCP, the login exchange) and some connects finish.
     *
     * @param serverConnections counts the server's connections of the test user (the admin's own excluded)
     * @param serverPort the server's port: this JVM's sockets to it are counted before and after
     */
    static <C extends AutoCloseable> Outcome attack(int n, boolean kill, ConnectionPool.Opener<C> opener,
            ConnectionPool.Use<C, ?> use, Callable<Long> serverConnections, int serverPort) throws Exception {
        long seed = Long.getLong("weft.stress.seed", System.nanoTime());
        Random random = new Random(seed);
        String context = (kill ? "kill" : "timeout") + " attack, seed " + seed + " (-Dweft.stress.seed=" + seed + " replays it)";
        // Connector/J turns a kill into an SQLException (issue 23 item 5): such fibers fail, maybe before the
        // loop below joins them; their failures are kept here and checked instead of being logged.
        List<Throwable> reported = new java.util.concurrent.CopyOnWriteArrayList<>();
        dev.weft.fibers.Hub.current().setUncaughtExceptionHandler((fiber, failure) -> reported.add(failure));
        // this JVM's sockets to the server only: sockets of earlier tests (pools, the bridge hub) may close meanwhile
        int socketsBefore = Descriptors.openSocketsTo(serverPort);
        long before = serverConnections.call();
        long span = timeConcurrentConnects(n, opener);
        ConnectionPool<C> pool = new ConnectionPool<>(n, opener);
        List<Fiber<Boolean>> fibers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long delay = (long) (random.nextDouble() * 1.2 * span);
            if (kill) {
                Fiber<Boolean> f = Fiber.spawn("connect-" + i, () -> {
                    pool.withConnection(use);
                    return true;
                });
                fibers.add(f);
                Fiber.spawn("killer-" + i, () -> {
                    Fiber.sleep(Duration.ofNanos(delay));
                    f.kill();
                });
            } else {
                fibers.add(Fiber.spawn("connect-" + i, () -> Timeouts.withTimeout(Duration.ofNanos(Math.max(1, delay)), () -> {
                    pool.withConnection(use);
                    return true;
                }, false)));
            }
        }
        int connected = 0;
        int interrupted = 0;
        for (Fiber<Boolean> f : fibers) {
            assertTrue(f.join(Duration.ofSeconds(30)), f + " is stuck; " + context);
            if (f.state() == FiberState.KILLED) {
                interrupted++;
            } else if (kill && f.failure() != null) {
                interrupted++; // a driver that wraps the kill (Connector/J: an SQLException caused by it)
                try {
                    f.get();
                } catch (java.util.concurrent.CompletionException observed) {
                    // claimed, so that it is not reported as a failure nobody joined
                }
            } else {
                // a timeout, even one a driver wrapped, is the form's own: it returns false, never throws
                boolean done = f.get();
                connected += done ? 1 : 0;
                interrupted += done ? 0 : 1;
            }
        }
        for (Throwable t : reported) {
            assertTrue(kill && t instanceof java.sql.SQLException && t.toString().contains("was killed"),
                    "only a driver's wrapped kill fails a fiber: " + t + "; " + context);
        }
        pool.close();
        assertEquals(0, pool.openConnections(), "every connection came back to the pool; " + context);
        long deadline = System.nanoTime() + 10_000_000_000L;
        long left = serverConnections.call() - before;
        while (left != 0 && System.nanoTime() < deadline) {
            Fiber.sleep(20);
            left = serverConnections.call() - before;
        }
        assertEquals(0, left, "connections the server still has after " + connected + " connected and " + interrupted
                + " interrupted connects; " + context);
        for (int i = 0; i < 100 && Descriptors.openSocketsTo(serverPort) != socketsBefore; i++) {
            Fiber.sleep(10); // nio closes a registered channel at its next select
        }
        assertEquals(socketsBefore, Descriptors.openSocketsTo(serverPort), "sockets of this JVM to the server left open; "
                + context);
        return new Outcome(connected, interrupted, seed);
    }

    /** How long {@code n} fibers take to open a connection each, all at once (the connections are closed). */
    private static <C extends AutoCloseable> long timeConcurrentConnects(int n, ConnectionPool.Opener<C> opener) throws Exception {
        long start = System.nanoTime();
        List<Fiber<C>> openers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            openers.add(Fiber.spawn("warm-up-" + i, opener::open));
        }
        long took = 0;
        for (Fiber<C> f : openers) {
            f.get(Duration.ofSeconds(30)).close();
            took = Math.max(took, System.nanoTime() - start);
        }
        return took;
    }
}
