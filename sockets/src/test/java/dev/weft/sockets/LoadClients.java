package dev.weft.sockets;

import dev.weft.fibers.Event;
import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The client side of {@link TenThousandConnectionsTest}, run in its own JVM (so that the server's
 * process holds only the server's descriptors): opens N connections as N fibers on one hub, has each
 * echo one byte, prints {@code CONNECTED N} when all are open at once, and closes them all when its
 * standard input says {@code close}.
 */
public final class LoadClients {
    private LoadClients() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int n = Integer.parseInt(args[1]);
        Hub.run(() -> {
            Event allOpen = new Event();
            Event close = new Event();
            int[] open = {0};
            List<Fiber<Void>> clients = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                clients.add(Fiber.spawn(() -> {
                    try (TcpSocket s = TcpSocket.connect("127.0.0.1", port, Duration.ofSeconds(30))) {
                        s.writeAll(new byte[] {7});
                        s.readFully(ByteBuffer.allocate(1));
                        if (++open[0] == n) {
                            allOpen.set();
                        }
                        close.await();
                    }
                    return null;
                }));
            }
            allOpen.await();
            System.out.println("CONNECTED " + open[0]);
            System.out.flush();
            String line = ThreadPool.offload(() -> new BufferedReader(new InputStreamReader(System.in)).readLine());
            if (!"close".equals(line)) {
                throw new IllegalStateException("expected 'close', got " + line);
            }
            close.set();
            Fiber.joinAll(clients, Duration.ofSeconds(30));
            return null;
        });
    }
}
