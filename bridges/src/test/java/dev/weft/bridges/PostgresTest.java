package dev.weft.bridges;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.FiberState;
import dev.weft.fibers.FiberTimeoutException;
import dev.weft.fibers.Hub;
import dev.weft.fibers.Timeout;
import dev.weft.testkit.ClassFixture;
import dev.weft.testkit.LogCapture;
import dev.weft.testkit.Measurements;
import dev.weft.testkit.Ports;
import dev.weft.testkit.PostgresServer;
import java.net.ConnectException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The official PostgreSQL JDBC driver, unmodified, in fibers of one hub, through its
 * {@code socketFactory} property, against a real PostgreSQL server the test starts itself.
 */
@org.junit.jupiter.api.Timeout(120)
class PostgresTest {
    @RegisterExtension
    static final ClassFixture<PostgresServer> PG = ClassFixture.of(PostgresServer::start);

    private static Connection connect() throws SQLException {
        return DriverManager.getConnection(PG.get().url(), PG.get().properties(FiberSocketFactory.class));
    }

    private static long scalar(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The headline: 50 × pg_sleep(0.5), each on its own connection, on ONE hub: ~0.5 s, not 25 s. */
    @Test
    void fiftyFibersSleepInTheServerAtTheSameTime() throws Exception {
        double[] seconds = Hub.run(() -> {
            long start = System.nanoTime();
            dev.weft.fibers.Event go = new dev.weft.fibers.Event();
            long[] queriesStart = {0};
            int[] ready = {0};
            List<Fiber<Long>> fibers = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                fibers.add(Fiber.spawn("query-" + i, () -> {
                    try (Connection c = connect()) {
                        ready[0]++;
                        go.await();
                        scalar(c, "select count(*) from pg_sleep(0.5)");
                        return scalar(c, "select pg_backend_pid()");
                    }
                }));
            }
            while (ready[0] < 50) {
                Fiber.sleep(5); // until all 50 are connected
            }
            double connected = (System.nanoTime() - start) / 1e9;
            queriesStart[0] = System.nanoTime();
            go.set();
            java.util.Set<Long> pids = new java.util.HashSet<>();
            for (Fiber<Long> f : fibers) {
                pids.add(f.get(Duration.ofSeconds(60)));
            }
            assertEquals(50, pids.size(), "each fiber had its own connection");
            return new double[] {connected, (System.nanoTime() - queriesStart[0]) / 1e9, (System.nanoTime() - start) / 1e9};
        });
        Measurements.record("postgres: 50 fibers x pg_sleep(0.5) on one hub (" + System.getProperty("weft.hub", "default")
                + "): connect all " + seconds[0] + " s, queries " + seconds[1] + " s, total " + seconds[2] + " s");
        assertTrue(seconds[1] >= 0.5 && seconds[1] < 3.0, "50 concurrent pg_sleep(0.5) took " + seconds[1] + " s (serial: 25 s)");
        assertTrue(seconds[2] < 10.0, "connecting and querying took " + seconds[2] + " s");
    }

    @Test
    void aQueryTimeoutCancelsTheQueryAndTheConnectionStaysUsable() throws Exception {
        Hub.run(() -> {
            try (Connection c = connect()) {
                int[] ticks = {0};
                Fiber<Void> ticker = Fiber.spawn("ticker", () -> {
                    while (true) {
                        Fiber.sleep(20);
                        ticks[0]++;
                    }
                });
                long start = System.nanoTime();
                SQLException e;
                try (Statement st = c.createStatement()) {
                    st.setQueryTimeout(1); // pgjdbc cancels from its Timer thread, through our factory's JDK-socket path
                    e = assertThrows(SQLException.class, () -> st.executeQuery("select count(*) from pg_sleep(20)"));
                }
                double s = (System.nanoTime() - start) / 1e9;
                assertEquals("57014", e.getSQLState(), "query_canceled: " + e);
                assertTrue(s >= 0.99 && s < 10, s + " s");
                assertTrue(ticks[0] >= 10, "the hub kept running other fibers during the query: " + ticks[0] + " ticks");
                ticker.kill();
                assertEquals(1, scalar(c, "select 1"));
            }
        });
    }

    /**
     * A fiber killed mid-query unwinds at once; its try-with-resources closes the connection, and the
     * server ends the backend (client_connection_check_interval) instead of running the query on.
     */
    @Test
    void aKilledOrTimedOutFiberMidQueryClosesItsConnectionAndTheServerSeesTheBackendGo() throws Exception {
        Hub.run(() -> {
            try (Connection admin = connect()) {
                for (boolean kill : new boolean[] {true, false}) {
                    long[] pid = {0};
                    Fiber<Void> f = Fiber.spawn(kill ? "killed" : "timed-out", () -> {
                        try (Connection c = connect()) {
                            pid[0] = scalar(c, "select pg_backend_pid()");
                            if (kill) {
                                scalar(c, "select count(*) from pg_sleep(30)");
                            } else {
                                try (Timeout t = Timeout.after(Duration.ofMillis(300))) {
                                    scalar(c, "select count(*) from pg_sleep(30)");
                                }
                            }
                        }
                    });
                    while (pid[0] == 0) {
                        Fiber.sleep(10);
                    }
                    assertTrue(waitFor(admin, "select count(*) from pg_stat_activity where state = 'active' and pid = "
                            + pid[0], 1), "the query is running");
                    long start = System.nanoTime();
                    if (kill) {
                        f.kill();
                    }
                    try {
                        f.get(Duration.ofSeconds(10)); // waiting in get takes the failure: asserted below
                    } catch (RuntimeException expected) {
                        // CancellationException (killed) or CompletionException (its own timeout)
                    }
                    assertTrue(f.isDone(), "not stuck");
                    if (kill) {
                        assertSame(FiberState.KILLED, f.state());
                    } else {
                        assertInstanceOf(FiberTimeoutException.class, f.failure());
                        // the child's own timeout reaches the caller wrapped: it is not the caller's
                        assertInstanceOf(FiberTimeoutException.class,
                                assertThrows(java.util.concurrent.CompletionException.class, f::get).getCause());
                    }
                    assertTrue(waitFor(admin, "select count(*) from pg_stat_activity where pid = " + pid[0], 0),
                            "the server ended backend " + pid[0]);
                    double s = (System.nanoTime() - start) / 1e9;
                    assertTrue(s < 10, "backend gone after " + s + " s (the query would have run 30 s)");
                }
            }
        });
    }

