package dev.weft.bridges;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A database server killed under running queries, for any driver: {@code n} fibers each connect and run a
 * query that sleeps; once all of them run, the server is killed from a thread of its own, and every fiber
 * must fail with an {@link SQLException} within 20 s (nobody stuck), as must whatever fiber failure the hub
 * reports. Runs in a fiber; it sets the hub's uncaught-exception handler.
 */
final class KilledUnderQueries {
    /** Kills the server (blocks the killer thread). */
    interface Kill {
        void run() throws Exception;
    }

    private KilledUnderQueries() {
    }

    static void eachFiberFailsPromptly(int n, Callable<Connection> connect, String sleepingQuery, Kill kill)
            throws Exception {
        List<Throwable> reported = new CopyOnWriteArrayList<>();
        Hub.current().setUncaughtExceptionHandler((fiber, failure) -> reported.add(failure));
        int[] running = {0};
        List<Fiber<Void>> fibers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            fibers.add(Fiber.spawn(() -> {
                try (Connection c = connect.call(); Statement st = c.createStatement()) {
                    running[0]++;
                    st.execute(sleepingQuery);
                }
            }));
        }
        while (running[0] < n) {
            Fiber.sleep(10);
        }
        Fiber.sleep(200); // the queries are on the server
        Thread killer = new Thread(() -> {
            try {
                kill.run();
            } catch (Exception e) {
                throw new IllegalStateException("killing the server failed", e);
            }
        }, "server-killer");
        killer.start();
        long start = System.nanoTime();
        for (Fiber<Void> f : fibers) {
            assertTrue(f.join(Duration.ofSeconds(20)), f + " is stuck");
            assertInstanceOf(SQLException.class, f.failure(), String.valueOf(f.failure()));
            try {
                f.get();
            } catch (CompletionException observed) {
                // claimed
            }
        }
        for (Throwable t : reported) {
            assertInstanceOf(SQLException.class, t);
        }
        assertTrue((System.nanoTime() - start) / 1e9 < 20);
        while (killer.isAlive()) {
            Fiber.sleep(10);
        }
    }
}
