package dev.weft.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Connection slots held for nothing: the idle timeout every accepted socket starts with, the cap per
 * peer address, and making room when full by closing an idle connection. Real sockets on 127.0.0.1
 * (and 127.0.0.2 as another peer), on the backend under test.
 */
@org.junit.jupiter.api.Timeout(60)
class StreamServerSlotsTest {
    /** Echoes until the peer closes; the server's idle timeout ends it if the peer goes quiet. */
    private static final ConnectionHandler ECHO = socket -> {
        ByteBuffer buf = ByteBuffer.allocate(64);
        while (socket.read(buf.clear()) > 0) {
            socket.writeAll(buf.flip());
        }
    };

    private static void echoOnce(TcpSocket c) throws IOException {
        c.writeAll(new byte[] {42});
        ByteBuffer one = ByteBuffer.allocate(1);
        c.readFully(one, Duration.ofSeconds(10));
        assertEquals(42, one.get(0));
    }

    @Test
    void anAcceptedSocketStartsWithTheDefaultIdleTimeout() throws Exception {
        Duration seen = Hub.run(() -> {
            Duration[] timeout = new Duration[1];
            StreamServer server = StreamServer.builder(socket -> timeout[0] = socket.timeout()).start();
            TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5)).close();
            server.stop(Duration.ofSeconds(5));
            return timeout[0];
        });
        assertEquals(Duration.ofSeconds(StreamServer.DEFAULT_IDLE_TIMEOUT_SECONDS), seen);
    }

    @Test
    void aSilentConnectionIsClosedAfterTheIdleTimeoutAndItsSlotServesTheNextClient() throws Exception {
        List<Throwable> uncaught = new ArrayList<>();
        long[] closedAfter = new long[1];
        Hub.run(() -> {
            Hub.current().setUncaughtExceptionHandler((f, t) -> uncaught.add(t));
            StreamServer server = StreamServer.builder(ECHO).maxConnections(1).idleTimeout(Duration.ofMillis(300)).start();
            try (TcpSocket silent = TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5));
                 TcpSocket next = TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5))) {
                echoOnce(silent); // served: it holds the one slot, then says nothing
                long start = System.nanoTime();
                Fiber<Void> waiting = Fiber.spawn(() -> echoOnce(next));
                assertEquals(-1, silent.read(ByteBuffer.allocate(1)), "the server closed the silent connection");
                closedAfter[0] = (System.nanoTime() - start) / 1_000_000;
                waiting.get(Duration.ofSeconds(10)); // and served the next client in its slot
            }
            server.stop(Duration.ofSeconds(5));
            return null;
        });
        assertTrue(closedAfter[0] >= 250 && closedAfter[0] < 5_000, "closed after " + closedAfter[0] + " ms");
        assertEquals(List.of(), uncaught, "an idle connection closed by the server is no handler failure");
    }

    @Test
    void aPeerPastItsCapIsClosedAtOnceWhileAnotherAddressIsServed() throws Exception {
        Hub.run(() -> {
            StreamServer server = StreamServer.builder(ECHO).maxConnectionsPerPeer(2).start();
            List<TcpSocket> mine = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                mine.add(TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5)));
                echoOnce(mine.get(i));
            }
            try (TcpSocket third = TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5))) {
                third.setTimeout(Duration.ofSeconds(10));
                int got;
                try {
                    third.writeAll(new byte[] {1});
                    got = third.read(ByteBuffer.allocate(1));
                } catch (java.net.SocketException reset) {
                    got = -1; // closed before our byte arrived: the kernel answered it with a reset
                }
                assertEquals(-1, got, "a third connection from 127.0.0.1 is closed");
            }
            int port = server.port();
            String other = ThreadPool.offload(() -> {
                try (Socket s = new Socket()) { // another peer address: 127.0.0.2
                    s.bind(new InetSocketAddress("127.0.0.2", 0));
                    s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
                    s.setSoTimeout(10_000);
                    s.getOutputStream().write(7);
                    return "echoed " + s.getInputStream().read();
                }
            });
            assertEquals("echoed 7", other);
            mine.get(0).close();
            for (int i = 0; i < 100 && server.connections() > 1; i++) {
                Fiber.sleep(Duration.ofMillis(10)); // its handler sees the close and ends
            }
            try (TcpSocket again = TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5))) {
                echoOnce(again); // a slot of 127.0.0.1 was freed
            }
            mine.forEach(TcpSocket::close);
            server.stop(Duration.ofSeconds(5));
            return null;
        });
    }

    @Test
    void whenFullANewClientMakesTheServerCloseTheConnectionIdleLongest() throws Exception {
        Hub.run(() -> {
            Set<TcpSocket> idle = new LinkedHashSet<>(); // the application's own idea of idle: waiting to read
            StreamServer server = StreamServer.builder(socket -> {
                ByteBuffer buf = ByteBuffer.allocate(64);
                while (true) {
                    idle.add(socket);
                    int n;
                    try {
                        n = socket.read(buf.clear());
                    } catch (SocketClosedException reclaimed) {
                        return;
                    } finally {
                        idle.remove(socket);
                    }
                    if (n < 0) {
                        return;
                    }
                    socket.writeAll(buf.flip());
                }
            }).maxConnections(2).reclaimWhenFull(() -> {
                if (idle.isEmpty()) {
                    return false;
                }
                TcpSocket oldest = idle.iterator().next();
                idle.remove(oldest);
                oldest.close();
                return true;
            }).start();
            TcpSocket first = TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5));
            echoOnce(first);
            TcpSocket second = TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5));
            echoOnce(second);
            Fiber.sleep(Duration.ofMillis(200));
            assertEquals(2, server.connections(), "full, and nobody waiting: nothing is closed");
            echoOnce(first); // first is now the more recently active one
            try (TcpSocket third = TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5))) {
                echoOnce(third);
                second.setTimeout(Duration.ofSeconds(10));
                assertEquals(-1, second.read(ByteBuffer.allocate(1)), "the connection idle longest was closed");
                echoOnce(first);
                assertFalse(server.connections() > 2);
            }
            first.close();
            second.close();
            server.stop(Duration.ofSeconds(5));
            return null;
        });
    }
}
