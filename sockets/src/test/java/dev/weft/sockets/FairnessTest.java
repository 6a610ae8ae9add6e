package dev.weft.sockets;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** A fiber whose socket always has data cannot starve the others (issue 16 item 16). */
@org.junit.jupiter.api.Timeout(60)
class FairnessTest {

    @Test
    void aTickerKeepsTickingWhileTwoFibersReadSocketsThatAlwaysHaveData() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> feeders = new ArrayList<>();
        try (ServerSocket listener = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            for (int i = 0; i < 2; i++) {
                Thread feeder = new Thread(() -> {
                    try (Socket s = listener.accept(); OutputStream out = s.getOutputStream()) {
                        byte[] chunk = new byte[64 * 1024];
                        while (!stop.get()) {
                            out.write(chunk); // blocks while the reader's buffers are full: always ahead
                        }
                    } catch (Exception ignored) {
                        // the reader closed: done
                    }
                }, "feeder-" + i);
                feeder.setDaemon(true);
                feeder.start();
                feeders.add(feeder);
            }
            // The readers read until the ticker has ticked 20 times, or 10 s: a reader that never
            // switches starves the ticker, and they run the whole 10 s with 0 ticks (measured before
            // the fix). With the budget, 20 ticks take 20-300 ms here, depending on the machine's load.
            long[] result = Hub.run(() -> {
                int[] count = {0};
                Fiber<Void> ticker = Fiber.spawn("ticker", () -> {
                    while (true) {
                        Fiber.sleep(Duration.ofMillis(1));
                        count[0]++;
                    }
                });
                long start = System.nanoTime();
                List<TcpSocket> sockets = new ArrayList<>();
                for (int i = 0; i < 2; i++) { // both connected before any reader runs
                    sockets.add(TcpSocket.connect("127.0.0.1", listener.getLocalPort(), Duration.ofSeconds(5)));
                }
                List<Fiber<Long>> readers = new ArrayList<>();
                for (TcpSocket s : sockets) {
                    readers.add(Fiber.spawn("reader-" + readers.size(), () -> {
                        try (s) {
                            ByteBuffer small = ByteBuffer.allocate(64); // drains far slower than it is fed
                            long end = System.nanoTime() + 10_000_000_000L;
                            long bytes = 0;
                            while (count[0] < 20 && System.nanoTime() < end) {
                                bytes += s.read(small.clear());
                            }
                            return bytes;
                        }
                    }));
                }
                for (Fiber<Long> r : readers) {
                    assertTrue(r.get() > 0);
                }
                long tookMillis = (System.nanoTime() - start) / 1_000_000;
                ticker.kill();
                return new long[] {count[0], tookMillis};
            });
            stop.set(true);
            assertTrue(result[0] >= 20, "the ticker ticked only " + result[0] + " times in " + result[1] + " ms");
            assertTrue(result[1] < 10_000, "20 ticks took " + result[1] + " ms");
        } finally {
            stop.set(true);
            for (Thread t : feeders) {
                t.join(5_000);
            }
        }
    }
}
