package dev.weft.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Event;
import dev.weft.junit5.FiberTest;
import java.io.EOFException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** The array reads and the bounded readFully (issue 16 item 15); each test a fiber (see {@link FiberTest}). */
class TcpSocketReadsTest {

    @FiberTest
    void arrayReadsAndReadFully() throws Exception {
        StreamServer server = StreamServer.builder(s -> s.writeAll("abcdefgh".getBytes(StandardCharsets.US_ASCII)))
                .start();
        try (TcpSocket s = TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5))) {
            byte[] two = new byte[2];
            s.readFully(two);
            byte[] rest = new byte[10];
            int n = 0;
            while (n < 6) {
                int r = s.read(rest, n, rest.length - n);
                assertTrue(r > 0);
                n += r;
            }
            assertEquals(-1, s.read(new byte[4]), "end of stream");
            assertThrows(EOFException.class, () -> s.readFully(new byte[1]));
            assertEquals("abcdefgh", new String(two, StandardCharsets.US_ASCII) + new String(rest, 0, n, StandardCharsets.US_ASCII));
        } finally {
            server.stop(Duration.ofSeconds(1));
        }
    }

    @FiberTest
    void readFullyWithATimeoutBoundsTheWholeCallAndKeepsWhatItRead() throws Exception {
        Event more = new Event();
        StreamServer server = StreamServer.builder(s -> {
            s.writeAll("half".getBytes(StandardCharsets.US_ASCII));
            more.await();
            s.writeAll("rest".getBytes(StandardCharsets.US_ASCII));
            s.read(ByteBuffer.allocate(1));
        }).start();
        try (TcpSocket s = TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5))) {
            ByteBuffer all = ByteBuffer.allocate(8);
            long start = System.nanoTime();
            SocketTimeoutException e = assertThrows(SocketTimeoutException.class,
                    () -> s.readFully(all, Duration.ofMillis(100)));
            long took = (System.nanoTime() - start) / 1_000_000;
            assertTrue(took >= 95 && took < 5_000, took + " ms");
            assertTrue(e.getMessage().contains("readFully's timeout of 100 ms"), e.getMessage());
            assertEquals(4, all.position(), "what was read stays in the buffer");
            more.set();
            s.readFully(all, Duration.ofSeconds(5));
            assertEquals("halfrest", new String(all.array(), StandardCharsets.US_ASCII));
        } finally {
            server.stop(Duration.ofSeconds(1));
        }
    }
}
