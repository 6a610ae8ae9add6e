package dev.weft.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Event;
import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What both servers share: handler failures reach the hub's uncaught handler exactly once, a
 * handler may stop its own server, a stopped server refuses new clients at once.
 */
@org.junit.jupiter.api.Timeout(60)
class ServerLifecycleTest {

    private static List<String> captureUncaught() {
        List<String> reported = new ArrayList<>();
        Hub.current().setUncaughtExceptionHandler((fiber, failure) -> reported.add(fiber.name() + " -> " + failure));
        return reported;
    }

    @Test
    void aStreamHandlerFailureReachesTheUncaughtHandlerExactlyOnce() throws Exception {
        List<String> reported = Hub.run(() -> {
            List<String> got = captureUncaught();
            Event failNow = new Event();
            StreamServer server = StreamServer.builder(socket -> {
                if (socket.read(ByteBuffer.allocate(1)) == 1) {
                    throw new IOException("handler boom 1");
                }
                failNow.await(); // the second one fails while stop waits for it (its grace)
                throw new IllegalStateException("handler boom 2");
            }).start();
            try (TcpSocket first = TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5));
                 TcpSocket second = TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5))) {
                first.writeAll(new byte[] {1});
                assertEquals(-1, first.read(ByteBuffer.allocate(1)), "the server closed the failed connection");
                second.shutdownOutput();
                while (server.connections() > 1) {
                    Fiber.sleep(Duration.ofMillis(1));
                }
                Fiber.spawn("releaser", () -> {
                    Fiber.sleep(Duration.ofMillis(20));
                    failNow.set();
                });
                assertEquals(0, server.stop(Duration.ofSeconds(5)), "the second ended within the grace");
            }
            Fiber.sleep(Duration.ofMillis(10));
            return got;
        });
        assertEquals(2, reported.size(), reported.toString());
        assertTrue(reported.get(0).contains("handler boom 1"), reported.toString());
        assertTrue(reported.get(1).contains("handler boom 2"), reported.toString());
    }

    @Test
    void aDatagramHandlerFailureReachesTheUncaughtHandlerExactlyOnce() throws Exception {
        List<String> reported = Hub.run(() -> {
            List<String> got = captureUncaught();
            Event failNow = new Event();
            DatagramServer server = DatagramServer.start("127.0.0.1", 0, 100, (data, from, srv) -> {
                if (data.get(0) == 1) {
                    throw new IOException("datagram boom 1");
                }
                failNow.await();
                throw new IllegalStateException("datagram boom 2");
            });
            try (UdpSocket client = UdpSocket.bind("127.0.0.1", 0)) {
                client.send(ByteBuffer.wrap(new byte[] {1}), server.address());
                client.send(ByteBuffer.wrap(new byte[] {2}), server.address());
                while (got.isEmpty()) {
                    Fiber.sleep(Duration.ofMillis(1));
                }
                Fiber.sleep(Duration.ofMillis(20)); // the second handler is waiting now
                Fiber.spawn("releaser", () -> {
                    Fiber.sleep(Duration.ofMillis(20));
                    failNow.set();
                });
                assertEquals(0, server.stop(Duration.ofSeconds(5)), "the second ended within the grace");
            }
            Fiber.sleep(Duration.ofMillis(10));
            return got;
        });
        assertEquals(2, reported.size(), reported.toString());
        assertTrue(reported.get(0).contains("datagram boom 1"), reported.toString());
        assertTrue(reported.get(1).contains("datagram boom 2"), reported.toString());
    }

    @Test
    void aDatagramHandlerCanStopItsOwnServerAndTheSocketIsClosed() throws Exception {
        Hub.run(() -> {
            List<String> got = captureUncaught();
            DatagramServer[] self = new DatagramServer[1];
            int[] killed = {-1};
            Event stopped = new Event();
            self[0] = DatagramServer.start("127.0.0.1", 0, 100, (data, from, srv) -> {
                killed[0] = srv.stop(Duration.ofSeconds(1)); // e.g. a "shutdown" datagram
                stopped.set();
            });
            InetSocketAddress at = self[0].address();
            try (UdpSocket client = UdpSocket.bind("127.0.0.1", 0)) {
                client.send(ByteBuffer.wrap(new byte[] {1}), at);
            }
            assertTrue(stopped.await(Duration.ofSeconds(5)), "stop returned in the handler that called it");
            assertEquals(0, killed[0], "it did not kill itself");
            // the port is free again: the socket was closed
            try (DatagramChannel probe = DatagramChannel.open()) {
                probe.bind(at);
            }
            assertTrue(got.isEmpty(), got.toString());
            return null;
        });
    }

    @Test
    void aStreamHandlerCanStopItsOwnServerAndThePortIsClosed() throws Exception {
        Hub.run(() -> {
            List<String> got = captureUncaught();
            StreamServer[] self = new StreamServer[1];
            Event stopped = new Event();
            self[0] = StreamServer.builder(socket -> {
                self[0].stop(Duration.ofSeconds(1));
                stopped.set();
            }).start();
            int port = self[0].port();
            TcpSocket c = TcpSocket.connect("127.0.0.1", port, Duration.ofSeconds(5));
            assertTrue(stopped.await(Duration.ofSeconds(5)));
            c.close();
            assertThrows(ConnectException.class, () -> TcpSocket.connect("127.0.0.1", port, Duration.ofSeconds(5)));
            assertTrue(got.isEmpty(), got.toString());
            return null;
        });
    }

    @Test
    void afterStopReturnsANewConnectIsRefusedAtOnce() throws Exception {
        Hub.run(() -> {
            StreamServer server = StreamServer.builder(socket -> socket.read(ByteBuffer.allocate(1))).start();
            int port = server.port();
            try (TcpSocket before = TcpSocket.connect("127.0.0.1", port, Duration.ofSeconds(5))) {
                before.writeAll(new byte[] {1});
            }
            server.stop(Duration.ofSeconds(1));
            // the listening socket is gone when stop returns: its port can be bound again at once
            // (the JDK's selector would keep it open until the hub's next select)
            try (ServerSocket again = new ServerSocket()) {
                again.bind(new InetSocketAddress("127.0.0.1", port));
            }
            ConnectException e = assertThrows(ConnectException.class,
                    () -> TcpSocket.connect("127.0.0.1", port, Duration.ofSeconds(5)));
            assertTrue(e.getMessage().contains(String.valueOf(port)), e.getMessage());
            return null;
        });
    }

    @Test
    void datagramServerStopFreesThePortAtOnce() throws Exception {
        Hub.run(() -> {
            DatagramServer server = DatagramServer.start("127.0.0.1", 0, 100, (data, from, srv) -> { });
            InetSocketAddress at = server.address();
            server.stop(Duration.ofSeconds(1));
            try (DatagramChannel probe = DatagramChannel.open()) {
                probe.bind(at);
            }
            return null;
        });
    }

    @Test
    void stopWithAZeroGraceKillsAtOnce() throws Exception {
        Hub.run(() -> {
            StreamServer server = StreamServer.builder(socket -> Fiber.sleep(Duration.ofSeconds(30))).start();
            TcpSocket c = TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5));
            while (server.connections() < 1) {
                Fiber.sleep(Duration.ofMillis(1));
            }
            long start = System.nanoTime();
            assertEquals(1, server.stop(Duration.ZERO));
            assertTrue(System.nanoTime() - start < 2_000_000_000L);
            assertEquals(-1, c.read(ByteBuffer.allocate(1)));
            c.close();
            return null;
        });
    }

    @Test
    void aFullDatagramServerStopsReadingUntilAHandlerEnds() throws Exception {
        Hub.run(() -> {
            Event release = new Event();
            int[] running = {0};
            int[] most = {0};
            int[] handled = {0};
            DatagramServer server = DatagramServer.builder((data, from, srv) -> {
                running[0]++;
                most[0] = Math.max(most[0], running[0]);
                try {
                    release.await();
                    handled[0]++;
                    srv.send(ByteBuffer.wrap(new byte[] {data.get(0)}), from);
                } finally {
                    running[0]--;
                }
            }).bind("127.0.0.1", 0).maxHandlers(2).start();
            try (UdpSocket client = UdpSocket.bind("127.0.0.1", 0)) {
                client.setTimeout(Duration.ofSeconds(5));
                for (int i = 0; i < 6; i++) {
                    client.send(ByteBuffer.wrap(new byte[] {(byte) i}), server.address());
                }
                Fiber.sleep(Duration.ofMillis(100));
                assertEquals(2, server.handlers(), "two handlers; four datagrams wait in the kernel");
                release.set();
                boolean[] answered = new boolean[6];
                for (int i = 0; i < 6; i++) {
                    ByteBuffer in = ByteBuffer.allocate(1);
                    client.receive(in);
                    answered[in.get(0)] = true;
                }
                for (boolean a : answered) {
                    assertTrue(a);
                }
            }
            assertEquals(2, most[0], "never more than maxHandlers at once");
            assertEquals(6, handled[0]);
            assertEquals(0, server.stop(Duration.ofSeconds(1)));
            return null;
        });
    }

    @Test
    void aStopperKilledDuringTheGraceLeavesNoHandlerBehind() throws Exception {
        int[] finallies = Hub.run(() -> {
            int[] count = {0};
            StreamServer server = StreamServer.builder(socket -> {
                try {
                    Fiber.sleep(Duration.ofSeconds(30));
                } finally {
                    count[0]++;
                }
            }).start();
            try (TcpSocket c = TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5))) {
                while (server.connections() < 1) {
                    Fiber.sleep(Duration.ofMillis(1));
                }
                Fiber<Integer> stopper = Fiber.spawn("stopper", () -> server.stop(Duration.ofSeconds(30)));
                Fiber.sleep(Duration.ofMillis(50)); // it waits out the grace
                assertTrue(stopper.kill(Duration.ofSeconds(5)));
                assertEquals(-1, c.read(ByteBuffer.allocate(1)), "the handler was killed and closed its socket");
                while (server.connections() > 0) {
                    Fiber.sleep(Duration.ofMillis(1));
                }
            }
            return count;
        });
        assertEquals(1, finallies[0]);
    }

    /**
     * Issue 23, item 5: a handler whose driver wraps every Throwable (as MySQL Connector/J wraps the
     * kill in an SQLException) and whose loop retries after a back-off: the stop's kill stays pending,
     * so the back-off sleep throws it again and the handler ends within the stop, not 30 s later.
     */
    @Test
    void stopWithGraceEndsAHandlerWhoseDriverWrapsTheKill() throws Exception {
        List<String> trace = Hub.run(() -> {
            List<String> t = new ArrayList<>();
            StreamServer server = StreamServer.builder(socket -> {
                try {
                    while (true) {
                        try {
                            try {
                                socket.read(ByteBuffer.allocate(1));
                            } catch (Throwable wrapped) {
                                throw new java.sql.SQLException("Communications link failure", wrapped);
                            }
                        } catch (java.sql.SQLException e) {
                            t.add("retry after " + e.getCause().getClass().getSimpleName());
                            Fiber.sleep(Duration.ofMillis(10));
                        }
                    }
                } finally {
                    t.add("handler finally");
                }
            }).start();
            try (TcpSocket c = TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5))) {
                while (server.connections() < 1) {
                    Fiber.sleep(Duration.ofMillis(1));
                }
                Fiber.sleep(Duration.ofMillis(5)); // the handler waits in its read
                long start = System.nanoTime();
                assertEquals(1, server.stop(Duration.ofMillis(20)), "the handler had to be killed");
                long tookMs = (System.nanoTime() - start) / 1_000_000;
                assertTrue(tookMs < 5_000, "stop waited " + tookMs + " ms for a handler that swallowed its kill");
                assertEquals(0, server.connections());
            }
            return t;
        });
        assertEquals(List.of("retry after FiberKilledError", "handler finally"), trace);
    }
}
