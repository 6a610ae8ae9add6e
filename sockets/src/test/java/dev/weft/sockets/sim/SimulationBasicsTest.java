package dev.weft.sockets.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.BlockedForeverException;
import dev.weft.fibers.Fiber;
import dev.weft.fibers.FiberTimeoutException;
import dev.weft.fibers.Hub;
import dev.weft.fibers.SharedQueue;
import dev.weft.fibers.Timeout;
import dev.weft.hub.sim.SimSettings;
import dev.weft.hub.sim.Simulation;
import dev.weft.hub.sim.SimulationException;
import dev.weft.sockets.StreamServer;
import dev.weft.sockets.TcpSocket;
import dev.weft.sockets.ThreadPool;
import dev.weft.testkit.LogCapture;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

/**
 * The sim backend's contract, one run each: virtual time (an hour of sleep is one clock jump;
 * timeouts and deadlines follow it), the simulated network (echo, refused connects, scripted resets),
 * offload as a simulated event, and the loud refusals (a real thread's input, a name lookup, a
 * deadlock reported instead of a hang). Runs once, in the default backend pass.
 */
@DisabledIfSystemProperty(named = "weft.hub", matches = ".+", disabledReason = "simulation: runs once, in the default pass")
class SimulationBasicsTest {
    private static <T> T simulate(Simulation sim, Callable<T> main) throws Exception {
        return Hub.run("sim", main);
    }

    @Test
    void anHourOfSleepIsOneJumpOfVirtualTime() throws Exception {
        Simulation sim = Simulation.prepare(SimSettings.of(1));
        long took = simulate(sim, () -> {
            long start = Hub.current().nanoTime();
            Fiber.sleep(Duration.ofHours(1));
            return Hub.current().nanoTime() - start;
        });
        assertTrue(took >= 3_600_000_000_000L && took < 3_600_000_100_000L, "slept " + took + " ns of virtual time");
        assertEquals(1, sim.jumps());
        assertEquals("sim", Hub.run("sim", () -> Hub.current().backendName()));
    }

    @Test
    void aSharedQueuesTimedPollAndOfferExpireAtTheirVirtualDeadlines() throws Exception {
        Simulation sim = Simulation.prepare(SimSettings.of(3));
        long[] took = simulate(sim, () -> {
            SharedQueue<String> queue = new SharedQueue<>(1);
            long start = Hub.current().nanoTime();
            assertEquals(null, queue.poll(Duration.ofMinutes(10)));
            long polled = Hub.current().nanoTime() - start;
            queue.put("full");
            start = Hub.current().nanoTime();
            assertEquals(false, queue.offer("more", Duration.ofMinutes(5)));
            return new long[] {polled, Hub.current().nanoTime() - start};
        });
        assertTrue(took[0] >= 600_000_000_000L && took[0] < 600_000_100_000L, "poll gave up after " + took[0] + " ns");
        assertTrue(took[1] >= 300_000_000_000L && took[1] < 300_000_100_000L, "offer gave up after " + took[1] + " ns");
    }

    @Test
    void aTimeoutExpiresAtItsVirtualDeadline() throws Exception {
        Simulation sim = Simulation.prepare(SimSettings.of(2));
        long[] at = new long[1];
        simulate(sim, () -> {
            long start = Hub.current().nanoTime();
            try (Timeout t = Timeout.after(Duration.ofSeconds(10))) {
                Fiber.sleep(Duration.ofDays(1));
            } catch (FiberTimeoutException expected) {
                at[0] = Hub.current().nanoTime() - start;
            }
            return null;
        });
        assertTrue(at[0] >= 10_000_000_000L && at[0] < 10_000_100_000L, "timed out after " + at[0] + " ns");
        assertEquals(1_893_456_010_000L / 1000, Hub.run("sim", () -> {
            Fiber.sleep(Duration.ofSeconds(10));
            return Hub.current().currentTimeMillis() / 1000; // the wall clock starts at 2030-01-01T00:00Z
        }));
    }

