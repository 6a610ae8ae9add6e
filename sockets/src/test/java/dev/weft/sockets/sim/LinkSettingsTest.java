package dev.weft.sockets.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.hub.sim.SimHost;
import dev.weft.hub.sim.Simulation;
import dev.weft.junit5.SimulationTest;
import dev.weft.sockets.StreamServer;
import dev.weft.sockets.TcpSocket;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

/**
 * Per-link network settings, measured in virtual time: a link's bandwidth serializes its segments
 * (1 MB over a 1 MB/s link takes a second; two links do not slow each other, two connections on one
 * link share it), a link's own latency (fixed, scripted to change at a virtual instant, or drawn from
 * the seed within a range), and the refusal of a negative bandwidth.
 */
@DisabledIfSystemProperty(named = "weft.hub", matches = ".+", disabledReason = "simulation: runs once, in the default pass")
class LinkSettingsTest {
    static final int MB = 1_000_000;
    static final long SECOND = 1_000_000_000L;

    /** The server: reads until the client's FIN, then answers with the count of bytes read as a long. */
    private static void countAndAnswer(TcpSocket s) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(16 * 1024);
        long total = 0;
        int n;
        while ((n = s.read(b.clear())) > 0) {
            total += n;
        }
        s.writeAll(ByteBuffer.allocate(8).putLong(0, total));
    }

    /** Sends {@code bytes} to 10.0.0.1:7000, half-closes, reads the count; the virtual time it took. */
    private static long upload(int bytes) throws IOException {
        long start = Hub.current().nanoTime();
        try (TcpSocket s = TcpSocket.connect("10.0.0.1", 7000, null)) {
            s.writeAll(ByteBuffer.allocate(bytes));
            s.shutdownOutput();
            ByteBuffer count = ByteBuffer.allocate(8);
            s.readFully(count);
            assertEquals(bytes, count.getLong(0));
        }
        return Hub.current().nanoTime() - start;
    }

    private static StreamServer counter(Simulation sim, SimHost server) throws Exception {
        return sim.onHost(server, () -> StreamServer.builder(LinkSettingsTest::countAndAnswer).bind("0.0.0.0", 7000).start());
    }

    @SimulationTest(seeds = 3)
    void oneMegabyteOverAOneMegabytePerSecondLinkTakesOneSecond(Simulation sim) throws Exception {
        SimHost server = sim.host("server", "10.0.0.1");
        SimHost client = sim.host("client", "10.0.0.2");
        sim.setBandwidth(List.of(server), List.of(client), MB);
        StreamServer srv = counter(sim, server);
        long took = sim.onHost(client, () -> Fiber.spawn(() -> upload(MB))).get();
        // 1 s of serialization, plus the handshake's and the answer's latencies and the window's pauses
        assertTrue(took >= SECOND && took < SECOND + 20_000_000L, "1 MB at 1 MB/s took " + took + " ns");
        srv.stop(Duration.ofSeconds(1));
    }

    @SimulationTest(seeds = 3)
    void twoLinksDoNotSlowEachOtherButTwoConnectionsOnOneLinkShareIt(Simulation sim) throws Exception {
        SimHost server = sim.host("server", "10.0.0.1");
        SimHost a = sim.host("a", "10.0.0.2");
        SimHost b = sim.host("b", "10.0.0.3");
        sim.setBandwidth(List.of(server), List.of(a, b), MB);
        StreamServer srv = counter(sim, server);
        // one upload from each of a and b at once: each has its own link, each takes about 1 s
        List<Fiber<Long>> apart = List.of(sim.onHost(a, () -> Fiber.spawn(() -> upload(MB))),
                sim.onHost(b, () -> Fiber.spawn(() -> upload(MB))));
        for (Fiber<Long> f : apart) {
            long took = f.get();
            assertTrue(took >= SECOND && took < SECOND + 20_000_000L, "1 MB on its own link took " + took + " ns");
        }
        // two uploads from a at once: they share a's link, 2 MB at 1 MB/s, the last ends after about 2 s
        long start = Hub.current().nanoTime();
        List<Fiber<Long>> shared = List.of(sim.onHost(a, () -> Fiber.spawn(() -> upload(MB))),
                sim.onHost(a, () -> Fiber.spawn(() -> upload(MB))));
        long last = 0;
        for (Fiber<Long> f : shared) {
            f.get();
            last = Math.max(last, Hub.current().nanoTime() - start);
        }
        assertTrue(last >= 2 * SECOND && last < 2 * SECOND + 40_000_000L, "2 x 1 MB on one link took " + last + " ns");
        srv.stop(Duration.ofSeconds(1));
    }

    /** One byte to the echo server and back on an open connection: the virtual round-trip time. */
    private static long roundTrip(TcpSocket s) throws IOException {
        long start = Hub.current().nanoTime();
        s.writeAll(new byte[] {1});
        s.readFully(new byte[1]);
        return Hub.current().nanoTime() - start;
    }

    @SimulationTest(seeds = 3)
    void eachLinkHasItsOwnLatencyAndAScriptChangesIt(Simulation sim) throws Exception {
        SimHost server = sim.host("server", "10.0.0.1");
        SimHost far = sim.host("far", "10.0.0.2");
        SimHost near = sim.host("near", "10.0.0.3");
        sim.setLatency(List.of(server), List.of(far), Duration.ofMillis(50), Duration.ofMillis(50));
        sim.at(Duration.ofSeconds(10), () -> sim.setLatency(List.of(server), List.of(far), Duration.ofMillis(200),
                Duration.ofMillis(200)));
        StreamServer srv = sim.onHost(server, () -> StreamServer.builder(HostsAndPartitionsTest::echo).bind("0.0.0.0", 7000).start());
        long[] rtt = sim.onHost(far, () -> Fiber.spawn(() -> {
            try (TcpSocket s = TcpSocket.connect("10.0.0.1", 7000, null)) {
                long before = roundTrip(s);
                Fiber.sleep(Duration.ofSeconds(20));
                return new long[] {before, roundTrip(s)};
            }
        })).get();
        long nearRtt = sim.onHost(near, () -> Fiber.spawn(() -> {
            try (TcpSocket s = TcpSocket.connect("10.0.0.1", 7000, null)) {
                return roundTrip(s);
            }
        })).get();
        assertTrue(rtt[0] >= 100_000_000L && rtt[0] < 101_000_000L, "far, 2 x 50 ms: " + rtt[0] + " ns");
        assertTrue(rtt[1] >= 400_000_000L && rtt[1] < 401_000_000L, "far after the script, 2 x 200 ms: " + rtt[1] + " ns");
        assertTrue(nearRtt >= 200_000L && nearRtt < 1_000_000L, "near, the default 100-150 µs each way: " + nearRtt + " ns");
        srv.stop(Duration.ofSeconds(1));
    }

    /**
     * Latency range and bandwidth drawn from the seed for each of 4 client links; each client's
     * round-trip times stay within its link's range, an upload takes its serialization time plus a
     * few latencies, and the same seed gives the same run (the determinism check).
     */
    @SimulationTest(seeds = 20, checkDeterminism = true)
    void linkSettingsDrawnFromTheSeedHoldForEachLink(Simulation sim) throws Exception {
        SplittableRandom r = new SplittableRandom(sim.settings().seed());
        SimHost server = sim.host("server", "10.0.0.1");
        StreamServer echo = sim.onHost(server, () -> StreamServer.builder(LinkSettingsTest::echoOrCount).bind("0.0.0.0", 7000).start());
        List<Fiber<String>> running = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            SimHost c = sim.host("c" + i, "10.0.1." + (i + 1));
            long min = 1 + r.nextInt(50);
            long max = min + r.nextInt(50);
            long bandwidth = 100_000L * (1 + r.nextInt(20));
            sim.setLatency(List.of(server), List.of(c), Duration.ofMillis(min), Duration.ofMillis(max));
            sim.setBandwidth(List.of(server), List.of(c), bandwidth);
            running.add(sim.onHost(c, () -> Fiber.spawn(() -> {
                try (TcpSocket s = TcpSocket.connect("10.0.0.1", 7000, null)) {
                    for (int k = 0; k < 10; k++) {
                        long rtt = roundTrip(s);
                        // 1 byte each way: its serialization (up to 10 µs) plus two latencies
                        assertTrue(rtt >= 2 * min * 1_000_000L && rtt <= 2 * max * 1_000_000L + 100_000L,
                                "rtt " + rtt + " ns outside 2 x [" + min + ", " + max + "] ms");
                    }
                    int bytes = 50_000 + r.nextInt(200_000);
                    long start = Hub.current().nanoTime();
                    s.writeAll(ByteBuffer.allocate(1 + 4).put((byte) 2).putInt(bytes).flip());
                    s.writeAll(ByteBuffer.allocate(bytes));
                    ByteBuffer count = ByteBuffer.allocate(4);
                    s.readFully(count);
                    long took = Hub.current().nanoTime() - start;
                    long serialization = (bytes + 5) * SECOND / bandwidth;
                    assertEquals(bytes, count.getInt(0));
                    assertTrue(took >= serialization + 2 * min * 1_000_000L, "upload " + took + " ns < " + serialization);
                    // a 64 KiB window pauses the sender one round trip per window
                    long windows = bytes / (64 * 1024) + 2;
                    assertTrue(took <= serialization + windows * 2 * max * 1_000_000L + 10_000_000L,
                            "upload of " + bytes + " B at " + bandwidth + " B/s took " + took + " ns");
                    return "c" + took;
                }
            })));
        }
        for (Fiber<String> f : running) {
            f.get();
        }
        echo.stop(Duration.ofSeconds(1));
    }

    /** Echoes a byte 1; after a byte 2 and a length, reads that many bytes and answers the count. */
    private static void echoOrCount(TcpSocket s) throws IOException {
        ByteBuffer one = ByteBuffer.allocate(1);
        while (s.read(one.clear()) > 0) {
            if (one.get(0) == 1) {
                s.writeAll(one.flip());
                continue;
            }
            ByteBuffer len = ByteBuffer.allocate(4);
            s.readFully(len);
            s.readFully(ByteBuffer.allocate(len.getInt(0)));
            s.writeAll(len.flip());
        }
    }

    @SimulationTest(seeds = 1)
    void aNegativeBandwidthOrLatencyIsRefusedNamingIt(Simulation sim) {
        SimHost a = sim.host("a", "10.0.0.1");
        SimHost b = sim.host("b", "10.0.0.2");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> sim.setBandwidth(List.of(a), List.of(b), -1));
        assertEquals("bandwidth is bytes per second >= 0 (0: unlimited); got -1", e.getMessage());
        IllegalArgumentException l = assertThrows(IllegalArgumentException.class,
                () -> sim.setLatency(List.of(a), List.of(b), Duration.ofMillis(5), Duration.ofMillis(1)));
        assertEquals("latency needs 0 <= min <= max; got 5000000, 1000000", l.getMessage());
    }
}
