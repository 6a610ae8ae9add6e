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
            int ticks = Hub.run(() -> {
                int[] count = {0};
                Fiber<Void> ticker = Fiber.spawn("ticker", () -> {
                    while (true) {
                        Fiber.sleep(Duration.ofMillis(1));
                        count[0]++;
                    }
                });
                List<Fiber<Long>> readers = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    TcpSocket s = TcpSocket.connect("127.0.0.1", listener.getLocalPort(), Duration.ofSeconds(5));
                    readers.add(Fiber.spawn("reader-" + i, () -> {
                        try (s) {
                            ByteBuffer small = ByteBuffer.allocate(64); // drains far slower than it is fed
                            long end = System.nanoTime() + 300_000_000L;
                            long bytes = 0;
                            while (System.nanoTime() < end) {
                                bytes += s.read(small.clear());
                            }
                            return bytes;
                        }
                    }));
                }
                for (Fiber<Long> r : readers) {
                    assertTrue(r.get() > 0);
                }
                ticker.kill();
                return count[0];
            });
            stop.set(true);
            // 300 ms of 1 ms sleeps: about 300 ticks on an idle machine, 25-100 on our loaded 2 cores
            // (the feeders compete for them); 0-3 when the readers starve it (measured before the fix)
            assertTrue(ticks >= 10, "the ticker ticked only " + ticks + " times in 300 ms");
        } finally {
            stop.set(true);
            for (Thread t : feeders) {
                t.join(5_000);
            }
        }
    }
}
