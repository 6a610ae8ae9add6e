package dev.weft.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.FiberState;
import dev.weft.fibers.Hub;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A fiber killed while it waits in a read, whose {@code finally} then does what a JDBC driver's
 * cleanup does: writes a short goodbye (the socket takes it at once) and closes the socket, with no
 * guard around the write. The write completes (a kill already thrown stays pending, but only a call
 * that has to wait throws it, as on every backend), the peer reads the goodbye and the end of the
 * stream, and the socket's descriptor is gone from {@code /proc/self/fd}. On io_uring a read or
 * write is an operation submitted to the kernel that always parks: heap buffers too here ({@code
 * weft.iouring.lentChunks} on), direct ones always. Every backend of the suite, heap and direct buffers.
 */
@org.junit.jupiter.api.Timeout(60)
@EnabledOnOs(OS.LINUX)
class KilledReaderCleanupTest {
    private static final String CAP = "weft.iouring.lentChunks";
    private static final int ROUNDS = 10;
    private static final String GOODBYE = "bye";

    @ParameterizedTest
    @EnumSource(ParkedIoTest.Buffers.class)
    void aKilledReadersGoodbyeIsSentAndItsSocketClosedInItsFinally(ParkedIoTest.Buffers buffers) throws Exception {
        String old = System.getProperty(CAP);
        System.setProperty(CAP, "16"); // read when the hub's poller opens
        try {
            Hub.run(() -> {
                List<String> peerGot = new CopyOnWriteArrayList<>();
                StreamServer server = StreamServer.builder(socket -> {
                    ByteArrayOutputStream got = new ByteArrayOutputStream();
                    ByteBuffer buf = ByteBuffer.allocate(64);
                    for (int r; (r = socket.read(buf.clear())) >= 0; ) { // sends nothing: the client's read parks
                        got.write(buf.array(), 0, r);
                    }
                    peerGot.add(got.toString(StandardCharsets.US_ASCII));
                }).bind("127.0.0.1", 0).start();
                try {
                    for (int round = 1; round <= ROUNDS; round++) {
                        Set<String> socketsBefore = sockets();
                        Fiber<Integer> reader = Fiber.spawn("reader", () -> {
                            TcpSocket s = TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5));
                            try {
                                return s.read(buffers.allocate(4096));
                            } finally {
                                s.writeAll(buffers.allocate(GOODBYE.length()).put(GOODBYE.getBytes(StandardCharsets.US_ASCII))
                                        .flip());
                                s.close();
                            }
                        });
                        while (reader.state() != FiberState.WAITING && !reader.state().isDone()) {
                            Fiber.yield();
                        }
                        Fiber.sleep(Duration.ofMillis(5)); // parked in the read now, not in the connect
                        reader.kill(Duration.ofSeconds(5));
                        assertTrue(reader.state().isDone(), "the killed reader ended");
                        try {
                            reader.get();
                        } catch (CancellationException killed) {
                            // the kill, which its finally did not replace
                        }
                        Set<String> opened = sockets();
                        opened.removeAll(socketsBefore);
                        for (int i = 0; i < 500 && peerGot.size() < round; i++) {
                            Fiber.sleep(Duration.ofMillis(10)); // the server's side ends once it has read the end
                        }
                        assertEquals(round, peerGot.size(), "round " + round + ": the peer read the end of the stream (the killed reader closed its socket)");
                        assertEquals(GOODBYE, peerGot.get(round - 1), "round " + round + ": what the peer read");
                        opened.retainAll(sockets());
                        assertEquals(Set.of(), opened, "round " + round + ": the killed reader's socket still open"
                                + " (descriptor -> inode)");
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

    /** This process's open socket descriptors, as "fd -> socket:[inode]". */
    private static Set<String> sockets() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.map(KilledReaderCleanupTest::describe).filter(s -> s.contains("socket:"))
                    .collect(Collectors.toCollection(HashSet::new));
        }
    }

    private static String describe(Path fd) {
        try {
            return fd.getFileName() + " -> " + Files.readSymbolicLink(fd);
        } catch (IOException closedMeanwhile) {
            return "";
        }
    }
}
