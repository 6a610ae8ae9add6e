package dev.weft.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.weft.fibers.Event;
import dev.weft.fibers.FiberPinnedException;
import dev.weft.fibers.Hub;
import dev.weft.fibers.Queue;
import dev.weft.fibers.internal.FiberContinuation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Socket I/O from a fiber that cannot switch (a critical section: {@link FiberContinuation#pinned}; a
 * class initializer or a native frame on the stack pins it the same way): what can be done without
 * parking is done, what would have to park throws {@link FiberPinnedException}, and the socket is
 * intact afterwards: nothing left in flight, nothing read or written twice, nothing lost. On every
 * backend, with heap and direct buffers (on io_uring a direct buffer's read or write is an operation
 * submitted to the kernel before the fiber finds out it cannot park).
 */
@org.junit.jupiter.api.Timeout(60)
class PinnedIoTest {
    /** A socket call, in a critical section where the fiber cannot switch. */
    interface SocketCall {
        int call() throws IOException;
    }

    private static int pinned(SocketCall call) {
        int[] result = new int[1];
        FiberContinuation.pinned(() -> {
            try {
                result[0] = call.call();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        return result[0];
    }

    @ParameterizedTest
    @EnumSource(ParkedIoTest.Buffers.class)
    void aPinnedReadWithNothingToReadThrowsAndTheNextReadGetsWhatCameAfter(ParkedIoTest.Buffers buffers) throws Exception {
        String got = Hub.run(() -> {
            try (Pair p = Pair.open()) {
                ByteBuffer buf = buffers.allocate(16);
                for (int round = 0; round < 3; round++) {
                    assertThrows(FiberPinnedException.class, () -> pinned(() -> p.client.read(buf)));
                    assertEquals(0, buf.position(), "a pinned read that threw read nothing");
                }
                p.server.writeAll(ByteBuffer.wrap("late".getBytes(StandardCharsets.US_ASCII)));
                int n = p.client.read(buf);
                return new String(bytes(buf.flip()), StandardCharsets.US_ASCII) + "/" + n;
            }
        });
        assertEquals("late/4", got);
    }

    @ParameterizedTest
    @EnumSource(ParkedIoTest.Buffers.class)
    void aPinnedWriteThatFitsGoesOutOnceAndTheSocketStaysUsable(ParkedIoTest.Buffers buffers) throws Exception {
        String got = Hub.run(() -> {
            try (Pair p = Pair.open()) {
                ByteBuffer out = buffers.allocate(5).put("first".getBytes(StandardCharsets.US_ASCII)).flip();
                int n = pinned(() -> p.client.write(out)); // an empty send buffer takes it without a wait
                ByteBuffer more = buffers.allocate(6).put("second".getBytes(StandardCharsets.US_ASCII)).flip();
                p.client.writeAll(more);
                ByteBuffer in = ByteBuffer.allocate(11);
                while (in.hasRemaining()) {
                    p.server.read(in);
                }
                return n + ":" + new String(in.array(), StandardCharsets.US_ASCII);
            }
        });
        assertEquals("5:firstsecond", got);
    }

    static byte[] bytes(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.get(a);
        return a;
    }

    /** A connected pair on 127.0.0.1: the client and the server's accepted side (held until close). In a fiber. */
    record Pair(TcpSocket client, TcpSocket server, StreamServer listener, Event done) implements AutoCloseable {
        static Pair open() throws Exception {
            Queue<TcpSocket> accepted = new Queue<>();
            Event done = new Event();
            StreamServer listener = StreamServer.builder(socket -> {
                accepted.put(socket);
                done.await();
            }).bind("127.0.0.1", 0).start();
            TcpSocket client = TcpSocket.connect("127.0.0.1", listener.port(), Duration.ofSeconds(5));
            return new Pair(client, accepted.get(), listener, done);
        }

        @Override
        public void close() {
            client.close();
            done.set();
            listener.stop(Duration.ofSeconds(5));
        }
    }
}
