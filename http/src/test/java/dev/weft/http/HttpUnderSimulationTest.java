package dev.weft.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.hub.sim.Simulation;
import dev.weft.junit5.SimulationTest;
import dev.weft.sockets.TcpSocket;
import java.io.IOException;
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
 * whose connection was reset reconnects and asks again. Every request is answered, the {@code Date}
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
            clients.add(Fiber.spawn(() -> requests(port, id, mine)));
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

    /** Sends REQUESTS numbered requests over keep-alive connections, reconnecting after a reset; the Date headers. */
    private static List<String> requests(int port, int id, SplittableRandom r) throws Exception {
        List<String> dates = new ArrayList<>();
        TcpSocket s = null;
        RawResponse.Reader reader = null;
        for (int n = 0; n < REQUESTS; ) {
            Fiber.sleep(r.nextInt(1_000));
            try {
                if (s == null) {
                    s = TcpSocket.connect("127.0.0.1", port, Duration.ofSeconds(5));
                    s.setTimeout(Duration.ofSeconds(10));
                    reader = new RawResponse.Reader(s);
                }
                String q = id + "-" + n;
                s.writeAll(("GET /n?" + q + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                RawResponse answer = reader.next();
                if (answer == null) {
                    throw new IOException("the server closed the connection (its idle limit)");
                }
                assertEquals(200, answer.status());
                assertEquals(q, answer.body());
                dates.add(answer.header("Date"));
                n++;
            } catch (IOException reset) {
                if (s != null) {
                    s.close();
                    s = null;
                }
            }
        }
        if (s != null) {
            s.close();
        }
        return dates;
    }
}
