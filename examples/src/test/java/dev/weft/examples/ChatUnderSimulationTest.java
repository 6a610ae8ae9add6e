package dev.weft.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Event;
import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.hub.sim.Simulation;
import dev.weft.junit5.SimulationTest;
import dev.weft.sockets.StreamServer;
import dev.weft.sockets.TcpSocket;
import dev.weft.testkit.LogCapture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.logging.Level;

/**
 * The chat server ({@link ChatServer}) under simulation: 8 members chat in a room while the network
 * resets every connection at random instants (each member reconnects, takes its name again and
 * rejoins); then every member, rejoined, says a last line, and every member hears all 8 last lines.
 * Nothing escapes to the hub, the server logs nothing above INFO (a reset is one INFO line), and it
 * stops with no connection left.
 */
class ChatUnderSimulationTest {
    static final int MEMBERS = 8;

    @SimulationTest(seeds = 50)
    void everyMemberHearsEveryLastLineAfterResets(Simulation sim) throws Exception {
        SplittableRandom r = new SplittableRandom(sim.settings().seed());
        List<Throwable> uncaught = new ArrayList<>();
        Hub.current().setUncaughtExceptionHandler((f, t) -> uncaught.add(t));
        try (LogCapture log = LogCapture.of("dev.weft.examples")) {
            StreamServer server = ChatServer.start(0);
            for (int i = 0; i < 3; i++) {
                sim.at(Duration.ofMillis(20 + r.nextInt(800)), sim::resetAll);
            }
            long lastRound = Hub.current().nanoTime() + Duration.ofSeconds(2).toNanos(); // after every reset
            int[] joined = {0};
            Event allJoined = new Event();
            List<Fiber<TreeSet<String>>> members = new ArrayList<>();
            for (int i = 0; i < MEMBERS; i++) {
                String name = "m" + i;
                SplittableRandom mine = r.split();
                members.add(Fiber.spawn(() -> member(server.port(), name, mine, lastRound, joined, allJoined)));
            }
            for (Fiber<TreeSet<String>> m : members) {
                assertEquals(MEMBERS, m.get().size(), m + " heard " + m.get());
            }
            server.stop(Duration.ofSeconds(5));
            assertEquals(0, server.connections());
            assertEquals(List.of(), log.messages(Level.WARNING));
        }
        assertEquals(List.of(), uncaught, "nothing escaped to the hub");
    }

    /** A member: chats through the resets, then says its last line and returns the last lines it heard. */
    private static TreeSet<String> member(int port, String name, SplittableRandom r, long lastRound, int[] joined,
                                          Event allJoined) throws Exception {
        for (int k = 0; k < 5; k++) { // phase 1: talk while connections are reset
            Fiber.sleep(r.nextInt(200));
            try (TcpSocket s = join(port, name)) {
                send(s, "SAY room line " + k + " of " + name);
            } catch (IOException reset) {
                // a reset: the next line goes over a new connection
            }
        }
        Fiber.sleep(Duration.ofNanos(Math.max(0, lastRound - Hub.current().nanoTime())));
        try (TcpSocket s = join(port, name)) {
            if (++joined[0] == MEMBERS) {
                allJoined.set();
            }
            allJoined.await();
            send(s, "SAY room last from " + name);
            LineReader in = new LineReader(s);
            TreeSet<String> heard = new TreeSet<>();
            while (heard.size() < MEMBERS) {
                String line = in.readLine();
                assertTrue(line != null, name + " lost its connection after " + heard);
                if (line.startsWith("[room] ") && line.contains(": last from ")) {
                    heard.add(line);
                }
            }
            send(s, "QUIT");
            return heard;
        }
    }

    /** Connects, takes {@code name}, joins the room and waits until the server says so. */
    private static TcpSocket join(int port, String name) throws IOException {
        TcpSocket s = TcpSocket.connect("127.0.0.1", port, Duration.ofSeconds(5));
        try {
            send(s, "NICK " + name);
            send(s, "JOIN room");
            LineReader in = new LineReader(s);
            for (String line; (line = in.readLine()) != null; ) {
                if (line.equals("* " + name + " joined room")) {
                    return s;
                }
            }
            throw new IOException("the server closed the connection before " + name + " joined");
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private static void send(TcpSocket s, String line) throws IOException {
        s.writeAll((line + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
