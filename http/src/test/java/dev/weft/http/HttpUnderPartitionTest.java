package dev.weft.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.hub.sim.SimHost;
import dev.weft.hub.sim.Simulation;
import dev.weft.junit5.SimulationTest;
import dev.weft.testkit.LogCapture;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

/**
 * The HTTP server on its own simulated host (10.0.0.1:8080), 8 keep-alive clients on 8 other hosts,
 * each reading with a 3 s timeout; mid-conversation a partition separates a random set of clients
 * from the server for 1 to 10 s, then heals. The invariant: every request is answered with its own
 * body, or its client sees a clear error ({@link SocketTimeoutException}, a reset, the server's close)
 * and asks again on a new connection ({@link NumberedRequests}), so in the end every request is answered; the server handled
 * each answered request (a retried GET may be handled twice, never answered with another request's
 * body); nothing escapes to the hub, nothing is logged above INFO, and nothing hangs (a limit of
 * 10 virtual minutes). Over the seeds both the quiet and the erroring paths run (checked after all).
 */
@DisabledIfSystemProperty(named = "weft.hub", matches = ".+", disabledReason = "simulation: runs once, in the default pass")
class HttpUnderPartitionTest {
    static final int CLIENTS = 8;
    static final int REQUESTS = 10;
    static int runs;
    static int errorsSeen;
    static int runsWithoutError;

    @BeforeAll
    static void resetCounts() {
        runs = 0;
        errorsSeen = 0;
        runsWithoutError = 0;
    }

    @AfterAll
    static void bothPathsRan() {
        if (runs < 20) {
            return; // too few seeds to expect both (a replay of one seed, ./weft stress --sim --seeds 5)
        }
        assertTrue(errorsSeen > 0 && runsWithoutError > 0, "errors seen by clients over the seeds: " + errorsSeen
                + ", runs without any: " + runsWithoutError);
    }

    @SimulationTest(seeds = 40, limitSeconds = 600)
    void everyRequestIsAnsweredOrItsClientSeesAnErrorAcrossAPartition(Simulation sim) throws Exception {
        runs++;
        SplittableRandom r = new SplittableRandom(sim.settings().seed());
        List<Throwable> uncaught = new ArrayList<>();
        Hub.current().setUncaughtExceptionHandler((f, t) -> uncaught.add(t));
        try (LogCapture log = LogCapture.of("dev.weft.http")) {
            SimHost serverHost = sim.host("server", "10.0.0.1");
            Map<String, Integer> handled = new HashMap<>();
            WeftHttpServer server = sim.onHost(serverHost, () -> {
                WeftHttpServer s = WeftHttpServer.create(new InetSocketAddress("10.0.0.1", 8080), 0);
                s.createContext("/n", ex -> {
                    String q = ex.getRequestURI().getQuery();
                    handled.merge(q, 1, Integer::sum);
                    byte[] b = q.getBytes(StandardCharsets.US_ASCII);
                    ex.sendResponseHeaders(200, b.length);
                    try (OutputStream out = ex.getResponseBody()) {
                        out.write(b);
                    }
                });
                s.start();
                return s;
            });
            List<SimHost> clients = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                clients.add(sim.host("c" + i, "10.0.1." + (i + 1)));
            }
            List<SimHost> cut = clients.stream().filter(h -> r.nextBoolean()).toList();
            long from = r.nextInt(3_000);
            sim.at(Duration.ofMillis(from), () -> sim.partition(List.of(serverHost), cut));
            sim.at(Duration.ofMillis(from + 1_000 + r.nextInt(9_000)), sim::heal);
            List<Fiber<List<String>>> running = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                int id = i;
                SplittableRandom mine = r.split();
                running.add(sim.onHost(clients.get(i), () -> Fiber.spawn(
                        () -> NumberedRequests.send("10.0.0.1", 8080, Duration.ofSeconds(3), id, REQUESTS, mine).errors())));
            }
            List<String> errors = new ArrayList<>();
            for (Fiber<List<String>> f : running) {
                errors.addAll(f.get()); // each returns after every one of its requests was answered
            }
            for (int c = 0; c < CLIENTS; c++) {
                for (int n = 0; n < REQUESTS; n++) {
                    assertTrue(handled.getOrDefault(c + "-" + n, 0) >= 1, "request " + c + "-" + n + " answered but not handled");
                }
            }
            for (String e : errors) {
                assertTrue(e.startsWith("SocketTimeoutException: ") || e.contains("reset") || e.contains("closed the connection")
                        || e.startsWith("ConnectException: "), "an unclear error: " + e);
            }
            if (errors.isEmpty()) {
                runsWithoutError++;
            }
            errorsSeen += errors.size();
            server.stop(1);
            assertEquals(List.of(), log.messages(Level.WARNING));
        }
        assertEquals(List.of(), uncaught, "nothing escaped to the hub");
    }
}
