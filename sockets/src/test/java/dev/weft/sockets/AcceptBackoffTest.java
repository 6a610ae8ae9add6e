package dev.weft.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.testkit.ChildJvm;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * Running out of file descriptors: a server in a child JVM limited to 200 descriptors gets EMFILE
 * from accept once its handlers hold them all. It must back off (little CPU while stuck, a warning
 * naming the error) and accept again once connections close.
 */
@EnabledOnOs(OS.LINUX)
@org.junit.jupiter.api.Timeout(120)
class AcceptBackoffTest {

    @Test
    void acceptBacksOffOnEmfileAndRecoversWhenDescriptorsFree() throws Exception {
        Path log = Files.createTempFile("weft-emfile", ".log");
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", "ulimit -n 200 && exec \"$@\"", "sh"));
        cmd.addAll(ChildJvm.of(LowFdEchoServer.class).command());
        Process server = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
        try {
            String first = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            assertTrue(first != null && first.startsWith("PORT "), "server said: " + first + "; log: " + Files.readString(log));
            int port = Integer.parseInt(first.substring(5).trim());
            long[] cpuWhileStuckMillis = {0};
            Hub.run(() -> {
                List<TcpSocket> clients = new ArrayList<>();
                for (int i = 0; i < 300; i++) { // more than the server can hold: the kernel queues the rest
                    clients.add(TcpSocket.connect("127.0.0.1", port, Duration.ofSeconds(5)));
                }
                Fiber.sleep(Duration.ofMillis(300)); // let it run into the limit
                long before = cpuMillis(server);
                Fiber.sleep(Duration.ofSeconds(1)); // (Thread.sleep here made the hub watchdog warn)
                cpuWhileStuckMillis[0] = cpuMillis(server) - before;
                for (TcpSocket c : clients) {
                    c.close();
                }
                // descriptors free up: a new client is served again
                try (TcpSocket c = TcpSocket.connect("127.0.0.1", port, Duration.ofSeconds(5))) {
                    c.setTimeout(Duration.ofSeconds(10));
                    c.writeAll("back".getBytes(StandardCharsets.US_ASCII));
                    ByteBuffer in = ByteBuffer.allocate(4);
                    c.readFully(in);
                    assertEquals("back", new String(in.array(), StandardCharsets.US_ASCII));
                }
                return null;
            });
            String stderr = Files.readString(log);
            assertTrue(stderr.contains("Too many open files") && stderr.contains("retrying in"), stderr);
            assertTrue(cpuWhileStuckMillis[0] < 500, "backing off, not spinning: " + cpuWhileStuckMillis[0]
                    + " ms of CPU in 1 s");
        } finally {
            server.destroyForcibly();
            Files.deleteIfExists(log);
        }
    }

    /** User + system CPU time of the process, from /proc (clock ticks of 10 ms, the Linux default). */
    private static long cpuMillis(Process p) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + p.pid() + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
    }
}
