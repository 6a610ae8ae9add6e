package dev.weft.hub.iouring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.weft.hub.Availability;
import dev.weft.hub.ListenerHandle;
import dev.weft.hub.Ops;
import dev.weft.hub.Poller;
import dev.weft.hub.StreamHandle;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * Closing a handle whose polls are in flight in the ring: the polls are cancelled and the
 * descriptor is closed by the ring behind them, never by close(2) under a live poll (which would
 * keep the connection open: the peer would see no end of stream), and both have run when {@code
 * close()} returns (the port is free, the peer sees the end). Real sockets on 127.0.0.1.
 */
@EnabledOnOs(value = OS.LINUX, disabledReason = "io_uring exists only on Linux")
@org.junit.jupiter.api.Timeout(value = 60, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SAME_THREAD)
class IoUringCloseTest {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 0);
    private Poller poller;

    @BeforeEach
    void open() {
        Availability a = new IoUringBackend().availability();
        assumeTrue(a.available(), () -> "SKIPPED: io_uring cannot run here: " + a.describe());
        poller = new IoUringBackend().open();
    }

    @AfterEach
    void close() {
        if (poller != null) {
            poller.close();
        }
    }

    @Test
    void closeWithAReadAndAWritePollInFlightWakesBothThePeerSeesEndOfStreamAndTheNumberIsFreed() throws IOException {
        ListenerHandle l = listen();
        StreamHandle client = connect(l);
        StreamHandle server = accept(l);
        fillUntilWouldBlock(server);
        long before = openFileDescriptors();
        boolean[] woken = new boolean[2];
        server.await(Ops.READ, () -> woken[0] = true);
        server.await(Ops.WRITE, () -> woken[1] = true);
        poller.poll(0); // both polls go into the kernel and stay there
        server.close();
        assertTrue(woken[0] && woken[1], "close runs both armed callbacks");
        assertThrows(ClosedChannelException.class, () -> server.read(ByteBuffer.allocate(1)));
        assertThrows(ClosedChannelException.class, () -> server.write(ByteBuffer.allocate(1)));
        assertEquals(before - 1, openFileDescriptors(), "the ring's close has run when close() returns");
        // the peer drains what the server had sent, then sees the end of stream
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
        long deadline = System.nanoTime() + 10_000_000_000L;
        int r;
        while ((r = client.read(buf.clear())) >= 0) {
            assertTrue(System.nanoTime() < deadline, "the peer never saw the end of stream");
            if (r == 0) {
                awaitReady(client, Ops.READ);
            }
        }
        client.close();
        l.close();
    }

    @Test
    void aListenerClosedWhileItsAcceptPollIsInFlightFreesItsPortAtOnce() throws IOException {
        for (int round = 0; round < 20; round++) {
            ListenerHandle l = listen();
            InetSocketAddress at = (InetSocketAddress) l.localAddress();
            l.await(Ops.READ, () -> { });
            poller.poll(0); // the accept poll is in the kernel, holding the socket
            l.close();
            ListenerHandle again = poller.openListener(StandardProtocolFamily.INET);
            again.bind(at, 128); // throws "Address already in use" if the old socket still lives
            again.close();
        }
    }

    @Test
    void aNumberReusedInTheSameIterationGetsItsOwnBytes() throws IOException {
        ListenerHandle l = listen();
        for (int round = 0; round < 50; round++) {
            StreamHandle first = connect(l);
            StreamHandle firstPeer = accept(l);
            boolean[] woken = new boolean[1];
            first.await(Ops.READ, () -> woken[0] = true);
            poller.poll(0);
            first.close(); // cancel + close queued in the ring, not yet run
            StreamHandle second = connect(l); // may get the same number once the ring's close has run
            StreamHandle secondPeer = accept(l);
            byte[] hello = {(byte) round, 2, 3};
            writeAll(secondPeer, ByteBuffer.wrap(hello));
            assertArrayEquals(hello, readExactly(second, hello.length), "round " + round);
            ByteBuffer eof = ByteBuffer.allocate(1);
            int r;
            while ((r = firstPeer.read(eof)) == 0) {
                awaitReady(firstPeer, Ops.READ);
            }
            assertEquals(-1, r, "the first connection's peer sees its end of stream");
            firstPeer.close();
            second.close();
            secondPeer.close();
        }
        l.close();
    }

    private ListenerHandle listen() throws IOException {
        ListenerHandle l = poller.openListener(StandardProtocolFamily.INET);
        l.bind(LOOPBACK, 128);
        return l;
    }

    private StreamHandle connect(ListenerHandle l) throws IOException {
        StreamHandle c = poller.openStream(StandardProtocolFamily.INET);
        if (!c.connect((InetSocketAddress) l.localAddress())) {
            do {
                awaitReady(c, Ops.WRITE);
            } while (!c.finishConnect());
        }
        return c;
    }

    private StreamHandle accept(ListenerHandle l) throws IOException {
        StreamHandle s;
        while ((s = l.accept()) == null) {
            awaitReady(l, Ops.READ);
        }
        return s;
    }

    private void awaitReady(dev.weft.hub.IoHandle h, int op) {
        boolean[] fired = new boolean[1];
        h.await(op, () -> fired[0] = true);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!fired[0]) {
            assertTrue(System.nanoTime() < deadline, Ops.toString(op) + " readiness never came for " + h);
            poller.poll(100_000_000L);
        }
    }

    private static void fillUntilWouldBlock(StreamHandle h) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20);
        while (h.write(chunk.clear()) > 0) {
            // until the send and receive buffers are full
        }
    }

    private void writeAll(StreamHandle h, ByteBuffer src) throws IOException {
        while (src.hasRemaining()) {
            if (h.write(src) == 0) {
                awaitReady(h, Ops.WRITE);
            }
        }
    }

    private byte[] readExactly(StreamHandle h, int n) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(n);
        while (buf.hasRemaining()) {
            int r = h.read(buf);
            assertTrue(r >= 0, "end of stream before " + n + " bytes");
            if (r == 0) {
                awaitReady(h, Ops.READ);
            }
        }
        return buf.array();
    }

    private static long openFileDescriptors() throws IOException {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