    @Test
    void clientsEchoOverTheSimulatedNetwork() throws Exception {
        Simulation sim = Simulation.prepare(SimSettings.of(3));
        int echoed = simulate(sim, () -> {
            StreamServer server = StreamServer.builder(SimulationBasicsTest::echo).bind("127.0.0.1", 0).start();
            List<Fiber<Integer>> clients = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                int n = i;
                clients.add(Fiber.spawn(() -> {
                    try (TcpSocket s = TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5))) {
                        byte[] msg = new byte[1000 + n * 10_000];
                        java.util.Arrays.fill(msg, (byte) n);
                        s.writeAll(msg);
                        byte[] back = new byte[msg.length];
                        s.readFully(back);
                        assertTrue(java.util.Arrays.equals(msg, back), "echo " + n + " differs");
                        return msg.length;
                    }
                }));
            }
            int total = 0;
            for (Fiber<Integer> c : clients) {
                total += c.get();
            }
            server.stop(Duration.ofSeconds(1));
            return total;
        });
        assertEquals(10 * 1000 + 45 * 10_000, echoed);
        assertTrue(sim.deliveries() > 20, "deliveries: " + sim.deliveries());
    }

    @Test
    void aConnectToAPortNobodyListensOnIsRefused() {
        Simulation.prepare(SimSettings.of(4));
        ConnectException e = assertThrows(ConnectException.class, () -> Hub.run("sim",
                () -> TcpSocket.connect("127.0.0.1", 7, Duration.ofSeconds(5))));
        assertEquals("Connection refused: 127.0.0.1:7", e.getMessage());
    }

    @Test
    void aScriptedResetReachesBothEnds() throws Exception {
        Simulation sim = Simulation.prepare(SimSettings.of(5));
        String got = simulate(sim, () -> {
            StreamServer server = StreamServer.builder(SimulationBasicsTest::echo).bind("127.0.0.1", 0).start();
            sim.at(Duration.ofSeconds(3), sim::resetAll);
            try (TcpSocket s = TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5))) {
                s.writeAll("hello".getBytes(StandardCharsets.US_ASCII));
                byte[] back = new byte[5];
                s.readFully(back);
                try {
                    s.read(ByteBuffer.allocate(10)); // nothing more comes: the reset at t=3 s ends it
                    return "no reset";
                } catch (SocketException reset) {
                    return new String(back, StandardCharsets.US_ASCII) + " then " + reset.getMessage() + " at "
                            + sim.elapsed().substring(0, 4);
                }
            } finally {
                server.stop(Duration.ofSeconds(1));
            }
        });
        assertEquals("hello then Connection reset at 3.00", got);
    }

    @Test
    void offloadRunsAsASimulatedEventOnTheHubThread() throws Exception {
        Simulation sim = Simulation.prepare(SimSettings.of(6));
        String where = simulate(sim, () -> {
            Thread hub = Thread.currentThread();
            long start = Hub.current().nanoTime();
            Thread ran = ThreadPool.offload(Thread::currentThread);
            return (ran == hub) + " after " + (Hub.current().nanoTime() - start) / 1000 + " us";
        });
        assertTrue(where.startsWith("true after 5"), where);
    }

    @Test
    void aNameLookupIsRefusedNotMadeForReal() {
        Simulation.prepare(SimSettings.of(7));
        UnknownHostException e = assertThrows(UnknownHostException.class, () -> Hub.run("sim",
                () -> TcpSocket.connect("example.org", 80, Duration.ofSeconds(5))));
        assertTrue(e.getMessage().contains("resolves no names"), e.getMessage());
    }

    @Test
    void theServersIdleLimitEndsASilentConnectionInVirtualTime() throws Exception {
        Simulation sim = Simulation.prepare(SimSettings.of(10));
        int read = simulate(sim, () -> {
            StreamServer server = StreamServer.builder(s -> s.read(ByteBuffer.allocate(10))).bind("127.0.0.1", 0).start();
            try (TcpSocket s = TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5))) {
                return s.read(ByteBuffer.allocate(10));
            }
        });
        assertEquals(-1, read);
        assertEquals("300.0", sim.elapsed().substring(0, 5)); // StreamServer's default idle limit: 300 s
    }

    @Test
    void aDeadlockIsReportedInsteadOfWaitingForever() {
        Simulation.prepare(SimSettings.of(8));
        // both ends read, nobody writes, no idle limit: no timer, no delivery can ever wake them
        try (LogCapture log = LogCapture.of("dev.weft.fibers")) {
            BlockedForeverException e = assertThrows(BlockedForeverException.class, () -> Hub.run("sim", () -> {
                StreamServer server = StreamServer.builder(s -> s.read(ByteBuffer.allocate(10))).idleTimeout(null)
                        .bind("127.0.0.1", 0).start();
                try (TcpSocket s = TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5))) {
                    return s.read(ByteBuffer.allocate(10));
                }
            }));
            assertTrue(e.getMessage().contains("would wait forever"), e.getMessage());
            // the server's two fibers (accept, connection) are failed the same way, and nobody joined them
            assertEquals(2, log.warnings().stream().filter(m -> m.contains("BlockedForeverException")).count(),
                    String.valueOf(log.warnings()));
        }
    }

    @Test
    void aTaskFromARealThreadIsRefusedAndFailsTheRun() {
        Simulation sim = Simulation.prepare(SimSettings.of(9));
        AtomicReference<Throwable> refused = new AtomicReference<>();
        SimulationException e = assertThrows(SimulationException.class, () -> Hub.run("sim", () -> {
            Hub hub = Hub.current();
            Thread real = new Thread(() -> {
                try {
                    hub.execute(() -> { });
                } catch (RejectedExecutionException r) {
                    refused.set(r);
                }
            }, "a real thread");
            real.start();
            real.join();
            Fiber.yield();
            return null;
        }));
        assertTrue(e.getMessage().startsWith("nondeterministic input: thread 'a real thread' handed a task"),
                e.getMessage());
        assertTrue(refused.get() instanceof RejectedExecutionException, String.valueOf(refused.get()));
        assertEquals(e, sim.failure());
    }

    @Test
    void theSameSeedGivesTheSameTraceAndAnotherSeedAnother() throws Exception {
        long a1 = traceOf(11);
        long a2 = traceOf(11);
        long b = traceOf(12);
        assertEquals(a1, a2);
        assertNotEquals(a1, b);
    }

    private static long traceOf(long seed) throws Exception {
        Simulation sim = Simulation.prepare(SimSettings.of(seed));
        Hub.run("sim", () -> {
            List<Fiber<Void>> fs = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                fs.add(Fiber.spawn(() -> {
                    for (int j = 0; j < 10; j++) {
                        Fiber.yield();
                    }
                }));
            }
            Fiber.joinAll(fs, null);
            return null;
        });
        return sim.trace().hash();
    }

    static void echo(TcpSocket socket) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(8192);
        try {
            while (socket.read(buf.clear()) > 0) {
                socket.writeAll(buf.flip());
            }
        } catch (SocketException reset) {
            // a scripted reset
        }
    }
}
