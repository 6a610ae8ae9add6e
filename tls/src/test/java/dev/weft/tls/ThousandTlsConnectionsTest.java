package dev.weft.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.fibers.Event;
import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.junit5.FiberTest;
import dev.weft.sockets.StreamServer;
import dev.weft.testkit.Measurements;
import dev.weft.testkit.TestPki;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;

/**
 * 1,000 concurrent TLS connections on one hub: the server's 1,000 handler fibers and the 1,000
 * client fibers all run on the same hub thread, all connections open at the same moment, each
 * echoes a 1 KiB message with a check of every byte. Within 150 s, or the failure holds the hub's dump.
 */
@org.junit.jupiter.api.Timeout(180) // JUnit's own, around the fiber test's: longer, so that the dump comes first
class ThousandTlsConnectionsTest {
    private static final int CONNECTIONS = 1_000;

    @BeforeAll
    static void keys() throws Exception {
        TestPki.get(); // made (and the JDK's TLS warmed up) off any hub
    }

    @FiberTest(timeout = 150)
    void oneHubServesAThousandConcurrentTlsConnections(Hub hub) throws Exception {
        // 2,000 handshakes (both ends) share one thread and a loaded machine: the default 10 s limit is
        // for stalled peers, not for a queue this long.
        TlsServer server = TlsServer.builder(TestPki.get().serverContext()).handshakeTimeout(Duration.ofSeconds(120)).build();
        StreamServer s = StreamServer.builder(server.handler(TlsSocketTest.ECHO)).backlog(CONNECTIONS).start();
        TlsClient client = TlsClient.builder(TestPki.get().clientContext()).handshakeTimeout(Duration.ofSeconds(120)).build();
        Event allOpen = new Event();
        int[] open = new int[1];
        int[] peak = new int[1];
        long start = System.nanoTime();
        List<Fiber<Integer>> clients = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS; i++) {
            int id = i;
            clients.add(Fiber.spawn("client " + i, () -> {
                try (TlsSocket sock = client.connect("localhost", s.port(), Duration.ofSeconds(30))) {
                    byte[] msg = new byte[1024];
                    for (int k = 0; k < msg.length; k++) {
                        msg[k] = (byte) (id * 31 + k);
                    }
                    sock.writeAll(msg);
                    ByteBuffer back = ByteBuffer.allocate(1024);
                    sock.readFully(back);
                    if (!java.util.Arrays.equals(msg, back.array())) {
                        throw new AssertionError("client " + id + " got other bytes back");
                    }
                    if (++open[0] == CONNECTIONS) {
                        peak[0] = s.connections();
                        allOpen.set();
                    }
                    allOpen.await();
                    return 1;
                }
            }));
        }
        int ok = 0;
        for (Fiber<Integer> f : clients) {
            ok += f.get();
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        s.stop(Duration.ofSeconds(10));
        assertEquals(CONNECTIONS, ok, "every client echoed");
        assertEquals(CONNECTIONS, peak[0], "all connections were open on the server at once");
        Measurements.record("1,000 concurrent TLS connections (both ends on one " + hub.backendName() + " hub): all open"
                + " and echoed in " + millis + " ms");
    }
}
