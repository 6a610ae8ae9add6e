package dev.weft.bridges;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.testkit.Descriptors;
import dev.weft.testkit.Measurements;
import dev.weft.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** PostgreSQL killed while fibers wait on queries: a clear SQLException, nobody stuck, no descriptor kept. */
@org.junit.jupiter.api.Timeout(120)
class PostgresServerKilledTest {

    @Test
    void theServerDiesMidQuery() throws Exception {
        try (PostgresServer pg = PostgresServer.start()) {
            Hub.run(() -> {
                // the fibers fail while the main fiber sleeps: their failures are expected, not to be logged
                java.util.List<Throwable> reported = new java.util.concurrent.CopyOnWriteArrayList<>();
                Hub.current().setUncaughtExceptionHandler((fiber, failure) -> reported.add(failure));
                int socketsBefore = Descriptors.openSockets();
                List<Fiber<Void>> fibers = new ArrayList<>();
                int[] running = {0};
                for (int i = 0; i < 5; i++) {
                    fibers.add(Fiber.spawn("query-" + i, () -> {
                        try (Connection c = DriverManager.getConnection(pg.url(), pg.properties(FiberSocketFactory.class));
                                Statement st = c.createStatement()) {
                            running[0]++;
                            st.executeQuery("select count(*) from pg_sleep(30)");
                        }
                    }));
                }
                while (running[0] < 5) {
                    Fiber.sleep(10);
                }
                Fiber.sleep(200); // the queries are on the wire
                long start = System.nanoTime();
                Thread killer = new Thread(pg::kill, "pg-killer");
                killer.start();
                for (Fiber<Void> f : fibers) {
                    assertTrue(f.join(Duration.ofSeconds(20)), f + " is stuck");
                    SQLException e = assertInstanceOf(SQLException.class, f.failure(), String.valueOf(f.failure()));
                    assertTrue(e.getSQLState() != null && (e.getSQLState().startsWith("08") || e.getSQLState().startsWith("57")),
                            "a connection failure or an admin shutdown: " + e.getSQLState() + " " + e);
                    try {
                        f.get();
                    } catch (java.util.concurrent.CompletionException observed) {
                        // claimed: it is the expected failure
                    }
                }
                for (Throwable t : reported) {
                    assertInstanceOf(SQLException.class, t);
                }
                long ms = (System.nanoTime() - start) / 1_000_000;
                while (killer.isAlive()) {
                    Fiber.sleep(10);
                }
                Measurements.record("postgres killed: 5 fibers failed within " + ms + " ms (" + System.getProperty("weft.hub", "default") + ")");
                // nio closes a channel registered with a selector at its next select: give it a few loop turns
                for (int i = 0; i < 100 && Descriptors.openSockets() != socketsBefore; i++) {
                    Fiber.sleep(10);
                }
                assertEquals(socketsBefore, Descriptors.openSockets(), "every connection's socket was closed");
            });
        }
    }
}
