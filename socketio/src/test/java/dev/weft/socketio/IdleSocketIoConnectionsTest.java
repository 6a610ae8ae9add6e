package dev.weft.socketio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.http.WeftHttpServer;
import dev.weft.sockets.ThreadPool;
import dev.weft.testkit.ChildJvm;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;

/**
 * 10,000 idle Socket.IO clients (WebSocket transport, connected to {@code /}) on one hub, the clients
 * in a child JVM ({@link IdleSocketIoClients}; the descriptor limit is 20,000 per process): all
 * connect; the server's heap per client is measured (after full GCs) and bounded ({@value
 * #MAX_BYTES_PER_CLIENT} bytes); with a 1 s pingInterval every client answers pings for over two
 * intervals and none is dropped; a broadcast to everyone reaches all 10,000; then the server
 * disconnects all ({@code disconnectAll}: the close packet, then the closing handshake with 1000)
 * and its session count and connections return to 0. The figure goes to {@code
 * target/idle-socketio-<backend>.txt}.
 *
 * <p>It takes 7-15 s per backend here (the 2-core machine: epoll 7 s, nio 15 s).
 */
class IdleSocketIoConnectionsTest {
    private static final int COUNT = 10_000;
    private static final int MAX_BYTES_PER_CLIENT = 48 * 1024;
    private static final Duration PING_INTERVAL = Duration.ofSeconds(1);

    @Test
    @org.junit.jupiter.api.Timeout(value = 3, unit = TimeUnit.MINUTES)
    void tenThousandIdleClientsOnOneHubArePingedReachedByABroadcastAndAllLeave() throws Exception {
        Hub.run(() -> {
            WeftHttpServer http = WeftHttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            SocketIoServer io = SocketIoServer.builder().pingInterval(PING_INTERVAL).pingTimeout(Duration.ofSeconds(10)).build();
            io.attach(http);
            http.start();
            try {
                long before = usedHeapAfterGc();
                List<String> cmd = ChildJvm.of(IdleSocketIoClients.class, String.valueOf(http.getAddress().getPort()),
                        String.valueOf(COUNT)).jvmOptions("-Dweft.watchdog.ms=0").command();
                Process child = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
                try {
                    BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
                    PrintStream in = new PrintStream(child.getOutputStream(), true, StandardCharsets.UTF_8);
                    long start = System.nanoTime();
                    assertEquals("READY " + COUNT, ThreadPool.offload(out::readLine));
                    double openSeconds = (System.nanoTime() - start) / 1e9;
                    await("sessions", io::clients, COUNT);
                    long idle = usedHeapAfterGc();
                    double perClient = (idle - before) / (double) COUNT;

                    long pingedFrom = System.nanoTime();
                    int[] stats;
                    do { // every client answered a ping, and stays
                        Fiber.sleep(PING_INTERVAL.dividedBy(2));
                        in.println("stats");
                        stats = parse(ThreadPool.offload(out::readLine));
                    } while (stats[1] < COUNT || System.nanoTime() - pingedFrom < PING_INTERVAL.multipliedBy(2).toNanos());
                    assertEquals(COUNT, io.clients(), "no client was dropped while pinged");

                    io.of("/").emit("all", "to everyone");
                    long deadline = System.nanoTime() + 30_000_000_000L;
                    do {
                        Fiber.sleep(Duration.ofMillis(100));
                        in.println("stats");
                        stats = parse(ThreadPool.offload(out::readLine));
                        assertTrue(System.nanoTime() < deadline, stats[2] + " of " + COUNT + " got the broadcast within 30 s");
                    } while (stats[2] < COUNT);
                    assertEquals(COUNT, stats[2]);

                    io.disconnectAll();
                    in.println("await-close");
                    assertEquals("CLOSED " + COUNT, ThreadPool.offload(out::readLine), "every closing handshake ended with 1000");
                    await("sessions", io::clients, 0);
                    await("connections", http::connections, 0);
                    String line = String.format(Locale.ROOT, "%s: %,d idle Socket.IO clients (websocket, namespace /) connected in %.1f s;"
                            + " server heap %,d -> %,d bytes after full GCs: %,.0f bytes per client; %,d pongs, every client answered"
                            + " pings for %.1f s; a broadcast reached all%n", Hub.current().backendName(), COUNT, openSeconds, before, idle,
                            perClient, stats[0], (System.nanoTime() - pingedFrom) / 1e9);
                    Files.writeString(Path.of("target", "idle-socketio-" + Hub.current().backendName() + ".txt"), line);
                    assertTrue(perClient < MAX_BYTES_PER_CLIENT, line);
                } finally {
                    child.getOutputStream().close();
                    if (!child.waitFor(30, TimeUnit.SECONDS)) {
                        child.destroyForcibly();
                    }
                }
            } finally {
                http.stop(0);
            }
        });
    }

    private static int[] parse(String line) {
        assertTrue(line != null && line.startsWith("STATS "), String.valueOf(line));
        String[] w = line.split(" ");
        return new int[] {Integer.parseInt(w[1]), Integer.parseInt(w[2]), Integer.parseInt(w[3])};
    }

    /** Waits (at most 30 s) until {@code value} is {@code expected}. In a fiber. */
    private static void await(String what, IntSupplier value, int expected) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (value.getAsInt() != expected) {
            assertTrue(System.nanoTime() < deadline, what + ": " + value.getAsInt() + ", expected " + expected);
            Fiber.sleep(Duration.ofMillis(10));
        }
    }

    private static long usedHeapAfterGc() throws Exception {
        return ThreadPool.offload(() -> {
            for (int i = 0; i < 3; i++) {
                System.gc();
            }
            return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        });
    }
}