    @Test
    void connectionRefusedIsAClearSqlException() throws Exception {
        int closedPort = Ports.free();
        Hub.run(() -> {
            SQLException e = assertThrows(SQLException.class, () -> DriverManager.getConnection(
                    "jdbc:postgresql://127.0.0.1:" + closedPort + "/postgres", PG.get().properties(FiberSocketFactory.class)));
            assertEquals("08001", e.getSQLState(), e.toString());
            assertInstanceOf(ConnectException.class, e.getCause(), e.toString());
        });
    }

    /** pgjdbc's TLS (sslmode=require) is the JDK's SSLSocket layered over our FiberSocket. */
    @Test
    void tlsToTheServerOverAFiberSocket() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(PG.get().tls(), "SKIPPED: no openssl (Debian package 'openssl') to make the server's certificate");
        // cold TLS handshakes compute on the hub for a while: the watchdog may say so; kept off the console
        try (LogCapture quiet = LogCapture.watchdog()) {
            tlsQueries();
        }
    }

    private static void tlsQueries() throws Exception {
        Hub.run(() -> {
            java.util.Properties p = PG.get().properties(FiberSocketFactory.class);
            p.setProperty("sslmode", "require"); // encrypted, certificate not verified (it is self-signed)
            List<Fiber<String>> fibers = new ArrayList<>();
            dev.weft.fibers.Event go = new dev.weft.fibers.Event();
            int[] ready = {0};
            long start = System.nanoTime();
            for (int i = 0; i < 10; i++) {
                fibers.add(Fiber.spawn(() -> {
                    try (Connection c = DriverManager.getConnection(PG.get().url(), p);
                            Statement st = c.createStatement();
                            ResultSet rs = st.executeQuery("select ssl, version from pg_stat_ssl where pid = pg_backend_pid()")) {
                        rs.next();
                        ready[0]++;
                        go.await();
                        scalar(c, "select count(*) from pg_sleep(0.3)");
                        return rs.getBoolean(1) + " " + rs.getString(2);
                    }
                }));
            }
            while (ready[0] < 10) {
                Fiber.sleep(5);
            }
            double handshakes = (System.nanoTime() - start) / 1e9;
            long queries = System.nanoTime();
            go.set();
            for (Fiber<String> f : fibers) {
                String got = f.get(Duration.ofSeconds(30));
                assertTrue(got.startsWith("true TLSv1."), got);
            }
            double s = (System.nanoTime() - queries) / 1e9;
            Measurements.record("postgres TLS: 10 connections (handshakes on the hub) " + handshakes + " s, then 10 concurrent"
                    + " pg_sleep(0.3) " + s + " s (" + System.getProperty("weft.hub", "default") + ")");
            assertTrue(s >= 0.3 && s < 2, "10 concurrent pg_sleep(0.3) over TLS took " + s + " s (serial: 3 s)");
        });
    }

    /** Polls {@code sql} (a count) until it returns {@code expected}, for up to 10 s. */
    private static boolean waitFor(Connection admin, String sql, long expected) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (scalar(admin, sql) == expected) {
                return true;
            }
            Fiber.sleep(20);
        }
        return false;
    }

    /** Without the factory the driver blocks the hub thread; the watchdog says where and what to add. */
    @Test
    void theDriverWithoutTheFactoryBlocksTheHubAndTheWatchdogSaysWhatToAdd() throws Exception {
        try (LogCapture log = LogCapture.watchdog()) {
            double seconds = Hub.run(() -> {
                long start = System.nanoTime();
                List<Fiber<Long>> fibers = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    double sleep = i == 0 ? 1.5 : 0.2; // the first outlasts the watchdog's threshold (1 s)
                    fibers.add(Fiber.spawn(() -> {
                        try (Connection c = PG.get().adminConnection()) {
                            return scalar(c, "select count(*) from pg_sleep(" + sleep + ")");
                        }
                    }));
                }
                for (Fiber<Long> f : fibers) {
                    f.get();
                }
                return (System.nanoTime() - start) / 1e9;
            });
            assertTrue(seconds >= 1.9, "the queries ran one after the other: " + seconds + " s");
            String report = log.text();
            assertTrue(report.contains("a blocking java.net socket call") && report.contains("called from:   org.postgresql."), report);
            assertTrue(report.contains("reached from:  dev.weft.bridges.PostgresTest"), report);
            assertTrue(report.contains("socketFactory=dev.weft.bridges.FiberSocketFactory"), report);
        }
    }
}
