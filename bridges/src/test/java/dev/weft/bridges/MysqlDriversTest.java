package dev.weft.bridges;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.testkit.ClassFixture;
import dev.weft.testkit.Descriptors;
import dev.weft.testkit.MariaDbServer;
import dev.weft.testkit.Measurements;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 23 items 8, 16 and 17: MariaDB Connector/J (as is, {@code socketFactory=FiberSocketFactory}) and
 * MySQL Connector/J (through {@link FiberMysqlSocketFactory}), unmodified, against a real MariaDB server
 * the test starts: concurrent server-side sleeps on one hub, a kill mid-query, 90 connects killed or
 * timed out at random points, the server killed mid-query.
 */
@org.junit.jupiter.api.Timeout(180)
class MysqlDriversTest {
    @RegisterExtension
    static final ClassFixture<MariaDbServer> DB = ClassFixture.of(MariaDbServer::start);

    static Connection mysql() throws SQLException {
        Properties p = DB.get().properties();
        p.setProperty("socketFactory", FiberMysqlSocketFactory.class.getName());
        return DriverManager.getConnection(DB.get().mysqlUrl(), p);
    }

    static Connection mariadb() throws SQLException {
        Properties p = DB.get().properties();
        p.setProperty("socketFactory", FiberSocketFactory.class.getName());
        return DriverManager.getConnection(DB.get().mariadbUrl(), p);
    }

    interface Opener {
        Connection open() throws SQLException;
    }

    static long scalar(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** {@code n} fibers, each on its own connection, sleep {@code seconds} in the server at once; the wall time of the sleeps. */
    static double concurrentSleeps(Opener opener, int n, double seconds) throws Exception {
        return Hub.run(() -> {
            dev.weft.fibers.Event go = new dev.weft.fibers.Event();
            int[] ready = {0};
            List<Fiber<Long>> fibers = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                fibers.add(Fiber.spawn("query-" + i, () -> {
                    try (Connection c = opener.open()) {
                        ready[0]++;
                        go.await();
                        scalar(c, "select sleep(" + seconds + ")");
                        return scalar(c, "select connection_id()");
                    }
                }));
            }
            while (ready[0] < n) {
                Fiber.sleep(5);
            }
            long start = System.nanoTime();
            go.set();
            java.util.Set<Long> ids = new java.util.HashSet<>();
            for (Fiber<Long> f : fibers) {
                ids.add(f.get(Duration.ofSeconds(60)));
            }
            assertEquals(n, ids.size(), "each fiber had its own connection");
            return (System.nanoTime() - start) / 1e9;
        });
    }

    @Test
    void mariadbConnectorJ() throws Exception {
        double s = concurrentSleeps(MysqlDriversTest::mariadb, 20, 0.5);
        Measurements.record("mariadb-java-client: 20 fibers x sleep(0.5) on one hub: " + s + " s (" + System.getProperty("weft.hub", "default") + ")");
        assertTrue(s >= 0.5 && s < 2.0, "20 concurrent sleep(0.5) took " + s + " s (serial: 10 s)");
    }

    @Test
    void mysqlConnectorJ() throws Exception {
        double s = concurrentSleeps(MysqlDriversTest::mysql, 20, 0.5);
        Measurements.record("mysql-connector-j: 20 fibers x sleep(0.5) on one hub: " + s + " s (" + System.getProperty("weft.hub", "default") + ")");
        assertTrue(s >= 0.5 && s < 2.0, "20 concurrent sleep(0.5) took " + s + " s (serial: 10 s)");
    }

    private static void attack(Opener opener, boolean kill, String name) throws Exception {
        Hub.run(() -> {
            try (Connection admin = mariadb()) {
                ConnectAttack.Outcome o = ConnectAttack.attack(90, kill, opener::open, c -> scalar(c, "select 1"),
                        () -> DB.get().connections(admin), DB.get().port);
                Measurements.record(name + " " + (kill ? "kill" : "timeout") + " attack on 90 connects: " + o.connected()
                        + " connected, " + o.interrupted() + " interrupted, nothing left (" + System.getProperty("weft.hub", "default") + ")");
            }
        });
    }

    @Test
    void mysqlConnectorJConnectsKilledOrTimedOutAtRandomPointsLeaveNothing() throws Exception {
        attack(MysqlDriversTest::mysql, true, "mysql-connector-j");
        attack(MysqlDriversTest::mysql, false, "mysql-connector-j");
    }

    @Test
    void mariadbConnectorJConnectsKilledOrTimedOutAtRandomPointsLeaveNothing() throws Exception {
        attack(MysqlDriversTest::mariadb, true, "mariadb-java-client");
        attack(MysqlDriversTest::mariadb, false, "mariadb-java-client");
    }

    /**
     * A fiber killed mid-query unwinds at once and closes its connection (Connector/J turns the kill into
     * an SQLException: the fiber fails with it); the server, which does not watch a connection while it
     * runs a query, drops it when the query ends.
     */
    @Test
    void aFiberKilledMidQueryClosesItsConnection() throws Exception {
        for (Opener opener : List.<Opener>of(MysqlDriversTest::mysql, MysqlDriversTest::mariadb)) {
            Hub.run(() -> {
                List<Throwable> reported = new java.util.concurrent.CopyOnWriteArrayList<>();
                Hub.current().setUncaughtExceptionHandler((fiber, failure) -> reported.add(failure));
                try (Connection admin = mariadb()) {
                    long before = DB.get().connections(admin);
                    int socketsBefore = Descriptors.openSockets();
                    long[] id = {0};
                    Fiber<Void> f = Fiber.spawn(() -> {
                        try (Connection c = opener.open()) {
                            id[0] = scalar(c, "select connection_id()");
                            scalar(c, "select sleep(2)");
                        }
                    });
                    while (id[0] == 0) {
                        Fiber.sleep(10);
                    }
                    Fiber.sleep(100);
                    long start = System.nanoTime();
                    f.kill();
                    assertTrue(f.join(Duration.ofSeconds(1)), "the kill ends the query's wait at once");
                    for (int i = 0; i < 100 && Descriptors.openSockets() != socketsBefore; i++) {
                        Fiber.sleep(10);
                    }
                    assertEquals(socketsBefore, Descriptors.openSockets(), "the client closed its socket");
                    long deadline = System.nanoTime() + 10_000_000_000L;
                    while (DB.get().connections(admin) != before && System.nanoTime() < deadline) {
                        Fiber.sleep(20);
                    }
                    assertEquals(before, DB.get().connections(admin), "the server dropped the connection once the query ended");
                    assertTrue((System.nanoTime() - start) / 1e9 < 10);
                    for (Throwable t : reported) {
                        assertInstanceOf(SQLException.class, t, "Connector/J wraps the kill");
                    }
                }
            });
        }
    }

    /** The server SIGKILLed under a query: a clear SQLException, nobody stuck. */
    @Test
    void theServerKilledMidQueryIsAClearSqlException() throws Exception {
        MariaDbServer own = MariaDbServer.start();
        try {
            Properties p = own.properties();
            p.setProperty("socketFactory", FiberMysqlSocketFactory.class.getName());
            Hub.run(() -> KilledUnderQueries.eachFiberFailsPromptly(3, () -> DriverManager.getConnection(own.mysqlUrl(), p),
                    "select sleep(30)", own::kill));
        } finally {
            own.close();
        }
    }
}
