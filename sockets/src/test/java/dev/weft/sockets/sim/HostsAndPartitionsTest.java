package dev.weft.sockets.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.FiberTimeoutException;
import dev.weft.fibers.Hub;
import dev.weft.fibers.Timeout;
import dev.weft.hub.sim.SimHost;
import dev.weft.hub.sim.SimSettings;
import dev.weft.hub.sim.Simulation;
import dev.weft.junit5.SimulationTest;
import dev.weft.sockets.StreamServer;
import dev.weft.sockets.TcpSocket;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

/**
 * Several simulated hosts in one simulation: a server host and 50 client hosts with made-up
 * addresses, partitions between sets of them scripted at virtual instants and healed, the fate of
 * segments and connects across a partition (held, then delivered in order; a connect waits for its
 * timeout), and refused connects to a host without a listener.
 */
@DisabledIfSystemProperty(named = "weft.hub", matches = ".+", disabledReason = "simulation: runs once, in the default pass")
class HostsAndPartitionsTest {
    static final int CLIENTS = 50;
    static final int MESSAGES = 5;

    /**
     * 50 client hosts each send 5 numbered requests to the server host; a partition separates a
     * random half of them from the server at a random moment and heals a few seconds later; every
     * client retries a request whose answer did not come within 500 ms, on a new connection. The
     * server answers each request once per connection; every client ends with every answer.
     */
    @SimulationTest(seeds = 40)
    void fiftyClientHostsGetEveryAnswerThroughAPartition(Simulation sim) throws Exception {
        SplittableRandom r = new SplittableRandom(sim.settings().seed());
        SimHost server = sim.host("server", "10.0.0.1");
        List<SimHost> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            clients.add(sim.host("client-" + i, "10.0.1." + (i + 1)));
        }
        StreamServer echo = sim.onHost(server, () -> StreamServer.builder(HostsAndPartitionsTest::answer)
                .bind("0.0.0.0", 7000).start());
        List<SimHost> cut = clients.stream().filter(c -> r.nextBoolean()).toList();
        long from = 100 + r.nextInt(2_000);
        sim.at(Duration.ofMillis(from), () -> sim.partition(List.of(server), cut));
        sim.at(Duration.ofMillis(from + 1_000 + r.nextInt(4_000)), sim::heal);
        List<Fiber<Integer>> running = new ArrayList<>();
        for (SimHost c : clients) {
            running.add(sim.onHost(c, () -> Fiber.spawn(() -> requestAll(r.split()))));
        }
        int answered = 0;
        for (Fiber<Integer> f : running) {
            answered += f.get();
        }
        assertEquals(CLIENTS * MESSAGES, answered);
        echo.stop(Duration.ofSeconds(1));
    }

    private static int requestAll(SplittableRandom r) throws Exception {
        int answered = 0;
        for (int n = 0; n < MESSAGES; n++) {
            Fiber.sleep(r.nextInt(500));
            while (true) {
                try (Timeout t = Timeout.after(Duration.ofMillis(500));
                     TcpSocket s = TcpSocket.connect("10.0.0.1", 7000, null)) {
                    s.writeAll(new byte[] {(byte) n});
                    byte[] back = new byte[1];
                    s.readFully(back);
                    assertEquals(n + 1, back[0]);
                    answered++;
                    break;
                } catch (FiberTimeoutException | IOException lost) {
                    // across the partition: try again on a new connection
                }
            }
        }
        return answered;
    }

    private static void answer(TcpSocket s) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(1);
        while (s.read(b.clear()) > 0) {
            s.writeAll(ByteBuffer.wrap(new byte[] {(byte) (b.get(0) + 1)}));
        }
    }

    @Test
    void acrossAPartitionSegmentsWaitAndArriveInOrderAfterTheHeal() throws Exception {
        Simulation sim = Simulation.prepare(SimSettings.of(1));
        String got = Hub.run("sim", () -> {
            SimHost a = sim.host("a", "10.0.0.1");
            SimHost b = sim.host("b", "10.0.0.2");
            StreamServer srv = sim.onHost(a, () -> StreamServer.builder(HostsAndPartitionsTest::echo).bind("0.0.0.0", 80).start());
            return sim.onHost(b, () -> Fiber.spawn(() -> {
                try (TcpSocket s = TcpSocket.connect("10.0.0.1", 80, Duration.ofSeconds(1))) {
                    sim.partition(List.of(a), List.of(b));
                    sim.at(Duration.ofSeconds(60), sim::heal);
                    long start = Hub.current().nanoTime();
                    s.writeAll("abc".getBytes());
                    byte[] back = new byte[3];
                    s.readFully(back);
                    long waited = (Hub.current().nanoTime() - start) / 1_000_000_000L;
                    srv.stop(Duration.ofSeconds(1));
                    return new String(back) + " after " + waited + " s, from " + s.localAddress().getAddress().getHostAddress();
                }
            })).get();
        });
        assertEquals("abc after 60 s, from 10.0.0.2", got);
    }

    @Test
    void aConnectAcrossAPartitionTimesOutAndAHostWithoutListenerRefuses() throws Exception {
        Simulation sim = Simulation.prepare(SimSettings.of(2));
        List<String> got = Hub.run("sim", () -> {
            SimHost a = sim.host("a", "10.0.0.1");
            SimHost b = sim.host("b", "10.0.0.2");
            sim.onHost(a, () -> StreamServer.builder(HostsAndPartitionsTest::echo).bind("10.0.0.1", 80).start());
            sim.partition(List.of(a), List.of(b));
            return sim.onHost(b, () -> Fiber.spawn(() -> {
                List<String> out = new ArrayList<>();
                SocketTimeoutException t = assertThrows(SocketTimeoutException.class,
                        () -> TcpSocket.connect("10.0.0.1", 80, Duration.ofSeconds(3)));
                out.add(t.getClass().getSimpleName());
                sim.heal();
                ConnectException refused = assertThrows(ConnectException.class,
                        () -> TcpSocket.connect("10.0.0.1", 81, Duration.ofSeconds(3)));
                out.add(refused.getMessage());
                try (TcpSocket s = TcpSocket.connect("10.0.0.1", 80, Duration.ofSeconds(3))) {
                    out.add("connected from " + s.localAddress().getAddress().getHostAddress());
                }
                return out;
            })).get();
        });
        assertEquals(List.of("SocketTimeoutException", "Connection refused: 10.0.0.1:81", "connected from 10.0.0.2"), got);
        assertTrue(sim.elapsedNanos() >= 3_000_000_000L);
    }

    @Test
    void aListenerOnLoopbackTakesOnlyItsOwnHostsConnects() throws Exception {
        Simulation sim = Simulation.prepare(SimSettings.of(3));
        List<String> got = Hub.run("sim", () -> {
            SimHost a = sim.host("a", "10.0.0.1");
            SimHost b = sim.host("b", "10.0.0.2");
            StreamServer srv = sim.onHost(a, () -> StreamServer.builder(HostsAndPartitionsTest::echo).bind("127.0.0.1", 80).start());
            List<String> out = new ArrayList<>();
            out.add(sim.onHost(b, () -> Fiber.spawn(() -> assertThrows(ConnectException.class,
                    () -> TcpSocket.connect("10.0.0.1", 80, Duration.ofSeconds(3))).getMessage())).get());
            out.add(sim.onHost(a, () -> Fiber.spawn(() -> {
                try (TcpSocket s = TcpSocket.connect("127.0.0.1", 80, Duration.ofSeconds(3))) {
                    return "connected on a";
                }
            })).get());
            srv.stop(Duration.ofSeconds(1));
            return out;
        });
        assertEquals(List.of("Connection refused: 10.0.0.1:80", "connected on a"), got);
    }

    static void echo(TcpSocket socket) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(1024);
        while (socket.read(buf.clear()) > 0) {
            socket.writeAll(buf.flip());
        }
    }
}
