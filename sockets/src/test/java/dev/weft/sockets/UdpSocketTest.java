package dev.weft.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Fiber;
import dev.weft.junit5.FiberTest;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** UDP sockets and DatagramServer, each test a fiber on the backend of the pass (see {@link FiberTest}). */
class UdpSocketTest {

    @FiberTest
    void datagramsBetweenFibersConnectedAndNot() throws Exception {
        try (UdpSocket server = UdpSocket.bind("127.0.0.1", 0); UdpSocket client = UdpSocket.bind("127.0.0.1", 0)) {
            Fiber<Void> echo = Fiber.spawn("udp-echo", () -> {
                ByteBuffer buf = ByteBuffer.allocate(1500);
                var from = server.receive(buf);
                server.send(buf.flip(), from);
                return null;
            });
            client.connect(server.localAddress());
            client.send(ByteBuffer.wrap("datagram".getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer in = ByteBuffer.allocate(1500);
            assertEquals(server.localAddress(), client.receive(in));
            echo.get();
            assertEquals("datagram", new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII));
        }
    }

    @FiberTest
    void aReceiveTimesOutOnTime() throws Exception {
        try (UdpSocket s = UdpSocket.bind("127.0.0.1", 0)) {
            s.setTimeout(Duration.ofMillis(100));
            long start = System.nanoTime();
            assertThrows(SocketTimeoutException.class, () -> s.receive(ByteBuffer.allocate(10)));
            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(tookMillis >= 95 && tookMillis < 5_000, tookMillis + " ms");
        }
    }

    @FiberTest
    void aDatagramServerRunsAHandlerPerDatagramThatCanAnswer() throws Exception {
        DatagramServer server = DatagramServer.start("127.0.0.1", 0, 1500, (data, from, srv) -> {
            String text = StandardCharsets.US_ASCII.decode(data).toString();
            srv.send(ByteBuffer.wrap(text.toUpperCase().getBytes(StandardCharsets.US_ASCII)), from);
        });
        try (UdpSocket client = UdpSocket.bind("127.0.0.1", 0)) {
            client.setTimeout(Duration.ofSeconds(5));
            StringBuilder sb = new StringBuilder();
            for (String word : new String[] {"one", "two"}) {
                client.send(ByteBuffer.wrap(word.getBytes(StandardCharsets.US_ASCII)), server.address());
                ByteBuffer in = ByteBuffer.allocate(100);
                client.receive(in);
                sb.append(new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII)).append(' ');
            }
            assertEquals(0, server.stop(Duration.ofSeconds(1)));
            assertEquals("ONE TWO", sb.toString().trim());
        }
    }
}
