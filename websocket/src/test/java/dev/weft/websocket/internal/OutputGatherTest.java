package dev.weft.websocket.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.fibers.Hub;
import dev.weft.sockets.Connection;
import dev.weft.sockets.StreamServer;
import dev.weft.sockets.TcpSocket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link Output} writes several small queued frames with one write (copied together, at most {@link
 * Output#GATHER_LIMIT} bytes), over a real TCP connection whose writes are counted; the peer reads
 * every byte in order, also when a large frame (the caller's memory, borrowed) stands between small ones.
 */
@org.junit.jupiter.api.Timeout(60)
class OutputGatherTest {

    @Test
    void smallFramesCommittedTogetherGoInOneWriteAndLargeOnesOnTheirOwn() throws Exception {
        Hub.run(() -> {
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            StreamServer server = StreamServer.builder(socket -> {
                ByteBuffer buf = ByteBuffer.allocate(1 << 16);
                while (socket.read(buf.clear()) > 0) {
                    received.write(buf.array(), 0, buf.position());
                }
            }).bind("127.0.0.1", 0).start();
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            try (CountingConnection c = new CountingConnection(TcpSocket.connect("127.0.0.1", server.port()))) {
                Output out = new Output(c);
                FrameEncoder encoder = new FrameEncoder(false);
                List<FrameEncoder.Frame> small = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    small.add(encoder.frame(1, false, ByteBuffer.wrap(("message " + i).getBytes()), true));
                }
                small.forEach(f -> expected.writeBytes(bytes(f)));
                out.send(small);
                assertEquals(1, c.writes, "20 small frames: one write");

                byte[] big = new byte[100_000];
                java.util.Arrays.fill(big, (byte) 'x');
                FrameEncoder.Frame large = encoder.frame(2, false, ByteBuffer.wrap(big), false); // borrowed
                FrameEncoder.Frame before = encoder.frame(1, false, ByteBuffer.wrap("a".getBytes()), true);
                FrameEncoder.Frame after = encoder.frame(1, false, ByteBuffer.wrap("b".getBytes()), true);
                expected.writeBytes(bytes(before));
                expected.writeBytes(bytes(large));
                expected.writeBytes(bytes(after));
                c.writes = 0;
                out.send(List.of(before, large, after));
                // "a" and the large frame's header together, then the 100,000 borrowed bytes (over the
                // limit: on their own, in as many writes as the socket needs), then "b"
                org.junit.jupiter.api.Assertions.assertTrue(c.writes >= 3, c.writes + " writes");
                assertEquals(0, out.pending());
            }
            server.stop(Duration.ofSeconds(10));
            assertArrayEquals(expected.toByteArray(), received.toByteArray());
            return null;
        });
    }

    private static byte[] bytes(FrameEncoder.Frame f) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (ByteBuffer part : new ByteBuffer[] {f.header(), f.payload()}) {
            if (part != null) {
                ByteBuffer d = part.duplicate();
                byte[] a = new byte[d.remaining()];
                d.get(a);
                b.writeBytes(a);
            }
        }
        return b.toByteArray();
    }

    /** A real connection whose writes are counted. */
    private static final class CountingConnection implements WritableByteChannel {
        private final Connection c;
        int writes;

        CountingConnection(Connection c) {
            this.c = c;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            writes++;
            return c.write(src);
        }

        @Override
        public boolean isOpen() {
            return c.isOpen();
        }

        @Override
        public void close() {
            c.close();
        }
    }
}
