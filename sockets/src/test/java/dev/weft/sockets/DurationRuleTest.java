package dev.weft.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.FiberTimeoutException;
import dev.weft.fibers.Hub;
import dev.weft.fibers.Timeout;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The one rule for durations (issue 16 item 9), on sockets: null = no limit; zero or negative = do
 * not wait (fail at once unless the call completes without waiting); any positive duration works,
 * however long.
 */
@org.junit.jupiter.api.Timeout(60)
class DurationRuleTest {
    private static final Duration FOREVER = Duration.ofSeconds(Long.MAX_VALUE);

    /** Runs {@code read} on a connected socket that has nothing to read and returns how long it took to time out. */
    private static long millisUntilReadTimesOut(Duration socketTimeout) throws Exception {
        return Hub.run(() -> {
            StreamServer server = StreamServer.builder(socket -> Fiber.sleep(Duration.ofSeconds(30))).start();
            try (TcpSocket s = TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5))) {
                s.setTimeout(socketTimeout);
                assertEquals(socketTimeout, s.timeout());
                long start = System.nanoTime();
                assertThrows(SocketTimeoutException.class, () -> s.read(ByteBuffer.allocate(1)));
                return (System.nanoTime() - start) / 1_000_000;
            } finally {
                server.stop(Duration.ZERO);
            }
        });
    }

    @Test
    void aZeroSocketTimeoutFailsAtOnceWhenTheReadWouldBlock() throws Exception {
        assertTrue(millisUntilReadTimesOut(Duration.ZERO) < 1_000);
    }

    @Test
    void aNegativeSocketTimeoutFailsAtOnceToo() throws Exception {
        assertTrue(millisUntilReadTimesOut(Duration.ofMillis(-5)) < 1_000);
    }

    @Test
    void aZeroTimeoutStillReadsWhatIsThere() throws Exception {
        String got = Hub.run(() -> {
            StreamServer server = StreamServer.builder(socket -> {
                socket.writeAll("ready".getBytes());
                socket.read(ByteBuffer.allocate(1));
            }).start();
            try (TcpSocket s = TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5))) {
                Fiber.sleep(Duration.ofMillis(50)); // the bytes have arrived
                s.setTimeout(Duration.ZERO);
                ByteBuffer b = ByteBuffer.allocate(5);
                s.readFully(b);
                s.writeAll(new byte[] {1}); // the send buffer has room: no wait either
                return new String(b.array());
            } finally {
                server.stop(Duration.ofSeconds(1));
            }
        });
        assertEquals("ready", got);
    }

    @Test
    void nullAndAnAstronomicalTimeoutMeanNoLimit() throws Exception {
        for (Duration none : new Duration[] {null, FOREVER}) {
            Hub.run(() -> {
                StreamServer server = StreamServer.builder(socket -> Fiber.sleep(Duration.ofSeconds(30))).start();
                try (TcpSocket s = TcpSocket.connect("127.0.0.1", server.port(), none)) {
                    s.setTimeout(none);
                    assertEquals(none, s.timeout());
                    try (Timeout t = Timeout.after(Duration.ofMillis(100))) {
                        FiberTimeoutException e = assertThrows(FiberTimeoutException.class,
                                () -> s.read(ByteBuffer.allocate(1)));
                        assertTrue(e.is(t), "only the enclosing Timeout ended the wait");
                    }
                } finally {
                    server.stop(Duration.ZERO);
                }
                return null;
            });
        }
    }

    @Test
    void aZeroConnectTimeoutFailsAtOnceWhenTheConnectWouldWait() throws Exception {
        // A listener with a full backlog drops SYNs: a connect to it would wait.
        try (ServerSocket neverAccepts = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = neverAccepts.getLocalPort();
            Hub.run(() -> {
                List<TcpSocket> queued = new ArrayList<>();
                try {
                    for (int i = 0; i < 16; i++) {
                        long start = System.nanoTime();
                        try {
                            queued.add(TcpSocket.connect("127.0.0.1", port, Duration.ZERO));
                        } catch (SocketTimeoutException e) {
                            assertTrue(System.nanoTime() - start < 1_000_000_000L, "at once");
                            return null;
                        }
                    }
                    throw new AssertionError("16 connects with a zero timeout to a full backlog all succeeded");
                } finally {
                    queued.forEach(TcpSocket::close);
                }
            });
        }
    }

    @Test
    void udpFollowsTheSameRule() throws Exception {
        Hub.run(() -> {
            try (UdpSocket s = UdpSocket.bind("127.0.0.1", 0)) {
                s.setTimeout(Duration.ZERO);
                long start = System.nanoTime();
                assertThrows(SocketTimeoutException.class, () -> s.receive(ByteBuffer.allocate(10)));
                assertTrue(System.nanoTime() - start < 1_000_000_000L);
                s.setTimeout(null);
                assertNull(s.timeout());
                s.setTimeout(FOREVER);
                try (Timeout t = Timeout.after(Duration.ofMillis(50))) {
                    assertThrows(FiberTimeoutException.class, () -> s.receive(ByteBuffer.allocate(10)));
                }
            }
            return null;
        });
    }
}
