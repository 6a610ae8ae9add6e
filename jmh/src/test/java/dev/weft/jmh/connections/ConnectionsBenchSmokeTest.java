package dev.weft.jmh.connections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@code ./weft bench connections} harness at a small count: a server JVM and two client JVMs,
 * 300 connections from two source addresses (150 each), one verified echo on each, every one
 * closed and seen closed by the server. Checks the harness, not performance. Runs on the backend
 * {@code -Dweft.hub} names (the default selection, and nio in the backend suite).
 */
class ConnectionsBenchSmokeTest {
    private static final int COUNT = 300;

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void opensEchoesOnAndClosesEveryConnection() throws Exception {
        String hub = System.getProperty("weft.hub", "");
        // Named, not "default": the default selection logs which backend it chose (not quiet).
        String backend = hub.isBlank() ? dev.weft.hub.Backends.available().get(0).name() : hub;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        ConnectionsBench.out = new PrintStream(log, true, StandardCharsets.UTF_8);
        try {
            Settings s = new Settings(COUNT, List.of(backend), 2, 60, 64, 150, 32, 64, 1, null);
            ConnectionsResult r = ConnectionsBench.run(s, backend, ConnectionsBench.hardDescriptorLimit());
            String report = r.failure + "\n" + log.toString(StandardCharsets.UTF_8) + r.table();
            assertTrue(r.ok(), () -> "the run failed: " + report);
            assertEquals(COUNT, r.count, report);
            assertEquals(COUNT, r.echoed, report);
            assertEquals(2, r.clients, report);
            assertTrue(r.fdsOpen >= r.fdsBaseline + COUNT, () -> "the server should hold a descriptor per connection: " + report);
            assertTrue(r.fdsAfterClose <= r.fdsBaseline + 5, () -> "descriptors left open after close: " + report);
            assertTrue(r.heapOpen > r.heapBaseline, () -> "300 connections should take heap: " + report);
            long fibers = r.histogram.stream().filter(g -> g.className().equals("dev.weft.fibers.Fiber"))
                    .mapToLong(ClassHistogram.Growth::instances).sum();
            assertTrue(fibers >= COUNT, () -> "the class histogram should show a Fiber per connection, not " + fibers
                    + ": " + report);
        } finally {
            ConnectionsBench.out = System.out;
        }
    }
}
