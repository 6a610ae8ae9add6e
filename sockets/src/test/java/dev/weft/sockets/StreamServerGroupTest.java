package dev.weft.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.HubGroup;
import dev.weft.testkit.LogCapture;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** Issue 24, item 2: a StreamServer on every hub of a group, one SO_REUSEPORT listener per hub. */
@org.junit.jupiter.api.Timeout(60)
@EnabledOnOs(OS.LINUX) // where SO_REUSEPORT balances; the hand-off acceptor: StreamServerHandOffTest
class StreamServerGroupTest {

    /** Answers with the name of the hub thread that serves the connection. */
    private static final ConnectionHandler WHO = socket -> socket.writeAll(
            (Thread.currentThread().getName() + "\n").getBytes(StandardCharsets.US_ASCII));

    private static String ask(int port) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(10_000);
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        }
    }

    @Test
    void everyHubAcceptsOnOnePortAndTheServerSaysHowMany() throws Exception {
        try (HubGroup group = HubGroup.start(2); LogCapture log = LogCapture.of(StreamServer.class)) {
            StreamServerGroup server = StreamServer.builder(WHO).bind("127.0.0.1", 0)
                    .acceptMode(AcceptMode.REUSE_PORT).startOn(group);
            assertEquals(2, server.hubs());
            Set<String> servedBy = new TreeSet<>();
            for (int i = 0; i < 64; i++) {
                servedBy.add(ask(server.port()));
            }
            // the kernel hashes each connection's ports: 64 connections all on one of two hubs is a 2^-63 chance
            assertEquals(Set.of(group.name() + "-0", group.name() + "-1"), servedBy);
            List<Long> accepted = server.acceptedPerHub();
            assertEquals(64, accepted.get(0) + accepted.get(1), accepted.toString());
            String dump = server.dump();
            assertTrue(dump.startsWith("StreamServer on /127.0.0.1:" + server.port() + ", 2 hub(s) of " + group.name()
                    + ", REUSE_PORT: busiest hub "), dump);
            assertTrue(dump.contains("  hub 0 (" + group.name() + "-0): 0 open, " + accepted.get(0) + " accepted\n"), dump);
            assertEquals(List.of("StreamServer on /127.0.0.1:" + server.port() + ": accepting on 2 hub(s) of " + group.name()
                    + " (one SO_REUSEPORT listener per hub, backend " + group.hubs().get(0).backendName() + ")"),
                    log.messages());
            assertEquals(0, server.stop(Duration.ofSeconds(5)));
            assertThrows(ConnectException.class, () -> ask(server.port()));
        }
    }

    @Test
    void maxConnectionsIsSharedOutSoTheGroupNeverHoldsMore() throws Exception {
        ConcurrentHashMap<String, Integer> inHandler = new ConcurrentHashMap<>();
        try (HubGroup group = HubGroup.start(2); LogCapture log = LogCapture.of(StreamServer.class)) {
            StreamServerGroup server = StreamServer.builder(socket -> {
                String hub = Thread.currentThread().getName();
                inHandler.merge(hub, 1, Integer::sum);
                try {
                    socket.read(java.nio.ByteBuffer.allocate(1)); // until the client closes
                } finally {
                    inHandler.merge(hub, -1, Integer::sum);
                }
            }).bind("127.0.0.1", 0).maxConnections(3).startOn(group);
            List<Socket> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 12; i++) {
                    clients.add(new Socket(InetAddress.getLoopbackAddress(), server.port()));
                    List<Integer> open = server.connectionsPerHub();
                    assertTrue(open.get(0) <= 2 && open.get(1) <= 1, "shares of 3 over 2 hubs are 2 and 1: " + open);
                    assertTrue(server.connections() <= 3);
                }
            } finally {
                for (Socket c : clients) {
                    c.close();
                }
            }
            assertEquals(0, server.stop(Duration.ofSeconds(10)));
            StreamServerGroup one = StreamServer.builder(WHO).bind("127.0.0.1", 0).maxConnections(1).startOn(group);
            assertEquals(1, one.hubs(), "a limit of 1 needs one hub only");
            one.stop(Duration.ZERO);
            assertEquals(2, log.count());
        }
    }

    @Test
    void theGroupsStopLetsConnectionsFinishWithinTheGraceThenClosesThePort() throws Exception {
        HubGroup group = HubGroup.start(2);
        int port;
        try (LogCapture log = LogCapture.of(StreamServer.class)) {
            StreamServerGroup server = StreamServer.builder(socket -> {
                byte[] one = new byte[1];
                socket.readFully(one); // the client says go; the group is stopping by then
                dev.weft.fibers.Fiber.sleep(Duration.ofMillis(100));
                socket.writeAll("finished\n".getBytes(StandardCharsets.US_ASCII));
            }).bind("127.0.0.1", 0).startOn(group);
            port = server.port();
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
                client.setSoTimeout(10_000);
                while (server.connections() == 0) {
                    Thread.onSpinWait(); // accepted: the handler runs
                }
                Thread stopper = Thread.ofPlatform().start(() -> group.stop(Duration.ofSeconds(10)));
                OutputStream out = client.getOutputStream();
                out.write('g');
                InputStream in = client.getInputStream();
                assertEquals("finished", new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim());
                stopper.join(20_000);
                assertFalse(stopper.isAlive());
            }
            assertEquals(1, log.count());
        }
        for (var hub : group.hubs()) {
            assertFalse(hub.thread().isAlive());
        }
        assertThrows(ConnectException.class, () -> ask(port));
    }

    @Test
    void theGroupStopsUnderLoadAndEveryHubEndsWithNoDescriptorLeft() throws Exception {
        GroupStopUnderLoad.check(null, 20, 2_000);
    }

    @Test
    void aPortAnotherProgramListensOnIsRefused() throws Exception {
        try (ServerSocket other = new ServerSocket()) {
            other.setReuseAddress(true);
            other.bind(new InetSocketAddress("127.0.0.1", 0));
            try (HubGroup group = HubGroup.start(2)) {
                BindException refused = assertThrows(BindException.class,
                        () -> StreamServer.builder(WHO).bind("127.0.0.1", other.getLocalPort()).startOn(group));
                assertTrue(refused.getMessage().startsWith("Address already in use: 127.0.0.1:" + other.getLocalPort()
                        + " (another program listens there"), refused.getMessage());
            }
        }
    }
}
