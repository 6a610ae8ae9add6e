package dev.weft.hub.iouring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.weft.hub.Availability;
import dev.weft.hub.CompletionStreamHandle;
import dev.weft.hub.ListenerHandle;
import dev.weft.hub.Ops;
import dev.weft.hub.PendingIo;
import dev.weft.hub.StreamHandle;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * Heap buffers read and written by completion through the poller's lent direct chunks ({@link
 * LentChunks}): the bytes land in the heap buffer at the completion, a receive that won the race with
 * its cancel still delivers its bytes there, a chunk goes back only at its operation's own completion
 * (also after a close), and when every chunk is lent a heap operation is refused to the caller, who
 * takes the readiness path (nothing waits for a chunk). Real sockets on 127.0.0.1, driven at the
 * poller level so the chunk counts can be seen.
 */
@EnabledOnOs(value = OS.LINUX, disabledReason = "io_uring exists only on Linux")
@org.junit.jupiter.api.Timeout(value = 60, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SAME_THREAD)
class HeapBufferCompletionTest {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 0);
    private IoUringPoller poller;
    private final List<StreamHandle> opened = new ArrayList<>();

    private void open(int maxChunks) {
        Availability a = new IoUringBackend().availability();
        assumeTrue(a.available(), () -> "SKIPPED: io_uring cannot run here: " + a.describe());
        poller = new IoUringPoller(new LentChunks(maxChunks));
    }

    @AfterEach
    void close() {
        if (poller != null) {
            opened.forEach(StreamHandle::close);
            poller.close();
        }
    }

    @Test
    void aHeapReadCompletesIntoTheHeapBufferAndGivesItsChunkBack() throws IOException {
        open(4);
        StreamHandle[] pair = connectedPair();
        CompletionStreamHandle reader = (CompletionStreamHandle) pair[0];
        ByteBuffer dst = ByteBuffer.allocate(64).position(10);
        PendingIo io = new PendingIo();
        assertTrue(reader.submitRead(dst, io), "a heap buffer is taken by completion");
        poller.poll(0); // the receive is parked in the kernel: nothing to read yet
        assertTrue(io.inFlight());
        assertEquals(1, poller.chunks().lent(), "the parked heap receive holds one chunk");
        writeAll(pair[1], ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5}));
        awaitCompletion(io);
        assertEquals(5, io.result());
        assertEquals(10, dst.position(), "the caller moves the position by the result");
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, Arrays.copyOfRange(dst.array(), 10, 15));
        assertEquals(0, poller.chunks().lent(), "the chunk went back at the completion");
    }

    @Test
    void aHeapReadThatWinsTheRaceWithItsCancelStillDeliversItsBytes() throws IOException {
        open(4);
        StreamHandle[] pair = connectedPair();
        CompletionStreamHandle reader = (CompletionStreamHandle) pair[0];
        byte[] sent = {9, 8, 7};
        writeAll(pair[1], ByteBuffer.wrap(sent));
        ByteBuffer dst = ByteBuffer.allocate(16);
        PendingIo io = new PendingIo();
        assertTrue(reader.submitRead(dst, io));
        reader.cancel(io); // queued behind the receive: the receive finds the bytes first
        awaitCompletion(io);
        assertEquals(3, io.result(), "the receive ran before its cancel and got the bytes");
        assertArrayEquals(sent, Arrays.copyOf(dst.array(), 3), "they are in the heap buffer, for the caller to keep");
        assertEquals(0, poller.chunks().lent());
    }

    @Test
    void aCancelledHeapReadLeavesTheBytesThatComeLaterForTheNextRead() throws IOException {
        open(4);
        StreamHandle[] pair = connectedPair();
        CompletionStreamHandle reader = (CompletionStreamHandle) pair[0];
        ByteBuffer dst = ByteBuffer.allocate(16);
        PendingIo io = new PendingIo();
        assertTrue(reader.submitRead(dst, io));
        poller.poll(0);
        reader.cancel(io);
        awaitCompletion(io);
        assertEquals(PendingIo.CANCELLED, io.result(), "cancelled while parked, before any byte came");
        assertEquals(0, poller.chunks().lent(), "the chunk went back at the cancelled receive's own completion");
        writeAll(pair[1], ByteBuffer.wrap(new byte[] {6, 6}));
        assertTrue(reader.submitRead(dst.clear(), io));
        awaitCompletion(io);
        assertEquals(2, io.result(), "the bytes sent after the cancel reach the next read");
        assertEquals(6, dst.get(1));
    }

    @Test
    void aHeapWriteIsCopiedIntoAChunkAndSentButABulkOneTakesTheReadinessPath() throws IOException {
        open(4);
        StreamHandle[] pair = connectedPair();
        CompletionStreamHandle writer = (CompletionStreamHandle) pair[0];
        byte[] small = new byte[LentChunks.CHUNK_BYTES];
        Arrays.fill(small, (byte) 3);
        ByteBuffer src = ByteBuffer.wrap(small);
        PendingIo io = new PendingIo();
        assertTrue(writer.submitWrite(src, io));
        Arrays.fill(small, (byte) 0); // the chunk holds a copy: the caller's array no longer matters
        awaitCompletion(io);
        assertEquals(small.length, io.result());
        assertEquals(0, poller.chunks().lent());
        byte[] got = readExactly(pair[1], small.length);
        for (byte b : got) {
            assertEquals(3, b, "the bytes sent are those at the submit");
        }
        assertFalse(writer.submitWrite(ByteBuffer.allocate(LentChunks.CHUNK_BYTES + 1), io),
                "more than a chunk: the readiness path moves it with fewer round trips");
        assertFalse(io.inFlight());
    }

    @Test
    void whenEveryChunkIsLentAHeapReadIsRefusedAndTakesTheReadinessPath() throws IOException {
        open(2);
        List<StreamHandle[]> pairs = new ArrayList<>();
        List<PendingIo> ios = new ArrayList<>();
        List<ByteBuffer> buffers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            pairs.add(connectedPair());
            ios.add(new PendingIo());
            buffers.add(ByteBuffer.allocate(8));
        }
        assertTrue(((CompletionStreamHandle) pairs.get(0)[0]).submitRead(buffers.get(0), ios.get(0)));
        assertTrue(((CompletionStreamHandle) pairs.get(1)[0]).submitRead(buffers.get(1), ios.get(1)));
        assertFalse(((CompletionStreamHandle) pairs.get(2)[0]).submitRead(buffers.get(2), ios.get(2)),
                "no chunk left: refused at once, not queued");
        assertFalse(((CompletionStreamHandle) pairs.get(2)[0]).submitWrite(ByteBuffer.allocate(1), ios.get(2)),
                "a heap write too");
        assertFalse(ios.get(2).inFlight());
        assertEquals(2, poller.chunks().lent());
        // the third reads by readiness, beside the two in flight
        for (int i = 0; i < 3; i++) {
            writeAll(pairs.get(i)[1], ByteBuffer.wrap(new byte[] {(byte) i}));
        }
        assertArrayEquals(new byte[] {2}, readExactly(pairs.get(2)[0], 1));
        awaitCompletion(ios.get(0));
        awaitCompletion(ios.get(1));
        assertEquals(0, buffers.get(0).get(0));
        assertEquals(1, buffers.get(1).get(0));
        assertEquals(0, poller.chunks().lent());
        assertTrue(((CompletionStreamHandle) pairs.get(2)[0]).submitRead(buffers.get(2).clear(), ios.get(2)),
                "a chunk given back is lent again");
    }

    @Test
    void aCloseWithAHeapReadAndWriteInFlightGivesBothChunksBackAtTheirCompletions() throws IOException {
        open(4);
        StreamHandle[] pair = connectedPair();
        CompletionStreamHandle h = (CompletionStreamHandle) pair[0];
        fillUntilWouldBlock(pair[0]);
        PendingIo read = new PendingIo();
        PendingIo write = new PendingIo();
        assertTrue(h.submitRead(ByteBuffer.allocate(8), read));
        assertTrue(h.submitWrite(ByteBuffer.allocate(100), write));
        poller.poll(0); // both parked in the kernel: nothing to read, no room to send
        assertTrue(read.inFlight() && write.inFlight());
        assertEquals(2, poller.chunks().lent());
        pair[0].close();
        awaitCompletion(read);
        awaitCompletion(write);
        assertEquals(PendingIo.CANCELLED, read.result());
        assertEquals(0, poller.chunks().lent(), "both chunks back once the kernel completed both operations");
    }

    @Test
    void theCapComesFromTheSystemPropertyAndZeroTurnsHeapCompletionOff() {
        assertEquals(LentChunks.DEFAULT_MAX, LentChunks.fromProperty().max());
        assertEquals(null, new LentChunks(0).lend());
        String old = System.getProperty(LentChunks.MAX_PROPERTY);
        try {
            System.setProperty(LentChunks.MAX_PROPERTY, "7");
            assertEquals(7, LentChunks.fromProperty().max());
            System.setProperty(LentChunks.MAX_PROPERTY, "lots");
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    LentChunks::fromProperty);
            assertTrue(e.getMessage().contains("weft.iouring.lentChunks") && e.getMessage().contains("lots"), e.getMessage());
        } finally {
            if (old == null) {
                System.clearProperty(LentChunks.MAX_PROPERTY);
            } else {
                System.setProperty(LentChunks.MAX_PROPERTY, old);
            }
        }
    }

    private void awaitCompletion(PendingIo io) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (io.inFlight()) {
            assertTrue(System.nanoTime() < deadline, "no completion for " + io);
            poller.poll(100_000_000L);
        }
    }

    /** A connected client and its accepted peer, closed at the end. */
    private StreamHandle[] connectedPair() throws IOException {
        ListenerHandle l = poller.openListener(StandardProtocolFamily.INET);
        try {
            l.bind(LOOPBACK, 8);
            StreamHandle c = poller.openStream(StandardProtocolFamily.INET);
            opened.add(c);
            if (!c.connect((InetSocketAddress) l.localAddress())) {
                do {
                    awaitReady(c, Ops.WRITE);
                } while (!c.finishConnect());
            }
            StreamHandle s;
            while ((s = l.accept()) == null) {
                awaitReady(l, Ops.READ);
            }
            opened.add(s);
            return new StreamHandle[] {c, s};
        } finally {
            l.close();
        }
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
}
