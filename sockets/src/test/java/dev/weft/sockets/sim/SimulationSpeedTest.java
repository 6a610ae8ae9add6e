package dev.weft.sockets.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.fibers.Queue;
import dev.weft.hub.sim.SimSettings;
import dev.weft.hub.sim.Simulation;
import dev.weft.sockets.StreamServer;
import dev.weft.sockets.TcpSocket;
import dev.weft.testkit.Measurements;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

/**
 * The speed scenario, checked for what it does (every round trip and wake-up happened, in an
 * hour of virtual time); its wall time is recorded in {@code target/measurements.txt}, not asserted (a
 * figure, measured under {@code quiet} for the README): one simulated hour of 1,000 fibers sleeping
 * 0.1-10 s in a loop (every 4th wake-up hands an item through a queue) and 100 connections to an echo
 * server, each sending 100 bytes and reading the echo once a second.
 */
@DisabledIfSystemProperty(named = "weft.hub", matches = ".+", disabledReason = "simulation: runs once, in the default pass")
class SimulationSpeedTest {
    static final int TIMER_FIBERS = 1_000;
    static final int CONNECTIONS = 100;
    static final long HOUR_NANOS = 3_600_000_000_000L;

    @Test
    void anHourOfAThousandTimerFibersAndAHundredConnections() throws Exception {
        int rounds = Integer.getInteger("weft.sim.speedRounds", 1);
        for (int round = 1; round <= rounds; round++) {
            for (SimSettings.Policy policy : List.of(SimSettings.Policy.RANDOM, SimSettings.Policy.FIFO)) {
                Simulation sim = Simulation.prepare(SimSettings.of(42).withPolicy(policy));
                long wall = System.nanoTime();
                long[] counts = Hub.run("sim", () -> hour(sim));
                long tookNanos = System.nanoTime() - wall;
                assertEquals(CONNECTIONS * 3_600L, counts[0], "round trips");
                assertTrue(counts[1] > 700_000, "timer wake-ups: " + counts[1]);
                assertTrue(sim.elapsedNanos() >= HOUR_NANOS, sim.elapsed());
                long decisions = sim.trace().decisions();
                Measurements.record("simulation speed round " + round + " " + policy + ": 1 h virtual, " + TIMER_FIBERS
                        + " timer fibers (" + counts[1] + " wake-ups), " + CONNECTIONS + " connections (" + counts[0]
                        + " round trips), " + decisions + " decisions, " + sim.deliveries() + " deliveries in "
                        + tookNanos / 1_000_000 + " ms wall: " + decisions * 1_000_000_000L / tookNanos
                        + " decisions/s, trace " + Long.toHexString(sim.trace().hash()));
            }
        }
    }

    private static long[] hour(Simulation sim) throws Exception {
        Hub hub = Hub.current();
        long end = hub.nanoTime() + HOUR_NANOS;
        SplittableRandom r = new SplittableRandom(sim.settings().seed());
        long[] counts = new long[2];
        Queue<Integer> handOff = new Queue<>();
        List<Fiber<?>> fibers = new ArrayList<>();
        fibers.add(Fiber.spawn(() -> {
            while (true) {
                handOff.get();
            }
        }));
        for (int i = 0; i < TIMER_FIBERS; i++) {
            SplittableRandom mine = r.split();
            fibers.add(Fiber.spawn(() -> {
                for (int n = 1; hub.nanoTime() < end; n++) {
                    Fiber.sleep(100 + mine.nextInt(9_900));
                    counts[1]++;
                    if (n % 4 == 0) {
                        handOff.put(n);
                    }
                }
            }));
        }
        StreamServer server = StreamServer.builder(SimulationSpeedTest::echo).bind("127.0.0.1", 0).start();
        List<Fiber<Void>> clients = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS; i++) {
            clients.add(Fiber.spawn(() -> {
                byte[] msg = new byte[100];
                byte[] back = new byte[100];
                try (TcpSocket s = TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5))) {
                    for (int n = 0; n < 3_600; n++) {
                        s.writeAll(msg);
                        s.readFully(back);
                        counts[0]++;
                        Fiber.sleep(1_000);
                    }
                }
            }));
        }
        Fiber.joinAll(clients, null);
        for (int i = 1; i < fibers.size(); i++) {
            fibers.get(i).join();
        }
        fibers.get(0).kill();
        server.stop(Duration.ofSeconds(1));
        return counts;
    }

    private static void echo(TcpSocket socket) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(1024);
        while (socket.read(buf.clear()) > 0) {
            socket.writeAll(buf.flip());
        }
    }
}
