package dev.weft.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Event;
import dev.weft.fibers.Fiber;
import dev.weft.sockets.TcpSocket;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Clients that hold connection slots for nothing (issue 23, item 19), against the real server on
 * 127.0.0.1 with {@code maxConnections} 200 and 200 attackers (the descriptor limit of the machine
 * is 20,000 per process): slow POSTs, idle keep-alive connections, a reader that takes a byte now
 * and then. In each case a new client must be served within seconds, not after the idle timeout.
 */
@org.junit.jupiter.api.Timeout(120)
class SlowClientsTest {
    private static final int SLOTS = 200;

    private static void serve(HttpLimits limits, HttpServerTest.Body body) throws Exception {
        HttpServerTest.serve(limits, body); // with /hello and /echo, nothing may escape to the hub
    }

    /** How long a new client waits for {@code GET /hello}; fails if it takes longer than {@code limit}. */
    private static long newClientMillis(WeftHttpServer server, Duration limit) throws Exception {
        long start = System.nanoTime();
        try (TcpSocket s = HttpServerTest.connect(server);
             dev.weft.fibers.Timeout t = dev.weft.fibers.Timeout.after(limit)) {
            HttpServerTest.send(s, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals("hello", new RawResponse.Reader(s).next().body());
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    @Test
    void slowPostsGet408AfterTheGraceAndTheirSlotsServeNewClients() throws Exception {
        HttpLimits limits = HttpLimits.defaults().withMaxConnections(SLOTS).withMinDataRate(240, Duration.ofSeconds(1));
        List<Integer> statuses = new CopyOnWriteArrayList<>();
        serve(limits, server -> {
            int[] reading = {0};
            Event allReading = new Event();
            server.createContext("/upload", ex -> {
                if (++reading[0] == SLOTS) {
                    allReading.set();
                }
                ex.getRequestBody().readAllBytes();
                ex.sendResponseHeaders(200, -1);
            });
            List<Fiber<Void>> attackers = new ArrayList<>();
            for (int i = 0; i < SLOTS; i++) {
                attackers.add(Fiber.spawn(() -> slowPost(server, statuses)));
            }
            assertTrue(allReading.await(Duration.ofSeconds(30)), "every attacker holds a slot");
            long waited = newClientMillis(server, Duration.ofSeconds(8));
            assertTrue(waited < 8_000, "a new client waited " + waited + " ms");
            for (Fiber<Void> a : attackers) {
                a.get(Duration.ofSeconds(30));
            }
        });
        assertEquals(SLOTS, statuses.size());
        assertTrue(statuses.stream().allMatch(s -> s == 408), statuses.toString());
    }

    /** A POST of 100,000 bytes sent at 2.5 bytes/s (500 bytes/s for all 200), until the server answers. */
    private static void slowPost(WeftHttpServer server, List<Integer> statuses) throws IOException {
        try (TcpSocket s = HttpServerTest.connect(server)) {
            HttpServerTest.send(s, "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n");
            RawResponse[] answer = new RawResponse[1];
            Fiber<Void> reader = Fiber.spawn(() -> {
                answer[0] = new RawResponse.Reader(s).next();
            });
            try {
                while (!reader.isDone()) {
                    s.writeAll(new byte[] {'x'});
                    Fiber.sleep(Duration.ofMillis(400));
                }
            } catch (IOException closedByTheServer) {
                // the server answered and closed; the reader has the answer
            }
            reader.get(Duration.ofSeconds(10));
            statuses.add(answer[0] == null ? -1 : answer[0].status());
        }
    }

    @Test
    void idleKeepAliveConnectionsGiveTheirSlotsToNewClientsLongestIdleFirst() throws Exception {
        serve(HttpLimits.defaults().withMaxConnections(SLOTS), server -> {
            List<TcpSocket> idle = new ArrayList<>();
            for (int i = 0; i < SLOTS; i++) {
                TcpSocket s = HttpServerTest.connect(server);
                idle.add(s);
                HttpServerTest.send(s, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
                assertEquals("hello", new RawResponse.Reader(s).next().body()); // then it stays open, idle
            }
            long waited = newClientMillis(server, Duration.ofSeconds(8));
            assertTrue(waited < 8_000, "a new client waited " + waited + " ms (the idle timeout is 30 s)");
            assertTrue(new RawResponse.Reader(idle.get(0)).closedByServer(), "the connection idle longest made room");
            TcpSocket newest = idle.get(SLOTS - 1);
            HttpServerTest.send(newest, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals("hello", new RawResponse.Reader(newest).next().body(), "the newest idle one still serves");
            idle.forEach(TcpSocket::close);
        });
    }

    @Test
    void aReaderThatTakesAByteNowAndThenIsCutOffAtTheMinimumRate() throws Exception {
        HttpLimits limits = HttpLimits.defaults().withMaxConnections(1).withMinDataRate(100_000, Duration.ofMillis(200));
        List<String> writeFailures = new CopyOnWriteArrayList<>();
        serve(limits, server -> {
            server.createContext("/big", ex -> {
                byte[] chunk = new byte[64 * 1024];
                ex.sendResponseHeaders(200, 0);
                try (OutputStream out = ex.getResponseBody()) {
                    for (int i = 0; i < 256; i++) { // 16 MiB: more than the kernel's buffers hold
                        out.write(chunk);
                    }
                } catch (IOException e) {
                    writeFailures.add(e.getMessage());
                    throw e;
                }
            });
            TcpSocket slow = HttpServerTest.connect(server);
            slow.setBufferSizes(4096, 4096);
            HttpServerTest.send(slow, "GET /big HTTP/1.1\r\nHost: x\r\n\r\n");
            Fiber<Long> reader = Fiber.spawn(() -> {
                long got = 0;
                ByteBuffer one = ByteBuffer.allocate(1);
                try {
                    while (slow.read(one.clear()) > 0) {
                        got++;
                        Fiber.sleep(Duration.ofMillis(50)); // 20 bytes/s
                    }
                } catch (IOException reset) {
                    // cut off
                }
                return got;
            });
            long waited = newClientMillis(server, Duration.ofSeconds(10)); // the only slot is the slow reader's
            assertTrue(waited < 10_000, "a new client waited " + waited + " ms");
            slow.close();
            reader.get(Duration.ofSeconds(10));
        });
        assertEquals(1, writeFailures.size(), writeFailures.toString());
        assertTrue(writeFailures.get(0).contains("slower than 100000 bytes/s"), writeFailures.get(0));
    }

    @Test
    void aClientPastItsCapPerAddressIsClosedAtOnce() throws Exception {
        serve(HttpLimits.defaults().withMaxConnectionsPerPeer(2), server -> {
            try (TcpSocket a = HttpServerTest.connect(server); TcpSocket b = HttpServerTest.connect(server);
                 TcpSocket c = HttpServerTest.connect(server)) {
                for (TcpSocket s : List.of(a, b)) {
                    HttpServerTest.send(s, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
                    assertEquals("hello", new RawResponse.Reader(s).next().body());
                }
                RawResponse third;
                try {
                    HttpServerTest.send(c, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
                    third = new RawResponse.Reader(c).next();
                } catch (java.net.SocketException reset) {
                    third = null; // closed before our request arrived: the kernel answered it with a reset
                }
                assertEquals(null, third, "a third connection from 127.0.0.1 is closed unanswered");
            }
        });
    }
}
