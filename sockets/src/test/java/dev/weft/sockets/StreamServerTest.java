package dev.weft.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Event;
import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.testkit.Descriptors;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** The server's flow control, shutdown and resource hygiene, on the backend under test. */
@org.junit.jupiter.api.Timeout(120)
class StreamServerTest {

    @Test
    void stopWaitsForHandlersUpToTheGraceThenKillsTheRestAndTheirFinallyBlocksRun() throws Exception {
        int[] finallies = {0};
        int[] killedAndCounted = Hub.run(() -> {
            StreamServer server = StreamServer.builder(socket -> {
                try {
                    Fiber.sleep(Duration.ofSeconds(60)); // busy "forever"
                } finally {
                    finallies[0]++;
                }
            }).start();
            List<TcpSocket> clients = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                clients.add(TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5)));
            }
            while (server.connections() < 3) {
                Fiber.sleep(Duration.ofMillis(1));
            }
            long start = System.nanoTime();
            int killed = server.stop(Duration.ofMillis(200));
            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(tookMillis >= 190 && tookMillis < 5_000, "waited the grace, then killed: " + tookMillis + " ms");
            // the handlers closed their sockets: the clients read end-of-stream
            for (TcpSocket c : clients) {
                assertEquals(-1, c.read(ByteBuffer.allocate(1)));
                c.close();
            }
            return new int[] {killed, server.connections()};
        });
        assertEquals(3, killedAndCounted[0], "three busy handlers killed");
        assertEquals(0, killedAndCounted[1]);
        assertEquals(3, finallies[0], "every killed handler ran its finally block");
    }

    @Test
    void handlersThatFinishWithinTheGraceAreNotKilled() throws Exception {
        int killed = Hub.run(() -> {
            StreamServer server = StreamServer.builder(socket -> Fiber.sleep(Duration.ofMillis(50))).start();
            TcpSocket c = TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5));
            while (server.connections() < 1) {
                Fiber.sleep(Duration.ofMillis(1));
            }
            int k = server.stop(Duration.ofSeconds(5));
            c.close();
            return k;
        });
        assertEquals(0, killed);
    }

    @Test
    void acceptingPausesAtMaxConnectionsAndResumesWhenOneEnds() throws Exception {
        Hub.run(() -> {
            Event finish = new Event();
            StreamServer server = StreamServer.builder(socket -> {
                socket.writeAll(new byte[] {1}); // "you are being served"
                finish.await();
            }).maxConnections(2).start();
            List<TcpSocket> clients = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                clients.add(TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5)));
            }
            for (int i = 0; i < 2; i++) {
                clients.get(i).readFully(ByteBuffer.allocate(1));
            }
            Fiber.sleep(Duration.ofMillis(100));
            assertEquals(2, server.connections(), "two served, two waiting in the backlog");
            assertEquals(2, server.accepted());
            finish.set(); // the first two end; the next two are accepted
            for (int i = 2; i < 4; i++) {
                clients.get(i).readFully(ByteBuffer.allocate(1));
            }
            assertEquals(4, server.accepted());
            clients.forEach(TcpSocket::close);
            server.stop(Duration.ofSeconds(5));
            return null;
        });
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void tenThousandConnectCloseCyclesLeakNoFileDescriptor() throws Exception {
        long before = Descriptors.open();
        Hub.run(() -> {
            StreamServer server = StreamServer.builder(socket -> socket.read(ByteBuffer.allocate(1))).start();
            for (int i = 0; i < 10_000; i++) {
                TcpSocket c = TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5));
                c.close();
            }
            while (server.accepted() < 10_000 || server.connections() > 0) {
                Fiber.sleep(Duration.ofMillis(5)); // the last ones are still being accepted and served
            }
            server.stop(Duration.ofSeconds(5));
            return null;
        });
        long after = Descriptors.open();
        assertTrue(after - before <= 5, "open descriptors before " + before + ", after " + after);
    }

    @Test
    void aHandlerCanStopItsOwnServer() throws Exception {
        int[] killedAndLeft = Hub.run(() -> {
            int[] result = new int[2];
            StreamServer[] self = new StreamServer[1];
            self[0] = StreamServer.builder(socket -> {
                result[0] = self[0].stop(Duration.ofSeconds(1)); // e.g. a "shutdown" command
                socket.writeAll(new byte[] {1});                 // this handler goes on
            }).start();
            try (TcpSocket c = TcpSocket.connect("127.0.0.1", self[0].port(), Duration.ofSeconds(5))) {
                c.readFully(ByteBuffer.allocate(1));
            }
            self[0].serveForever(); // returns: the server was stopped
            while (self[0].connections() > 0) {
                Fiber.sleep(Duration.ofMillis(1));
            }
            result[1] = self[0].connections();
            return result;
        });
        assertEquals(0, killedAndLeft[0], "it did not kill itself");
        assertEquals(0, killedAndLeft[1]);
    }
}
