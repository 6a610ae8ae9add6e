package dev.weft.sockets.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.hub.sim.SimHost;
import dev.weft.hub.sim.SimSettings;
import dev.weft.hub.sim.Simulation;
import dev.weft.junit5.SimulationTest;
import dev.weft.sockets.UdpSocket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

/**
 * {@link UdpSocket} over the simulated network: with 20 % of datagrams lost and 10 % duplicated (and
 * reordered by their own latencies), 5 client hosts still get every request answered by retrying and
 * discarding stale answers; across a partition datagrams are lost, not held.
 */
@DisabledIfSystemProperty(named = "weft.hub", matches = ".+", disabledReason = "simulation: runs once, in the default pass")
class UdpUnderSimulationTest {
    static final int REQUESTS = 20;

    @SimulationTest(seeds = 50)
    void clientsGetEveryAnswerThroughLossDuplicationAndReordering(Simulation sim) throws Exception {
        sim.setDatagramFaults(0.2, 0.1);
        SimHost server = sim.host("server", "10.0.0.1");
        int[] served = {0};
        Fiber<Void> echo = sim.onHost(server, () -> Fiber.spawn(() -> {
            try (UdpSocket s = UdpSocket.bind("0.0.0.0", 53)) {
                ByteBuffer b = ByteBuffer.allocate(64);
                while (true) {
                    InetSocketAddress from = s.receive(b.clear());
                    served[0]++;
                    s.send(ByteBuffer.wrap(new byte[] {(byte) (b.get(0) + 1)}), from);
                }
            }
        }));
        SplittableRandom r = new SplittableRandom(sim.settings().seed());
        List<Fiber<Integer>> clients = new ArrayList<>();
        for (int c = 0; c < 5; c++) {
            SimHost host = sim.host("client-" + c, "10.0.1." + (c + 1));
            SplittableRandom mine = r.split();
            clients.add(sim.onHost(host, () -> Fiber.spawn(() -> ask(mine))));
        }
        int retries = 0;
        for (Fiber<Integer> c : clients) {
            retries += c.get();
        }
        echo.kill();
        assertTrue(served[0] >= 5 * REQUESTS, "served " + served[0]);
        assertTrue(retries > 0, "with 20 % loss no request was retried");
    }

    /** Asks REQUESTS numbered questions, each until its answer comes (stale and duplicate answers skipped); the retries. */
    private static int ask(SplittableRandom r) throws IOException {
        int retries = 0;
        try (UdpSocket s = UdpSocket.bind("0.0.0.0", 0)) {
            s.connect(new InetSocketAddress("10.0.0.1", 53));
            s.setTimeout(Duration.ofMillis(50));
            ByteBuffer b = ByteBuffer.allocate(64);
            for (int n = 0; n < REQUESTS; n++) {
                Fiber.sleep(r.nextInt(20));
                while (true) {
                    s.send(ByteBuffer.wrap(new byte[] {(byte) n}));
                    try {
                        while (true) {
                            s.receive(b.clear());
                            if (b.get(0) == (byte) (n + 1)) {
                                break;
                            }
                        }
                        break;
                    } catch (SocketTimeoutException lost) {
                        retries++;
                    }
                }
            }
        }
        return retries;
    }

    /** Issue 24: a simulated port has one socket, so SO_REUSEPORT (a server spread over a group's hubs) is refused, not ignored. */
    @Test
    void soReusePortIsRefusedNamingWhatToDoInstead() throws Exception {
        Simulation.prepare(SimSettings.of(1));
        List<String> refusals = Hub.run("sim", () -> {
            List<String> messages = new java.util.ArrayList<>();
            try (var udp = Hub.current().loop().poller().openDatagram(java.net.StandardProtocolFamily.INET)) {
                messages.add(assertThrows(UnsupportedOperationException.class,
                        () -> udp.setOption(java.net.StandardSocketOptions.SO_REUSEPORT, true)).getMessage());
            }
            messages.add(assertThrows(UnsupportedOperationException.class, () -> dev.weft.sockets.StreamServer
                    .builder(socket -> { }).reusePort(true).start()).getMessage());
            return messages;
        });
        for (String m : refusals) {
            assertTrue(m.startsWith("the simulation backend has no SO_REUSEPORT: a simulated port has one socket")
                    && m.endsWith("start the server on one hub (StreamServer/DatagramServer builder's start(), not"
                    + " startOn(group))"), m);
        }
    }

    @Test
    void aDatagramSentAcrossAPartitionIsLostNotHeld() throws Exception {
        Simulation sim = Simulation.prepare(SimSettings.of(1));
        String got = Hub.run("sim", () -> {
            SimHost a = sim.host("a", "10.0.0.1");
            SimHost b = sim.host("b", "10.0.0.2");
            UdpSocket receiver = sim.onHost(a, () -> UdpSocket.bind("10.0.0.1", 9));
            receiver.setTimeout(Duration.ofSeconds(5));
            sim.partition(List.of(a), List.of(b));
            sim.onHost(b, () -> Fiber.spawn(() -> {
                try (UdpSocket s = UdpSocket.bind("0.0.0.0", 0)) {
                    s.send(ByteBuffer.wrap(new byte[] {1}), new InetSocketAddress("10.0.0.1", 9));
                    sim.at(Duration.ofSeconds(1), sim::heal);
                    Fiber.sleep(Duration.ofSeconds(2));
                    s.send(ByteBuffer.wrap(new byte[] {2}), new InetSocketAddress("10.0.0.1", 9));
                }
            })).join();
            ByteBuffer buf = ByteBuffer.allocate(8);
            InetSocketAddress from = receiver.receive(buf);
            String first = buf.get(0) + " from " + from.getAddress().getHostAddress();
            assertThrows(SocketTimeoutException.class, () -> receiver.receive(buf.clear()));
            receiver.close();
            return first;
        });
        assertEquals("2 from 10.0.0.2", got);
    }
}
