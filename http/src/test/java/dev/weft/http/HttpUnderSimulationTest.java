package dev.weft.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.hub.sim.Simulation;
import dev.weft.junit5.SimulationTest;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

/**
 * The HTTP server under simulation: 20 keep-alive clients on the same simulated hub send requests at
 * random virtual moments while the network resets every connection at random instants; a client
 * whose connection was reset reconnects and asks again ({@link NumberedRequests}). Every request is answered, the {@code Date}
 * header is the simulation's wall clock (it starts at 2030-01-01T00:00Z), nothing escapes to the hub,
 * and the server stops with no connection left.
 */
@DisabledIfSystemProperty(named = "weft.hub", matches = ".+", disabledReason = "simulation: runs once, in the default pass")
class HttpUnderSimulationTest {
    static final int CLIENTS = 20;
    static final int REQUESTS = 10;

    @SimulationTest(seeds = 60)
    void everyRequestIsAnsweredThroughResets(Simulation sim) throws Exception {
        SplittableRandom r = new SplittableRandom(sim.settings().seed());
        List<Throwable> uncaught = new ArrayList<>();
        Hub.current().setUncaughtExceptionHandler((f, t) -> uncaught.add(t));
        WeftHttpServer server = WeftHttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/n", ex -> {
            byte[] b = ex.getRequestURI().getQuery().getBytes(StandardCharsets.US_ASCII);
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(b);
            }
        });
        server.start();
        for (int i = 0; i < 3; i++) {
            sim.at(Duration.ofMillis(100 + r.nextInt(5_000)), sim::resetAll);
        }
        int port = server.getAddress().getPort();
        List<Fiber<List<String>>> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            SplittableRandom mine = r.split();
            int id = c;
            clients.add(Fiber.spawn(() -> NumberedRequests.send("127.0.0.1", port, Duration.ofSeconds(10), id, REQUESTS, mine).dates()));
        }
        List<String> dates = new ArrayList<>();
        for (Fiber<List<String>> c : clients) {
            dates.addAll(c.get());
        }
        assertEquals(CLIENTS * REQUESTS, dates.size());
        for (String date : dates) {
            assertTrue(date.startsWith("Tue, 01 Jan 2030 00:00:"), date);
        }
        server.stop(0);
        assertEquals(List.of(), uncaught, "nothing escaped to the hub");
    }
}
