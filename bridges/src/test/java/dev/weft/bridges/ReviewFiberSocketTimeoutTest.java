package dev.weft.bridges;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.sockets.StreamServer;
import dev.weft.sockets.TcpSocket;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Review reproducer: FiberSocket's reader's SO_TIMEOUT must not bound its writer. */
@org.junit.jupiter.api.Timeout(60)
class ReviewFiberSocketTimeoutTest {
    private static final int SIZE = 1 << 20;

    /**
     * FiberSocket's writes have no time limit (OwnedConnection.write), SO_TIMEOUT bounds reads only, as
     * on java.net.Socket. A reader fiber with SO_TIMEOUT 50 ms and a writer fiber on the same socket:
     * the writer's writeAll picks up the timeout the reader last set on the shared Connection and
     * fails mid-message while the peer reads slowly.
     */
    @Test
    void aReadersSoTimeoutDoesNotTimeOutAWriteToASlowPeer() throws Exception {
        AtomicLong received = new AtomicLong();
        AtomicReference<Throwable> writeFailure = new AtomicReference<>();
        Hub.run(() -> {
            StreamServer server = StreamServer.builder(tcp -> {
                ByteBuffer buf = ByteBuffer.allocate(16 * 1024);
                Fiber.sleep(Duration.ofMillis(200));
                for (int i = 0; i < 5; i++) { // a slow peer for a while
                    int n = tcp.read(buf.clear());
                    if (n < 0) {
                        return;
                    }
                    received.addAndGet(n);
                    Fiber.sleep(Duration.ofMillis(150));
                }
                for (int n; (n = tcp.read(buf.clear())) > 0; ) {
                    received.addAndGet(n);
                }
            }).bind("127.0.0.1", 0).start();
            try {
                TcpSocket tcp = TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5));
                tcp.setOption(StandardSocketOptions.SO_SNDBUF, 16 * 1024);
                try (FiberSocket s = new FiberSocket(tcp)) {
                    AtomicBoolean done = new AtomicBoolean();
                    Fiber<Void> writer = Fiber.spawn("writer", () -> {
                        try {
                            OutputStream out = s.getOutputStream();
                            out.write(new byte[SIZE]);
                            s.shutdownOutput();
                        } catch (Throwable e) {
                            writeFailure.set(e);
                        } finally {
                            done.set(true);
                        }
                    });
                    s.setSoTimeout(50);
                    InputStream in = s.getInputStream();
                    while (!done.get()) {
                        try {
                            in.read();
                        } catch (SocketTimeoutException expected) {
                            // the peer never answers: SO_TIMEOUT ends each read
                        }
                    }
                    writer.join();
                }
                for (int i = 0; i < 100 && received.get() < SIZE; i++) {
                    Fiber.sleep(Duration.ofMillis(50));
                }
            } finally {
                server.stop(Duration.ofSeconds(5));
            }
            return null;
        });
        assertNull(writeFailure.get(), "the write failed: " + writeFailure.get());
        assertEquals(SIZE, received.get(), "the peer got all of the write");
    }
}
