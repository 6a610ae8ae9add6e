package dev.weft.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.HubGroup;
import dev.weft.testkit.Descriptors;
import dev.weft.testkit.LogCapture;
import java.net.BindException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** Issue 24, item 2: a DatagramServer on every hub of a group, one SO_REUSEPORT socket per hub. */
@org.junit.jupiter.api.Timeout(60)
@EnabledOnOs(OS.LINUX) // where SO_REUSEPORT balances datagrams
class DatagramServerGroupTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    /** Answers each datagram with the name of the hub thread that received it. */
    private static final DatagramServer.Handler WHO = (data, from, server) -> server.send(
            ByteBuffer.wrap(Thread.currentThread().getName().getBytes(StandardCharsets.US_ASCII)), from);

    /** Sends one datagram from {@code client} and returns the reply's text; checks it came from {@code port}. */
    private static String ask(DatagramSocket client, int port) throws Exception {
        byte[] hi = "hi".getBytes(StandardCharsets.US_ASCII);
        client.send(new DatagramPacket(hi, hi.length, LOOPBACK, port));
        DatagramPacket reply = new DatagramPacket(new byte[256], 256);
        client.receive(reply);
        assertEquals(new InetSocketAddress(LOOPBACK, port), reply.getSocketAddress(), "the reply's source");
        return new String(reply.getData(), 0, reply.getLength(), StandardCharsets.US_ASCII);
    }

    @Test
    void manySendersReachBothHubsAndEachIsAnsweredByTheHubThatReceived() throws Exception {
        try (HubGroup group = HubGroup.start(2); LogCapture log = LogCapture.of(DatagramServer.class)) {
            DatagramServerGroup server = DatagramServer.builder(WHO).bind("127.0.0.1", 0).startOn(group);
            assertEquals(2, server.hubs());
            Map<String, Integer> answeredBy = new TreeMap<>();
            for (int i = 0; i < 64; i++) {
                try (DatagramSocket client = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
                    client.setSoTimeout(10_000);
                    String hub = ask(client, server.port());
                    assertEquals(hub, ask(client, server.port()), "one source port, one hub");
                    answeredBy.merge(hub, 2, Integer::sum);
                }
            }
            // the kernel hashes each sender's port: 64 senders all on one of two hubs is a 2^-63 chance
            assertEquals(List.of(group.name() + "-0", group.name() + "-1"), List.copyOf(answeredBy.keySet()));
            List<Long> received = server.receivedPerHub();
            assertEquals(List.of((long) answeredBy.get(group.name() + "-0"), (long) answeredBy.get(group.name() + "-1")),
                    received, "every datagram answered by the hub whose socket received it");
            String dump = server.dump();
            assertTrue(dump.startsWith("DatagramServer on /127.0.0.1:" + server.port() + ", 2 hub(s) of " + group.name()
                    + ": busiest hub "), dump);
            assertTrue(dump.contains("  hub 1 (" + group.name() + "-1): 0 handling, " + received.get(1) + " received\n"),
                    dump);
            assertEquals(List.of("DatagramServer on /127.0.0.1:" + server.port() + ": receiving on 2 hub(s) of "
                    + group.name() + " (one SO_REUSEPORT socket per hub, backend " + group.hubs().get(0).backendName()
                    + ")"), log.messages());
            assertEquals(0, server.stop(Duration.ofSeconds(5)));
            try (DatagramSocket again = new DatagramSocket(new InetSocketAddress(LOOPBACK, server.port()))) {
                assertEquals(server.port(), again.getLocalPort(), "every hub's socket is closed: the port is free");
            }
        }
    }

    @Test
    void stopWaitsOutTheGraceThenKillsTheHandlersOfEveryHubAndLeavesNoDescriptor() throws Exception {
        HubGroup warm = HubGroup.start(2);
        warm.close(); // what opens descriptors once per JVM, before the count
        long before = Descriptors.open();
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(32);
        AtomicInteger finallies = new AtomicInteger();
        try (HubGroup group = HubGroup.start(2); LogCapture log = LogCapture.of(DatagramServer.class)) {
            DatagramServerGroup server = DatagramServer.builder((data, from, srv) -> {
                started.countDown();
                try {
                    Fiber.sleep(Duration.ofMinutes(10));
                } finally {
                    finallies.incrementAndGet();
                }
            }).bind("127.0.0.1", 0).startOn(group);
            List<DatagramSocket> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 32; i++) {
                    DatagramSocket c = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
                    clients.add(c);
                    c.send(new DatagramPacket(new byte[] {1}, 1, LOOPBACK, server.port()));
                }
                assertTrue(started.await(20, java.util.concurrent.TimeUnit.SECONDS), "32 handlers started");
                List<Integer> running = server.handlersPerHub();
                assertTrue(running.get(0) > 0 && running.get(1) > 0, "handlers on both hubs: " + running);
                assertEquals(32, running.get(0) + running.get(1));
                long t0 = System.nanoTime();
                assertEquals(32, server.stop(Duration.ofMillis(200)));
                assertTrue(System.nanoTime() - t0 >= Duration.ofMillis(200).toNanos(), "the grace is waited out");
                assertEquals(32, finallies.get(), "every killed handler's finally ran once");
                assertEquals(List.of(0, 0), server.handlersPerHub());
            } finally {
                for (DatagramSocket c : clients) {
                    c.close();
                }
            }
            assertEquals(1, log.count());
        }
        if (Descriptors.supported()) {
            long after = Descriptors.open();
            assertTrue(after <= before + 2, "descriptors: " + before + " before, " + after + " after");
        }
    }

    @Test
    void aPortAnotherSocketIsBoundToIsRefused() throws Exception {
        try (DatagramSocket other = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
                HubGroup group = HubGroup.start(2)) {
            BindException refused = assertThrows(BindException.class,
                    () -> DatagramServer.builder(WHO).bind("127.0.0.1", other.getLocalPort()).startOn(group));
            assertTrue(refused.getMessage().startsWith("Address already in use: 127.0.0.1:" + other.getLocalPort()
                    + " (another socket is bound there"), refused.getMessage());
        }
    }

    @Test
    void theGroupsStopStopsItsDatagramServersToo() throws Exception {
        int port;
        try (LogCapture log = LogCapture.of(DatagramServer.class)) {
            HubGroup group = HubGroup.start(2);
            DatagramServerGroup server = DatagramServer.builder(WHO).bind("127.0.0.1", 0).startOn(group);
            port = server.port();
            try (DatagramSocket client = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
                client.setSoTimeout(10_000);
                assertTrue(ask(client, port).startsWith(group.name() + "-"));
            }
            group.stop(Duration.ofSeconds(5));
            assertEquals(1, log.count());
        }
        try (DatagramSocket again = new DatagramSocket(new InetSocketAddress(LOOPBACK, port))) {
            assertEquals(port, again.getLocalPort());
        }
    }
}
