package dev.weft.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.sockets.ThreadPool;
import dev.weft.testkit.ChildJvm;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * 10,000 idle WebSocket connections on one hub: the server (this JVM) holds each in a fiber parked in
 * {@code receive()} with the default keep-alive armed; the clients run in a child JVM (the descriptor
 * limit here is 20,000 per process). Measures the server's heap per idle connection (after full GCs),
 * bounds it, and checks that every connection closes cleanly and the server's count returns to zero.
 * The figure goes to {@code target/idle-connections-<backend>.txt}.
 */
class IdleConnectionsTest {
    private static final int COUNT = 10_000;

    @Test
    @org.junit.jupiter.api.Timeout(value = 5, unit = TimeUnit.MINUTES)
    void tenThousandIdleConnectionsOnOneHubWithBoundedMemory() throws Exception {
        Hub.run(() -> {
            try (TestServer server = TestServer.start(WebSocketServer.defaults(), TestServer.ECHO)) {
                long before = usedHeapAfterGc();
                java.util.Map<String, long[]> histogramBefore = ThreadPool.offload(IdleConnectionsTest::histogram);
                List<String> cmd = ChildJvm.of(IdleClients.class, String.valueOf(server.port()), String.valueOf(COUNT))
                        .jvmOptions("-Xss4m", "-Dweft.watchdog.ms=0").command();
                Process child = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
                try {
                    BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
                    PrintStream in = new PrintStream(child.getOutputStream(), true, StandardCharsets.UTF_8);
                    long start = System.nanoTime();
                    String ready = ThreadPool.offload(out::readLine);
                    double openSeconds = (System.nanoTime() - start) / 1e9;
                    assertEquals("READY " + COUNT, ready);
                    while (server.connections() < COUNT) {
                        Fiber.sleep(Duration.ofMillis(10)); // the last handlers are still parking
                    }
                    long idle = usedHeapAfterGc();
                    java.util.Map<String, long[]> histogramIdle = ThreadPool.offload(IdleConnectionsTest::histogram);
                    double perConnection = (idle - before) / (double) COUNT;
                    assertEquals(COUNT, server.connections());
                    in.println("close");
                    String closed = ThreadPool.offload(out::readLine);
                    assertEquals("CLOSED " + COUNT, closed, "every client's closing handshake ended with 1000");
                    while (server.connections() > 0) {
                        Fiber.sleep(Duration.ofMillis(10));
                    }
                    assertTrue(server.failures.isEmpty(), server.failures.toString());
                    assertEquals(COUNT, server.endings.size());
                    String line = String.format(Locale.ROOT, "%s: %,d idle connections opened (handshake and one echo each) in %.1f s;"
                            + " server heap %,d -> %,d bytes after full GCs: %,.0f bytes per idle connection%n",
                            Hub.current().backendName(), COUNT, openSeconds, before, idle, perConnection);
                    Files.writeString(Path.of("target", "idle-connections-" + Hub.current().backendName() + ".txt"),
                            line + growth(histogramBefore, histogramIdle));
                    assertTrue(perConnection < 16 * 1024, line);
                } finally {
                    child.getOutputStream().close();
                    if (!child.waitFor(30, TimeUnit.SECONDS)) {
                        child.destroyForcibly();
                    }
                }
            }
        });
    }

    /** Live objects by class (the JVM's GC.class_histogram diagnostic command, which runs a full GC): instances and bytes. */
    private static java.util.Map<String, long[]> histogram() throws Exception {
        String text = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[] {new String[0]}, new String[] {String[].class.getName()});
        java.util.Map<String, long[]> byClass = new java.util.HashMap<>();
        for (String row : text.split("\n")) {
            String[] w = row.trim().split("\\s+");
            if (w.length >= 4 && w[0].endsWith(":") && w[0].length() > 1 && Character.isDigit(w[0].charAt(0))) {
                byClass.put(w[3], new long[] {Long.parseLong(w[1]), Long.parseLong(w[2])});
            }
        }
        return byClass;
    }

    /** The classes that grew most, per connection. */
    private static String growth(java.util.Map<String, long[]> before, java.util.Map<String, long[]> after) {
        StringBuilder sb = new StringBuilder("  largest growth per connection (class: instances, bytes):\n");
        after.entrySet().stream()
                .map(e -> java.util.Map.entry(e.getKey(), new long[] {e.getValue()[0] - before.getOrDefault(e.getKey(), new long[2])[0],
                        e.getValue()[1] - before.getOrDefault(e.getKey(), new long[2])[1]}))
                .filter(e -> e.getValue()[1] > 0)
                .sorted((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1])).limit(25)
                .forEach(e -> sb.append(String.format(Locale.ROOT, "    %-70s %6.2f %8.1f%n", e.getKey(),
                        e.getValue()[0] / (double) COUNT, e.getValue()[1] / (double) COUNT)));
        return sb.toString();
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
