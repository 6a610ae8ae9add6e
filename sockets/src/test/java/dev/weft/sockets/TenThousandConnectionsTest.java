package dev.weft.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.testkit.ChildJvm;
import dev.weft.testkit.Measurements;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * 10,000 concurrent connections through one {@link StreamServer} on one hub. The clients run in a
 * child JVM ({@link LoadClients}) so this process holds the server's 10,000 descriptors only (the
 * machine's limit is 20,000 per process). Prints the time and the server's heap per connection.
 */
@org.junit.jupiter.api.Timeout(180)
class TenThousandConnectionsTest {
    private static final int CONNECTIONS = 10_000;

    @Test
    void oneServerOnOneHubServesTenThousandConcurrentConnections() throws Exception {
        long[] measured = Hub.run(() -> {
            StreamServer server = StreamServer.builder(socket -> {
                ByteBuffer buf = ByteBuffer.allocate(16);
                while (socket.read(buf.clear()) > 0) {
                    socket.writeAll(buf.flip());
                }
            }).backlog(4096).start();
            long heapBefore = usedHeap();
            long start = System.nanoTime();
            Process clients = ThreadPool.offload(() -> startClients(server.port()));
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(clients.getInputStream(), StandardCharsets.UTF_8));
                String line = ThreadPool.offload(out::readLine);
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertEquals("CONNECTED " + CONNECTIONS, line);
                int peak = server.connections();
                long heapPerConnection = (usedHeap() - heapBefore) / CONNECTIONS;
                PrintStream in = new PrintStream(clients.getOutputStream(), true, StandardCharsets.UTF_8);
                in.println("close");
                while (server.connections() > 0) {
                    Fiber.sleep(Duration.ofMillis(10));
                }
                assertTrue(ThreadPool.offload(() -> clients.waitFor(30, TimeUnit.SECONDS)), "clients exit");
                assertEquals(0, clients.exitValue());
                server.stop(Duration.ofSeconds(5));
                return new long[] {millis, peak, heapPerConnection};
            } finally {
                clients.destroyForcibly();
            }
        });
        Measurements.record(String.format("10,000 connections on %s: all open and echoed in %d ms, %d at once, ~%d B heap"
                + " per connection", dev.weft.hub.Backends.select().name(), measured[0], measured[1], measured[2]));
        assertEquals(CONNECTIONS, measured[1], "every connection was open at the same time");
        assertTrue(measured[0] < 120_000, "within two minutes: " + measured[0] + " ms");
    }

    private static Process startClients(int port) throws Exception {
        List<String> cmd = ChildJvm.of(LoadClients.class, String.valueOf(port), String.valueOf(CONNECTIONS)).command();
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        System.gc();
        return rt.totalMemory() - rt.freeMemory();
    }
}
