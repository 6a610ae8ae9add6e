package dev.weft.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.FiberState;
import dev.weft.fibers.FiberTimeoutException;
import dev.weft.fibers.Hub;
import dev.weft.fibers.Timeout;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Many connections reading and writing heap buffers at once on a hub that lends few direct chunks
 * (on io_uring a heap buffer's receive or send by completion borrows one; with every chunk lent the
 * next heap operation takes the readiness path instead, and nothing waits for a chunk): readers
 * interrupted by Timeouts and kills at random moments (fixed seeds) while the data arrives, so that
 * chunk-backed receives are cancelled while their bytes come in. Every connection's bytes come out
 * exactly once and in order. On every backend (the cap means nothing to the others; the cases still
 * hold there).
 */
@org.junit.jupiter.api.Timeout(120)
class HeapReadsBeyondTheChunkCapTest {
    private static final String CAP = "weft.iouring.lentChunks";
    private static final int CONNECTIONS = 12;
    private static final int MESSAGES = 400;

    @Test
    void interruptedHeapReadsOnMoreConnectionsThanChunksLoseAndRepeatNothing() throws Exception {
        String old = System.getProperty(CAP);
        System.setProperty(CAP, "3"); // read when the hub's poller opens
        try {
            Hub.run(() -> {
                AtomicInteger accepted = new AtomicInteger();
                StreamServer server = StreamServer.builder(socket -> {
                    Random pace = new Random(accepted.incrementAndGet());
                    ByteBuffer m = ByteBuffer.allocate(4);
                    for (int i = 0; i < MESSAGES; i++) {
                        socket.writeAll(m.clear().putInt(0, i));
                        if (pace.nextInt(4) == 0) {
                            Fiber.sleep(Duration.ofNanos(20_000 + pace.nextInt(150_000)));
                        }
                    }
                }).bind("127.0.0.1", 0).start();
                try {
                    List<Fiber<ByteBuffer>> readers = new ArrayList<>();
                    for (int c = 0; c < CONNECTIONS; c++) {
                        int seed = c;
                        readers.add(Fiber.spawn("reader-" + c, () -> readAllInterrupted(server.port(), seed)));
                    }
                    for (Fiber<ByteBuffer> r : readers) {
                        ByteBuffer got = r.get();
                        for (int i = 0; i < MESSAGES; i++) {
                            assertEquals(i, got.getInt(4 * i), r.name() + ": message " + i);
                        }
                    }
                } finally {
                    server.stop(Duration.ZERO);
                }
                return null;
            });
        } finally {
            if (old == null) {
                System.clearProperty(CAP);
            } else {
                System.setProperty(CAP, old);
            }
        }
    }

    /** Reads every message of one connection into a heap buffer, each read interrupted now and then. */
    private static ByteBuffer readAllInterrupted(int port, int seed) throws Exception {
        Random when = new Random(seed);
        ByteBuffer got = ByteBuffer.allocate(4 * MESSAGES);
        try (TcpSocket s = TcpSocket.connect("127.0.0.1", port, Duration.ofSeconds(5))) {
            try (Timeout whole = Timeout.after(Duration.ofSeconds(60))) {
                for (int round = 0; got.hasRemaining(); round++) {
                    if (round % 5 == 4) {
                        readKilledSoon(s, got); // the read in a fiber of its own, killed once it parks
                        continue;
                    }
                    try (Timeout t = Timeout.after(Duration.ofNanos(10_000 + when.nextInt(200_000)))) {
                        if (s.read(got) < 0) {
                            throw new AssertionError("end of stream after " + got.position() + " bytes");
                        }
                    } catch (FiberTimeoutException interrupted) {
                        // nothing read by this call; what came stays for the next
                    }
                }
            }
        }
        return got;
    }

    /** One read of {@code got} in another fiber, killed as soon as it parks (or ended by itself first). */
    private static void readKilledSoon(TcpSocket s, ByteBuffer got) throws Exception {
        Fiber<Integer> reader = Fiber.spawn("killed-reader", () -> s.read(got));
        while (reader.state() != FiberState.WAITING && !reader.state().isDone()) {
            Fiber.yield();
        }
        reader.kill(Duration.ofSeconds(5));
    }
}
