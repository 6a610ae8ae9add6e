package dev.weft.bridges;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.testkit.ClassFixture;
import dev.weft.testkit.LogCapture;
import dev.weft.testkit.Measurements;
import dev.weft.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 23 item 15: HikariCP, unmodified, with pgjdbc and {@link FiberSocketFactory}, against a real
 * PostgreSQL. Hikari opens its connections on its own threads; those sockets are cooperative in the
 * fibers that borrow them. Before: plain JDK sockets there, 10 x pg_sleep(0.5) over 5 connections took
 * 5.1 s on one hub. Hikari's own wait for a free connection blocks the hub thread: in front of it, {@link
 * FiberDataSource} makes fibers wait cooperatively; without it, the watchdog names that wait.
 */
@org.junit.jupiter.api.Timeout(120)
class HikariTest {
    @RegisterExtension
    static final ClassFixture<PostgresServer> PG = ClassFixture.of(PostgresServer::start);

    /** A Hikari pool of {@code size}, made and filled on this thread (no hub): its sockets belong to the bridge hub. */
    static HikariDataSource hikari(int size, long connectionTimeoutMillis) throws SQLException {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(PG.get().url());
        config.setUsername("weft");
        config.addDataSourceProperty("socketFactory", FiberSocketFactory.class.getName());
        config.addDataSourceProperty("sslmode", "disable");
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(size);
        config.setConnectionTimeout(connectionTimeoutMillis);
        HikariDataSource ds = new HikariDataSource(config);
        List<Connection> fill = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            fill.add(ds.getConnection()); // all open before the fibers start
        }
        for (Connection c : fill) {
            c.close();
        }
        return ds;
    }

    /** The server's client connections (the asking one excluded) once they reach 0, or after {@code limit}. */
    static long serverConnectionsAfter(Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        try (Connection admin = PG.get().adminConnection(); Statement st = admin.createStatement()) {
            while (true) {
                try (ResultSet rs = st.executeQuery(
                        "select count(*) from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()")) {
                    rs.next();
                    long n = rs.getLong(1);
                    if (n == 0 || System.nanoTime() > deadline) {
                        return n; // the server ends a backend a moment after its client closed
                    }
                }
                Thread.sleep(20);
            }
        }
    }

    /** pg_stat_activity's client connections, for failure messages. */
    static String activity() {
        try (Connection admin = PG.get().adminConnection(); Statement st = admin.createStatement(); ResultSet rs = st.executeQuery(
                "select pid, state, backend_start, client_port, backend_type, query from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()")) {
            StringBuilder sb = new StringBuilder();
            while (rs.next()) {
                sb.append("\n  ").append(rs.getLong(1)).append(' ').append(rs.getString(2)).append(' ').append(rs.getString(3))
                        .append(' ').append(rs.getString(4)).append(' ').append(rs.getString(5)).append(' ').append(rs.getString(6));
            }
            return sb.toString();
        } catch (SQLException e) {
            return e.toString();
        }
    }

    private static long sleepAndPid(DataSource ds, double seconds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("select pg_sleep(" + seconds + ")");
            try (ResultSet rs = st.executeQuery("select pg_backend_pid()")) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Test
    void tenFibersSleepInTheServerOverAPoolOfFiveInAboutOneSecond() throws Exception {
        try (HikariDataSource hikari = hikari(5, 30_000)) {
            DataSource ds = new FiberDataSource(hikari, 5);
            double seconds = Hub.run(() -> {
                int[] ticks = {0};
                Fiber<Void> ticker = Fiber.spawn(() -> {
                    while (true) {
                        Fiber.sleep(20);
                        ticks[0]++;
                    }
                });
                long start = System.nanoTime();
                List<Fiber<Long>> fibers = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    fibers.add(Fiber.spawn("query-" + i, () -> sleepAndPid(ds, 0.5)));
                }
                java.util.Set<Long> pids = new java.util.HashSet<>();
                for (Fiber<Long> f : fibers) {
                    pids.add(f.get(Duration.ofSeconds(30)));
                }
                double s = (System.nanoTime() - start) / 1e9;
                assertEquals(5, pids.size(), "the pool's five connections served the ten fibers");
                assertTrue(ticks[0] >= 25, "the hub ran its other fibers meanwhile: " + ticks[0] + " ticks");
                ticker.kill();
                return s;
            });
            Measurements.record("hikari: 10 fibers x pg_sleep(0.5) over a pool of 5 on one hub: " + seconds + " s ("
                    + System.getProperty("weft.hub", "default") + ")");
            assertTrue(seconds >= 1.0 && seconds < 2.5, "two waves of 5 concurrent pg_sleep(0.5) took " + seconds + " s (serial: 5 s)");
            // the pool's own threads and this plain thread still use the same connections, blocking
            assertTrue(sleepAndPid(hikari, 0) > 0);
        }
    }

    /** Without FiberDataSource an exhausted Hikari pool blocks the hub thread; the watchdog names the pool's wait. */
    @Test
    void anExhaustedPoolWithoutTheGateBlocksTheHubAndTheWatchdogSaysWhy() throws Exception {
        try (HikariDataSource hikari = hikari(2, 1_500); LogCapture log = LogCapture.watchdog()) {
            Hub.run(() -> {
                List<Throwable> reported = new java.util.concurrent.CopyOnWriteArrayList<>();
                Hub.current().setUncaughtExceptionHandler((fiber, failure) -> reported.add(failure)); // asserted below
                List<Fiber<Long>> fibers = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    fibers.add(Fiber.spawn("query-" + i, () -> sleepAndPid(hikari, 0.3)));
                }
                int failed = 0;
                for (Fiber<Long> f : fibers) {
                    f.join(Duration.ofSeconds(30));
                    if (f.failure() != null) {
                        failed++;
                        assertInstanceOf(java.sql.SQLTransientConnectionException.class, f.failure());
                        try {
                            f.get();
                        } catch (java.util.concurrent.CompletionException observed) {
                            // claimed
                        }
                    }
                }
                assertEquals(1, failed, "the third fiber waited in Hikari for 1.5 s on the hub thread, the other two could not run");
                for (Throwable t : reported) {
                    assertInstanceOf(java.sql.SQLTransientConnectionException.class, t);
                }
            });
            String report = log.text();
            assertTrue(report.contains("the pool's own wait: HikariCP getConnection waits for a free connection"), report);
            assertTrue(report.contains("dev.weft.bridges.FiberDataSource"), report);
            assertTrue(!report.contains("socketFactory=dev.weft.bridges.FiberSocketFactory)"), "no false blame on the factory: " + report);
        }
    }

    /**
     * Hikari's constructor called in a fiber opens connections there (hub-bound sockets); the pool's own
     * threads, a plain thread and another hub's fibers still use them, and closing the pool from a plain
     * thread ends every server connection.
     */
    @Test
    void aPoolMadeInAFiberWorksFromPlainThreadsAndAnotherHubAndClosesCleanly() throws Exception {
        java.util.concurrent.CompletableFuture<HikariDataSource> made = new java.util.concurrent.CompletableFuture<>();
        java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
        Thread appHub = new Thread(() -> {
            try {
                Hub.run(() -> {
                    made.complete(hikari(3, 10_000));
                    Fiber.await(done); // keeps the hub, and the sockets it opened, alive
                });
            } catch (Exception e) {
                made.completeExceptionally(e);
            }
        }, "app-hub");
        appHub.start();
        HikariDataSource hikari = made.get(30, java.util.concurrent.TimeUnit.SECONDS);
        try {
            java.util.Set<Long> pids = new java.util.HashSet<>();
            for (int i = 0; i < 6; i++) {
                pids.add(sleepAndPid(hikari, 0)); // this plain thread
            }
            pids.addAll(Hub.run(() -> {
                DataSource ds = new FiberDataSource(hikari, 3);
                List<Fiber<Long>> fibers = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    fibers.add(Fiber.spawn(() -> sleepAndPid(ds, 0.1)));
                }
                java.util.Set<Long> got = new java.util.HashSet<>();
                for (Fiber<Long> f : fibers) {
                    got.add(f.get(Duration.ofSeconds(30)));
                }
                return got;
            }));
            assertEquals(3, pids.size(), "the same three connections everywhere: " + pids);
        } finally {
            hikari.close(); // from this plain thread: Hikari says goodbye on each connection and closes it
            done.complete(null);
            appHub.join(10_000);
        }
        assertEquals(0, serverConnectionsAfter(Duration.ofSeconds(10)), () -> "server connections left after the pool closed: " + activity());
    }

    /**
     * The server killed while fibers wait in queries on Hikari's connections (sockets of the bridge hub,
     * used from this hub's fibers): each fiber gets an SQLException promptly, nobody is stuck.
     */
    @Test
    void theServerKilledUnderPooledQueriesFailsEachFiberPromptly() throws Exception {
        try (PostgresServer own = PostgresServer.start()) {
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(own.url());
            config.setUsername("weft");
            config.addDataSourceProperty("socketFactory", FiberSocketFactory.class.getName());
            config.addDataSourceProperty("sslmode", "disable");
            config.setMaximumPoolSize(3);
            config.setInitializationFailTimeout(-1);
            try (HikariDataSource hikari = new HikariDataSource(config)) {
                DataSource ds = new FiberDataSource(hikari, 3);
                Hub.run(() -> KilledUnderQueries.eachFiberFailsPromptly(3, ds::getConnection, "select pg_sleep(30)", own::kill));
            }
        }
    }
}
