package dev.weft.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.HubGroup;
import dev.weft.testkit.Descriptors;
import dev.weft.testkit.LogCapture;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Issue 24, item 2: the hand-off acceptor ({@link AcceptMode#HANDOFF}): hub 0 accepts, each
 * connection moves to the least-loaded hub (ties round robin), which registers it with its own
 * backend and serves it. Selected explicitly, so it runs on Linux too (epoll, nio, io_uring).
 */
@org.junit.jupiter.api.Timeout(60)
class StreamServerHandOffTest {

    /** Writes the serving hub's thread name, then holds the connection until the client closes. */
    private static ConnectionHandler whoThenHold(AtomicInteger inHandler, AtomicInteger mostAtOnce) {
        return socket -> {
            mostAtOnce.accumulateAndGet(inHandler.incrementAndGet(), Math::max);
            try {
                socket.writeAll((Thread.currentThread().getName() + "\n").getBytes(StandardCharsets.US_ASCII));
                socket.read(ByteBuffer.allocate(1)); // until the client closes
            } finally {
                inHandler.decrementAndGet();
            }
        };
    }

    private static String firstLine(Socket s) throws IOException {
        s.setSoTimeout(10_000);
        return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
    }

    @Test
    void connectionsHeldOpenAreSpreadEvenlyAndShortOnesGoRoundRobin() throws Exception {
        AtomicInteger inHandler = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        try (HubGroup group = HubGroup.start(2); LogCapture log = LogCapture.of(StreamServer.class)) {
            StreamServerGroup server = StreamServer.builder(whoThenHold(inHandler, most)).bind("127.0.0.1", 0)
                    .acceptMode(AcceptMode.HANDOFF).startOn(group);
            assertEquals(AcceptMode.HANDOFF, server.acceptMode());
            List<Socket> held = new ArrayList<>();
            Map<String, Integer> servedBy = new TreeMap<>();
            try {
                for (int i = 0; i < 10; i++) {
                    Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port());
                    held.add(s);
                    servedBy.merge(firstLine(s), 1, Integer::sum);
                }
                // the least-loaded hub takes each one: 10 held connections are 5 and 5, exactly
                assertEquals(Map.of(group.name() + "-0", 5, group.name() + "-1", 5), servedBy);
                assertEquals(List.of(5, 5), server.connectionsPerHub());
            } finally {
                for (Socket s : held) {
                    s.close();
                }
            }
            servedBy.clear();
            for (int i = 0; i < 20; i++) {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
                    servedBy.merge(firstLine(s), 1, Integer::sum);
                }
            }
            assertEquals(2, servedBy.size(), "short connections reach both hubs (ties go round robin): " + servedBy);
            List<Long> accepted = server.acceptedPerHub();
            assertEquals(30, accepted.get(0) + accepted.get(1), accepted.toString());
            String dump = server.dump();
            assertTrue(dump.startsWith("StreamServer on /127.0.0.1:" + server.port() + ", 2 hub(s) of " + group.name()
                    + ", HANDOFF: busiest hub ") && dump.contains(", 0 closed in hand-off\n"), dump);
            assertEquals(List.of("StreamServer on /127.0.0.1:" + server.port() + ": accepting on 2 hub(s) of " + group.name()
                    + " (one acceptor on hub 0 handing connections to the least-loaded hub, backend "
                    + group.hubs().get(0).backendName() + ")"), log.messages());
            server.stop(Duration.ofSeconds(5));
            assertThrows(ConnectException.class, () -> new Socket(InetAddress.getLoopbackAddress(), server.port()).close());
        }
    }

    @Test
    void maxConnectionsHoldsAcrossTheGroupAndWaitingClientsAreServedAsSlotsFree() throws Exception {
        AtomicInteger inHandler = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        try (HubGroup group = HubGroup.start(2); LogCapture log = LogCapture.of(StreamServer.class)) {
            StreamServerGroup server = StreamServer.builder(whoThenHold(inHandler, most)).bind("127.0.0.1", 0)
                    .maxConnections(3).acceptMode(AcceptMode.HANDOFF).startOn(group);
            List<Socket> clients = new ArrayList<>();
            Map<String, Integer> servedBy = new TreeMap<>();
            try {
                for (int i = 0; i < 12; i++) {
                    clients.add(new Socket(InetAddress.getLoopbackAddress(), server.port()));
                    List<Integer> open = server.connectionsPerHub();
                    assertTrue(open.get(0) <= 2 && open.get(1) <= 1, "shares of 3 over 2 hubs are 2 and 1: " + open);
                }
                for (Socket c : clients) { // each is served once an earlier one closes
                    servedBy.merge(firstLine(c), 1, Integer::sum);
                    c.close();
                }
            } finally {
                for (Socket c : clients) {
                    c.close();
                }
            }
            assertEquals(12, servedBy.values().stream().mapToInt(Integer::intValue).sum(), servedBy.toString());
            assertTrue(most.get() <= 3, "at most 3 handlers at once across the group, saw " + most.get());
            assertEquals(0, server.stop(Duration.ofSeconds(10)));
            assertEquals(1, log.count());
        }
    }

    @Test
    void aConnectionHandedToAHubWhoseServerStoppedIsClosedAndCountedNotLeaked() throws Exception {
        HubGroup warm = HubGroup.start(2);
        warm.close(); // what opens descriptors once per JVM, before the count
        long before = Descriptors.open();
        AtomicInteger inHandler = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        try (HubGroup group = HubGroup.start(2); LogCapture log = LogCapture.of(StreamServer.class)) {
            StreamServerGroup server = StreamServer.builder(whoThenHold(inHandler, most)).bind("127.0.0.1", 0)
                    .acceptMode(AcceptMode.HANDOFF).startOn(group);
            StreamServer hub1 = server.on(1);
            assertEquals(0, group.spawnOn(1, () -> hub1.stop(Duration.ZERO)).get(10, TimeUnit.SECONDS));
            int served = 0;
            int closed = 0;
            for (int i = 0; i < 10; i++) {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
                    String line;
                    try {
                        line = firstLine(s);
                    } catch (java.net.SocketException reset) {
                        line = null;
                    }
                    if (line == null) {
                        closed++;
                    } else {
                        assertEquals(group.name() + "-0", line);
                        served++;
                    }
                }
            }
            assertEquals(10, served + closed);
            assertTrue(served >= 1 && closed >= 1, served + " served, " + closed + " closed");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (server.closedInHandOff() < closed && System.nanoTime() < deadline) {
                Thread.onSpinWait(); // the count follows the close the client saw
            }
            assertEquals(closed, server.closedInHandOff(), "every connection handed to the stopped hub is counted");
            assertTrue(server.dump().contains(", " + closed + " closed in hand-off\n"), server.dump());
            server.stop(Duration.ZERO);
            assertEquals(1, log.count());
        }
        if (Descriptors.supported()) {
            long after = Descriptors.open();
            assertTrue(after <= before + 2, "descriptors: " + before + " before, " + after + " after");
        }
    }

    @Test
    void theGroupStopsUnderLoadWithHandOffsInFlightAndNoDescriptorIsLeft() throws Exception {
        GroupStopUnderLoad.check(AcceptMode.HANDOFF, 1, 500); // one round trip per connection: many hand-offs
    }
}
