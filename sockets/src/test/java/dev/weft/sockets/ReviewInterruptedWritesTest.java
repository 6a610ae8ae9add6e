package dev.weft.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Event;
import dev.weft.fibers.Fiber;
import dev.weft.fibers.FiberTimeoutException;
import dev.weft.fibers.Hub;
import dev.weft.fibers.Timeout;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/**
 * Review reproducer for Connection's "nothing lost" rule on the write side, on the backend under test
 * (io_uring too): writes to a peer that does not read, interrupted again and again by a Timeout while
 * parked, then resumed where src's position says; the peer must get exactly those bytes, in order.
 */
@org.junit.jupiter.api.Timeout(60)
class ReviewInterruptedWritesTest {
    @Test
    void writesInterruptedByTimeoutsWhileParkedLoseAndRepeatNothing() throws Exception {
        long[] result = Hub.run(() -> {
            Event drain = new Event();
            CRC32 got = new CRC32();
            long[] received = new long[1];
            Event done = new Event();
            StreamServer server = StreamServer.builder(tcp -> {
                drain.await();
                ByteBuffer buf = ByteBuffer.allocate(8192);
                for (int n; (n = tcp.read(buf.clear())) > 0; ) {
                    got.update(buf.array(), 0, n);
                    received[0] += n;
                }
                done.set();
            }).bind("127.0.0.1", 0).start();
            try (TcpSocket c = TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5))) {
                c.setOption(StandardSocketOptions.SO_SNDBUF, 8192);
                CRC32 sent = new CRC32();
                long total = 0;
                int interrupted = 0;
                byte[] data = new byte[300_000];
                for (int i = 0; i < data.length; i++) {
                    data[i] = (byte) (i * 31 + (i >>> 8));
                }
                ByteBuffer src = ByteBuffer.wrap(data);
                while (interrupted < 30 && src.hasRemaining()) {
                    int before = src.position();
                    try (Timeout t = Timeout.after(Duration.ofMillis(10))) {
                        c.write(src);
                    } catch (FiberTimeoutException e) {
                        interrupted++;
                    }
                    sent.update(data, before, src.position() - before);
                    total += src.position() - before;
                }
                drain.set();
                int before = src.position();
                c.writeAll(src);
                sent.update(data, before, src.position() - before);
                total += src.position() - before;
                c.shutdownOutput();
                done.await();
                return new long[] {interrupted, total, received[0], sent.getValue(), got.getValue()};
            } finally {
                server.stop(Duration.ofSeconds(5));
            }
        });
        assertTrue(result[0] >= 30, "the writes parked and were interrupted: " + result[0]);
        assertEquals(result[1], result[2], "the peer got exactly what the positions said was taken");
        assertEquals(result[3], result[4], "in order, nothing repeated");
    }
}
