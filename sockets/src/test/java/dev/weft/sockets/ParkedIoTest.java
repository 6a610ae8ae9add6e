package dev.weft.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Event;
import dev.weft.fibers.Fiber;
import dev.weft.fibers.FiberState;
import dev.weft.fibers.Hub;
import dev.weft.fibers.Timeout;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * Fibers parked in socket I/O when their socket is closed, their fiber killed or their hub closed;
 * many connections accepted and connected at once. On the backend under test (io_uring's suite run
 * too: there a parked wait is a poll in the ring, which a close must cancel before the descriptor
 * goes). Real sockets on 127.0.0.1.
 */
@org.junit.jupiter.api.Timeout(120)
class ParkedIoTest {
    private static final int ROUNDS = 20;

    @Test
    @EnabledOnOs(OS.LINUX)
    void closeWakesAParkedReaderAndAParkedWriterThePeerSeesEndOfStreamAndNoDescriptorLeaks() throws Exception {
        closeWithAReaderAndAWriterParked(); // class loading and first-use descriptors, before the count
        long before = openFileDescriptors();
        for (int i = 0; i < ROUNDS; i++) {
            closeWithAReaderAndAWriterParked();
        }
        long after = openFileDescriptors();
        // a descriptor lost per round would show as ROUNDS
        assertTrue(after - before <= 2, "open descriptors before " + before + ", after " + ROUNDS + " rounds " + after);
    }

    /** A reader and a writer parked on one socket, closed by a third fiber; the peer then drains to EOF. */
    private static void closeWithAReaderAndAWriterParked() throws Exception {
        Hub.run(() -> {
            Event drain = new Event();
            AtomicLong peerRead = new AtomicLong(-1);
            StreamServer server = StreamServer.builder(socket -> {
                drain.await(); // not reading until told: the client's writer fills both buffers and parks
                ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
                long n = 0;
                for (int r; (r = socket.read(buf.clear())) >= 0; ) {
                    n += r;
                }
                peerRead.set(n);
            }).bind("127.0.0.1", 0).start();
            TcpSocket s = TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5));
            AtomicLong written = new AtomicLong();
            ByteBuffer big = ByteBuffer.allocate(32 * 1024 * 1024);
            Fiber<Integer> reader = Fiber.spawn("reader", () -> s.read(ByteBuffer.allocate(1)));
            Fiber<Void> writer = Fiber.spawn("writer", () -> {
                try {
                    s.writeAll(big);
                } finally {
                    written.set(big.position());
                }
            });
            while (reader.state() != FiberState.WAITING || writer.state() != FiberState.WAITING) {
                Fiber.yield();
            }
            Fiber.spawn("closer", s::close).join();
            for (Fiber<?> f : List.of(reader, writer)) {
                Throwable thrown = assertThrows(CompletionException.class, f::get).getCause();
                SocketClosedException e = assertInstanceOf(SocketClosedException.class, thrown);
                assertTrue(e.getMessage().contains("closer"), e.getMessage());
            }
            assertTrue(written.get() > 0 && written.get() < big.capacity(), "the writer parked after " + written + " bytes");
            drain.set();
            try (Timeout t = Timeout.after(Duration.ofSeconds(10))) {
                while (peerRead.get() < 0) {
                    Fiber.sleep(Duration.ofMillis(1));
                }
            }
            assertEquals(written.get(), peerRead.get(), "the peer reads every byte sent, then end of stream");
            server.stop(Duration.ZERO);
            return null;
        });
    }

    @Test
    void aKilledReaderRunsItsFinallyAndTheSocketStaysUsable() throws Exception {
        Hub.run(() -> {
            Event send = new Event();
            StreamServer server = StreamServer.builder(socket -> {
                send.await();
                socket.writeAll(new byte[] {42});
                socket.read(ByteBuffer.allocate(1));
            }).bind("127.0.0.1", 0).start();
            try (TcpSocket s = TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5))) {
                for (int i = 0; i < 100; i++) { // each round parks, cancels and parks again
                    AtomicInteger unwound = new AtomicInteger();
                    Fiber<Integer> reader = Fiber.spawn("reader", () -> {
                        try {
                            return s.read(ByteBuffer.allocate(1));
                        } finally {
                            unwound.incrementAndGet();
                        }
                    });
                    while (reader.state() != FiberState.WAITING) {
                        Fiber.yield();
                    }
                    assertTrue(reader.kill(Duration.ofSeconds(5)), "the killed reader ended");
                    assertEquals(FiberState.KILLED, reader.state());
                    assertEquals(1, unwound.get(), "the killed reader's finally ran once");
                }
                send.set();
                ByteBuffer one = ByteBuffer.allocate(1);
                try (Timeout t = Timeout.after(Duration.ofSeconds(10))) {
                    assertEquals(1, s.read(one), "the byte sent after the kills reaches the next reader");
                }
                assertEquals(42, one.get(0));
            } finally {
                server.stop(Duration.ZERO);
            }
            return null;
        });
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void closingTheHubUnwindsFibersParkedInReadsAndClosesTheirSockets() throws Exception {
        hubClosedWithParkedReaders(); // warm-up, before the count
        long before = openFileDescriptors();
        for (int i = 0; i < ROUNDS; i++) {
            assertEquals(50, hubClosedWithParkedReaders(), "every parked reader ran its finally");
        }
        long after = openFileDescriptors();
        assertTrue(after - before <= 2, "open descriptors before " + before + ", after " + ROUNDS + " rounds " + after);
    }

    /** 50 client fibers parked in reads (and 50 server fibers too) when the hub closes; how many unwound. */
    private static int hubClosedWithParkedReaders() throws Exception {
        AtomicInteger unwound = new AtomicInteger();
        try (Hub hub = Hub.open(null)) {
            hub.call(() -> {
                StreamServer server = StreamServer.builder(socket -> socket.read(ByteBuffer.allocate(1)))
                        .bind("127.0.0.1", 0).start();
                List<Fiber<?>> readers = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    TcpSocket s = TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5));
                    readers.add(Fiber.spawn("reader-" + i, () -> {
                        try {
                            return s.read(ByteBuffer.allocate(1));
                        } finally {
                            unwound.incrementAndGet();
                        }
                    }));
                }
                for (Fiber<?> f : readers) {
                    while (f.state() != FiberState.WAITING) {
                        Fiber.yield();
                    }
                }
                return null; // the readers, the server and its handlers stay parked until the hub closes
            });
        }
        return unwound.get();
    }

    @Test
    void twoThousandConnectionsAcceptedAndConnectedAtOnceAllEcho() throws Exception {
        int n = 2000;
        int echoed = Hub.run(() -> {
            StreamServer server = StreamServer.builder(socket -> {
                ByteBuffer buf = ByteBuffer.allocate(8);
                while (socket.read(buf.clear()) > 0) {
                    socket.writeAll(buf.flip());
                }
            }).bind("127.0.0.1", 0).backlog(n).start();
            List<Fiber<Integer>> clients = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int id = i;
                clients.add(Fiber.spawn("client-" + i, () -> {
                    try (TcpSocket s = TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(30))) {
                        s.writeAll(ByteBuffer.allocate(4).putInt(0, id));
                        ByteBuffer back = ByteBuffer.allocate(4);
                        s.readFully(back);
                        return back.getInt(0) == id ? 1 : 0;
                    }
                }));
            }
            int ok = 0;
            for (Fiber<Integer> c : clients) {
                ok += c.get();
            }
            server.stop(Duration.ofSeconds(5));
            return ok;
        });
        assertEquals(n, echoed);
    }

    private static long openFileDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
