package dev.weft.bridges;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.fibers.HubGroup;
import dev.weft.hub.WrongThreadException;
import dev.weft.testkit.ClassFixture;
import dev.weft.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 24, item 4: JDBC connections to a real PostgreSQL from every hub of a group: a fiber
 * borrows one of its own hub's connections, no connection is used by two hubs, and the group opens
 * no more than the pool's size.
 */
@org.junit.jupiter.api.Timeout(120)
class PerHubConnectionPoolTest {
    @RegisterExtension
    static final ClassFixture<PostgresServer> PG = ClassFixture.of(PostgresServer::start);

    private static long backendPid(Connection c) throws Exception {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select pg_backend_pid() from pg_sleep(0.01)")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void eachHubsFibersBorrowThatHubsOwnConnections() throws Exception {
        try (HubGroup group = HubGroup.start(2)) {
            PerHubConnectionPool<Connection> pool = new PerHubConnectionPool<>(group, 5,
                    () -> DriverManager.getConnection(PG.get().url(), PG.get().properties(FiberSocketFactory.class)));
            assertEquals(3, pool.share(0));
            assertEquals(2, pool.share(1));
            List<Set<Long>> pids = new ArrayList<>();
            List<java.util.concurrent.CompletableFuture<Set<Long>>> runs = new ArrayList<>();
            for (int h = 0; h < 2; h++) {
                runs.add(group.spawnOn(h, () -> {
                    Set<Long> seen = new HashSet<>();
                    List<Fiber<Long>> fibers = new ArrayList<>();
                    for (int f = 0; f < 20; f++) {
                        fibers.add(Fiber.spawn(() -> pool.withConnection(PerHubConnectionPoolTest::backendPid)));
                    }
                    for (Fiber<Long> f : fibers) {
                        seen.add(f.get());
                    }
                    return seen;
                }));
            }
            for (var r : runs) {
                pids.add(r.get(60, TimeUnit.SECONDS));
            }
            assertTrue(pids.get(0).size() <= 3 && pids.get(1).size() <= 2, "per hub at most its share: " + pids);
            Set<Long> both = new HashSet<>(pids.get(0));
            both.retainAll(pids.get(1));
            assertEquals(Set.of(), both, "no connection served two hubs: " + pids);
            assertEquals(List.of(pids.get(0).size(), pids.get(1).size()), pool.openConnectionsPerHub());
            WrongThreadException outside = assertThrows(WrongThreadException.class,
                    () -> Hub.run(() -> pool.withConnection(PerHubConnectionPoolTest::backendPid)));
            assertTrue(outside.getMessage().contains("Its connections belong to the hubs of " + group.name()),
                    outside.getMessage());
            pool.close();
            assertEquals(List.of(0, 0), pool.openConnectionsPerHub());
            assertThrows(IllegalArgumentException.class, () -> new PerHubConnectionPool<Connection>(group, 1, () -> null));
        }
    }
}
