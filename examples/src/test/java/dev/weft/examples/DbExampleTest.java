package dev.weft.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bridges.ConnectionPool;
import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.sockets.StreamServer;
import dev.weft.testkit.PostgresServer;
import java.net.URI;
import java.sql.Connection;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Seed 003: the db example against a PostgreSQL the test starts; a slow query does not hold up other requests. */
@org.junit.jupiter.api.Timeout(120)
class DbExampleTest {

    @Test
    void aSlowQueryParksOnlyItsRequest() throws Exception {
        try (PostgresServer pg = PostgresServer.start()) {
            Hub.run(() -> {
                try (ConnectionPool<Connection> pool = DbExample.pool(4, pg.url(), pg.properties())) {
                    StreamServer server = DbExample.start(0, pool);
                    String base = "http://127.0.0.1:" + server.port();
                    long start = System.nanoTime();
                    Fiber<HttpGet.Response> slow = Fiber.spawn(() -> HttpGet.get(URI.create(base + "/slow"), Duration.ofSeconds(20)));
                    Fiber.sleep(50);
                    for (int id : new int[] {7, 42, 100}) {
                        HttpGet.Response r = HttpGet.get(URI.create(base + "/items/" + id), Duration.ofSeconds(5));
                        assertEquals(200, r.status());
                        assertEquals("item " + id + " costs " + new java.math.BigDecimal(id).multiply(new java.math.BigDecimal("1.5")),
                                r.body().trim());
                    }
                    double fastDone = (System.nanoTime() - start) / 1e9;
                    assertFalse(slow.isDone(), "the slow query is still running");
                    assertTrue(fastDone < 1.9, "fast requests answered in " + fastDone + " s, while /slow waits");
                    HttpGet.Response s = slow.get(Duration.ofSeconds(20));
                    assertEquals("slowly counted 100 items", s.body().trim());
                    assertEquals(404, HttpGet.get(URI.create(base + "/items/1000"), Duration.ofSeconds(5)).status());
                    server.stop(Duration.ofSeconds(1));
                }
            });
        }
    }
}
