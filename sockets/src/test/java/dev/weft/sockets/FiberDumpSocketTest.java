package dev.weft.sockets;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Hub.dump names the peer of a socket a fiber waits on (the fibers module cannot open sockets itself). */
@org.junit.jupiter.api.Timeout(60)
class FiberDumpSocketTest {

    @Test
    void aFiberWaitingOnASocketIsShownWithItsPeer() throws Exception {
        String dump = Hub.run(() -> {
            StreamServer server = StreamServer.builder(socket -> Fiber.sleep(Duration.ofSeconds(60))).start();
            try (TcpSocket client = TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5))) {
                Fiber<Integer> reader = Fiber.spawn("reader", () -> client.read(new byte[16], 0, 16));
                Fiber.sleep(20);
                String text = Hub.current().dump();
                reader.kill(Duration.ofSeconds(5)); // ended (on io_uring: its receive cancelled and completed) before the next reader
                // a direct buffer: on io_uring a receive in flight in the kernel, shown the same way
                Fiber<Integer> direct = Fiber.spawn("direct reader", () -> client.read(java.nio.ByteBuffer.allocateDirect(16)));
                Fiber.sleep(20);
                text += Hub.current().dump();
                direct.kill();
                server.stop(Duration.ZERO);
                return text;
            }
        });
        assertTrue(dump.matches("(?s).*#\\d+ 'reader' WAITING on socket .* to /127\\.0\\.0\\.1:\\d+.*"), dump);
        assertTrue(dump.matches("(?s).*#\\d+ 'direct reader' WAITING on socket .* to /127\\.0\\.0\\.1:\\d+.*"), dump);
    }
}
