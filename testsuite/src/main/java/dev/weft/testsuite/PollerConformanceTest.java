package dev.weft.testsuite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.hub.AcceptedStream;
import dev.weft.hub.DatagramHandle;
import dev.weft.hub.EventLoop;
import dev.weft.hub.HubBackend;
import dev.weft.hub.IoHandle;
import dev.weft.hub.ListenerHandle;
import dev.weft.hub.Ops;
import dev.weft.hub.Poller;
import dev.weft.hub.StreamHandle;
import dev.weft.hub.WrongThreadException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every backend's {@link Poller} and socket handles keep (see {@link IoHandle} and
 * {@link Poller}), on real sockets on 127.0.0.1, without fibers: each test drives the poller by
 * hand, on the test thread (the poller is bound to the thread that opens it, so the timeout runs in
 * the same thread). A backend module runs it with a one-line subclass naming its {@link HubBackend}.
 */
@org.junit.jupiter.api.Timeout(value = 30, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SAME_THREAD)
public abstract class PollerConformanceTest {
    private static final InetSocketAddress ANY_LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    /** The backend under test. */
    protected abstract HubBackend backend();

    protected Poller poller;

    @BeforeEach
    void open() {
        poller = backend().open();
    }

    @AfterEach
    void close() {
        poller.close();
    }

    // ---------------------------------------------------------------- helpers

    /** Arms {@code op} on {@code h} and polls until its callback ran; fails after 5 s. */
    private void awaitReady(IoHandle h, int op) {
        boolean[] fired = new boolean[1];
        h.await(op, () -> fired[0] = true);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!fired[0]) {
            assertTrue(System.nanoTime() < deadline, Ops.toString(op) + " readiness never came for " + h);
            poller.poll(100_000_000L);
        }
    }

    private ListenerHandle listen() throws IOException {
        ListenerHandle l = poller.openListener(StandardProtocolFamily.INET);
        l.bind(ANY_LOOPBACK, 512);
        return l;
    }

    private StreamHandle connect(InetSocketAddress to) throws IOException {
        StreamHandle c = poller.openStream(StandardProtocolFamily.INET);
        if (!c.connect(to)) {
            while (true) {
                awaitReady(c, Ops.WRITE);
                if (c.finishConnect()) {
                    break;
                }
            }
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

    private static InetSocketAddress addressOf(IoHandle h) throws IOException {
        return (InetSocketAddress) h.localAddress();
    }

    /** Reads until {@code n} bytes, end-of-stream or an exception; direct or heap as asked. */
    private byte[] readExactly(StreamHandle h, int n, boolean direct) throws IOException {
        ByteBuffer buf = direct ? ByteBuffer.allocateDirect(n) : ByteBuffer.allocate(n);
        while (buf.hasRemaining()) {
            int r = h.read(buf);
            if (r < 0) {
                break;
            }
            if (r == 0) {
                awaitReady(h, Ops.READ);
            }
        }
        buf.flip();
        byte[] out = new byte[buf.remaining()];
        buf.get(out);
        return out;
    }

    private void writeAll(StreamHandle h, ByteBuffer src) throws IOException {
        while (src.hasRemaining()) {
            if (h.write(src) == 0) {
                awaitReady(h, Ops.WRITE);
            }
        }
    }

    // ---------------------------------------------------------------- tests

    @Test
    void connectAcceptAndEchoBytesThroughHeapAndDirectBuffers() throws IOException {
        ListenerHandle l = listen();
        StreamHandle client = connect(addressOf(l));
        StreamHandle server = accept(l);
        assertEquals(addressOf(client), server.remoteAddress());

        byte[] hello = "hello, hub".getBytes(StandardCharsets.US_ASCII);
        writeAll(client, ByteBuffer.wrap(hello));
        assertArrayEquals(hello, readExactly(server, hello.length, false));

        ByteBuffer direct = ByteBuffer.allocateDirect(hello.length).put(hello).flip();
        writeAll(server, direct);
        assertArrayEquals(hello, readExactly(client, hello.length, true));
    }

    @Test
    void aLargeTransferArrivesIntactThroughTheWouldBlockProtocol() throws IOException {
        ListenerHandle l = listen();
        StreamHandle client = connect(addressOf(l));
        StreamHandle server = accept(l);
        byte[] data = new byte[16 * 1024 * 1024];
        new java.util.Random(7).nextBytes(data);
        ByteBuffer src = ByteBuffer.wrap(data);
        ByteBuffer dst = ByteBuffer.allocate(data.length);
        int wouldBlock = 0;
        while (src.hasRemaining() && client.write(src) > 0) {
            // fill the socket buffers until the write would block
        }
        wouldBlock += src.hasRemaining() ? 1 : 0;
        while (dst.hasRemaining()) {
            boolean progress = false;
            if (src.hasRemaining()) {
                int w = client.write(src);
                progress |= w > 0;
                wouldBlock += w == 0 ? 1 : 0;
            }
            int r = server.read(dst);
            progress |= r > 0;
            if (!progress) {
                poller.poll(1_000_000L);
            }
        }
        assertArrayEquals(data, dst.array());
        assertTrue(wouldBlock > 0, "16 MiB should fill the socket buffers at least once");
    }

    @Test
    void manySocketsReadyAtOnceAllRunTheirCallbacks() throws IOException {
        ListenerHandle l = listen();
        List<StreamHandle> clients = new ArrayList<>();
        List<StreamHandle> servers = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            clients.add(connect(addressOf(l)));
            servers.add(accept(l));
        }
        int[] fired = new int[1];
        ByteBuffer probe = ByteBuffer.allocate(1);
        for (StreamHandle s : servers) {
            assertEquals(0, s.read(probe.clear()), "nothing sent yet");
            s.await(Ops.READ, () -> fired[0]++);
        }
        for (StreamHandle c : clients) {
            writeAll(c, ByteBuffer.wrap(new byte[] {1}));
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (fired[0] < servers.size() && System.nanoTime() < deadline) {
            poller.poll(100_000_000L);
        }
        assertEquals(servers.size(), fired[0]);
        for (StreamHandle s : servers) {
            assertEquals(1, s.read(probe.clear()));
        }
    }

    @Test
    void closingAHandleRunsItsArmedCallbacksAndLaterCallsSayClosed() throws IOException {
        ListenerHandle l = listen();
        StreamHandle client = connect(addressOf(l));
        StreamHandle server = accept(l);
        boolean[] woken = new boolean[1];
        server.await(Ops.READ, () -> woken[0] = true);
        server.close();
        assertTrue(woken[0], "close runs the armed callback so its waiter can see the close");
        assertFalse(server.isOpen());
        assertThrows(ClosedChannelException.class, () -> server.read(ByteBuffer.allocate(1)));
        assertThrows(IllegalStateException.class, () -> server.await(Ops.READ, () -> { }));
        server.close(); // idempotent
        client.close();
    }

    @Test
    void oneReaderAtATime() throws IOException {
        ListenerHandle l = listen();
        StreamHandle client = connect(addressOf(l));
        client.await(Ops.READ, () -> { });
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> client.await(Ops.READ, () -> { }));
        assertTrue(e.getMessage().contains("one reader"), e.getMessage());
        client.cancelAwait(Ops.READ);
        client.await(Ops.READ, () -> { }); // free again after cancel
    }

    @Test
    void aPeerResetIsAnIOExceptionOnRead() throws IOException {
        ListenerHandle l = listen();
        StreamHandle client = connect(addressOf(l));
        StreamHandle server = accept(l);
        client.setOption(StandardSocketOptions.SO_LINGER, 0);
        client.close(); // linger 0: RST instead of FIN
        IOException e = assertThrows(IOException.class, () -> readExactly(server, 1, false));
        assertFalse(e instanceof ClosedChannelException, "the peer reset it; our handle is still open: " + e);
    }

    /** getpeername(2) fails after a reset; the handle still names its peer, as the JDK's socket does (issue 23). */
    @Test
    void aResetConnectionStillKnowsItsPeerOnTheAcceptedAndTheConnectedSide() throws IOException {
        ListenerHandle l = listen();
        StreamHandle client = connect(addressOf(l));
        StreamHandle server = accept(l);
        InetSocketAddress clientAddress = addressOf(client);
        client.setOption(StandardSocketOptions.SO_LINGER, 0);
        client.close();
        assertThrows(IOException.class, () -> readExactly(server, 1, false));
        assertEquals(clientAddress, server.remoteAddress(), "the accepted side after the client's reset");

        StreamHandle client2 = connect(addressOf(l));
        StreamHandle server2 = accept(l);
        server2.setOption(StandardSocketOptions.SO_LINGER, 0);
        server2.close();
        assertThrows(IOException.class, () -> readExactly(client2, 1, false));
        assertEquals(addressOf(l), client2.remoteAddress(), "the connected side after the server's reset");
    }

    @Test
    void halfCloseIsEndOfStreamAndTheOtherDirectionStillWorks() throws IOException {
        ListenerHandle l = listen();
        StreamHandle client = connect(addressOf(l));
        StreamHandle server = accept(l);
        writeAll(client, ByteBuffer.wrap(new byte[] {1, 2, 3}));
        client.shutdownOutput();
        assertArrayEquals(new byte[] {1, 2, 3}, readExactly(server, 3, false));
        ByteBuffer one = ByteBuffer.allocate(1);
        int r;
        while ((r = server.read(one)) == 0) {
            awaitReady(server, Ops.READ);
        }
        assertEquals(-1, r, "after the peer's shutdownOutput, reads see end-of-stream");
        writeAll(server, ByteBuffer.wrap(new byte[] {9}));
        assertArrayEquals(new byte[] {9}, readExactly(client, 1, false));
    }

    @Test
    void aRefusedConnectionIsAConnectException() throws IOException {
        ListenerHandle l = listen();
        InetSocketAddress nobody = addressOf(l);
        l.close();
        poller.poll(0); // the JDK Selector releases a registered channel's descriptor at its next select
        assertThrows(ConnectException.class, () -> connect(nobody));
    }

    @Test
    void wakeupFromAnotherThreadEndsAnUnboundedPoll() throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread waker = new Thread(() -> {
            try {
                Thread.sleep(100);
                poller.wakeup();
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        long start = System.nanoTime();
        waker.start();
        poller.poll(-1);
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        waker.join();
        assertEquals(null, failure.get());
        assertTrue(tookMillis >= 90 && tookMillis < 5_000, "poll(-1) returned after " + tookMillis + " ms");
    }

    @Test
    void aWakeupBeforeThePollMakesThatPollReturnPromptly() throws Exception {
        Thread waker = new Thread(poller::wakeup);
        waker.start();
        waker.join();
        // Rescue: if the wake-up was lost, the poll would block forever; wake it late so the test ends.
        Thread rescue = Thread.ofPlatform().daemon().start(() -> {
            try {
                Thread.sleep(3_000);
                while (true) {
                    poller.wakeup();
                    Thread.sleep(100);
                }
            } catch (InterruptedException done) {
                // the poll returned
            }
        });
        long start = System.nanoTime();
        poller.poll(-1);
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        rescue.interrupt();
        rescue.join();
        assertTrue(tookMillis < 1_000, "a wake-up made before poll(-1) was lost: the poll returned after "
                + tookMillis + " ms, and only because it was woken again");
    }

    /**
     * The hand-off every cross-thread primitive rests on ({@link EventLoop#execute} from a platform
     * thread, the loop blocking in poll between tasks), 100,000 times. A lost wake-up leaves the loop
     * asleep with a task queued; a rescue thread notices (no progress for 2 s), counts it, and wakes the loop.
     */
    @Test
    @org.junit.jupiter.api.Timeout(value = 60, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SAME_THREAD)
    void aHundredThousandCrossThreadHandOffsLoseNoWakeup() throws Exception {
        final int rounds = 100_000;
        EventLoop loop = new EventLoop(poller);
        java.util.concurrent.atomic.AtomicInteger done = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger lost = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean finished = new java.util.concurrent.atomic.AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread producer = Thread.ofPlatform().name("hand-off-producer").start(() -> {
            try {
                for (int i = 0; i < rounds; i++) {
                    int n = i;
                    loop.execute(() -> {
                        done.incrementAndGet();
                        if (n == rounds - 1) {
                            finished.set(true);
                            loop.unref(); // nothing can wake the loop now: its iteration ends without blocking
                        }
                    });
                    while (done.get() <= n) {
                        Thread.onSpinWait();
                        if (failure.get() != null) {
                            return;
                        }
                    }
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        Thread rescue = Thread.ofPlatform().daemon().start(() -> {
            int seen = -1;
            try {
                while (!finished.get()) {
                    Thread.sleep(2_000);
                    int now = done.get();
                    if (now == seen && !finished.get()) {
                        lost.incrementAndGet();
                        poller.wakeup();
                    }
                    seen = now;
                }
            } catch (InterruptedException stop) {
                // test over
            }
        });
        loop.ref(); // the producer can wake the loop: block in poll between tasks
        long deadline = System.nanoTime() + 40_000_000_000L;
        while (!finished.get() && failure.get() == null && System.nanoTime() < deadline) {
            loop.runOnce();
        }
        producer.join(5_000);
        rescue.interrupt();
        assertEquals(null, failure.get());
        assertEquals(0, lost.get(), "the loop slept with a task queued " + lost.get() + " times in "
                + done.get() + " hand-offs");
        assertEquals(rounds, done.get(), "hand-offs done in 40 s");
    }

    @Test
    void aSubMillisecondDeadlineIsNeitherForeverNorEarly() {
        for (int i = 0; i < 5; i++) {
            long start = System.nanoTime();
            poller.poll(300_000L);
            long took = System.nanoTime() - start;
            assertTrue(took >= 300_000L, "returned early: " + took + " ns");
            assertTrue(took < 500_000_000L, "took " + took + " ns for a 0.3 ms wait");
        }
    }

    @Test
    void aDeadlineLongerThanASecondIsKept() {
        long start = System.nanoTime();
        poller.poll(1_200_000_000L);
        long took = System.nanoTime() - start;
        assertTrue(took >= 1_200_000_000L, "returned early: " + took + " ns");
        assertTrue(took < 5_000_000_000L, "took " + took + " ns for a 1.2 s wait");
    }

    @Test
    void aZeroPollDoesNotBlock() {
        long start = System.nanoTime();
        for (int i = 0; i < 1000; i++) {
            poller.poll(0);
        }
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(tookMillis < 2_000, "1000 non-blocking polls took " + tookMillis + " ms");
    }

    @Test
    void datagramsGoBothWaysConnectedAndNot() throws IOException {
        DatagramHandle a = poller.openDatagram(StandardProtocolFamily.INET);
        DatagramHandle b = poller.openDatagram(StandardProtocolFamily.INET);
        a.bind(ANY_LOOPBACK);
        b.bind(ANY_LOOPBACK);
        InetSocketAddress aAddress = addressOf(a);
        InetSocketAddress bAddress = addressOf(b);

        ByteBuffer in = ByteBuffer.allocate(100);
        assertEquals(null, b.receive(in), "nothing pending");
        assertEquals(5, a.send(ByteBuffer.wrap("ping!".getBytes(StandardCharsets.US_ASCII)), bAddress));
        InetSocketAddress from;
        while ((from = b.receive(in)) == null) {
            awaitReady(b, Ops.READ);
        }
        assertEquals(aAddress, from);
        assertEquals("ping!", new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII));

        b.connect(aAddress);
        assertEquals(aAddress, b.remoteAddress());
        ByteBuffer direct = ByteBuffer.allocateDirect(4).put("pong".getBytes(StandardCharsets.US_ASCII)).flip();
        assertEquals(4, b.send(direct, null));
        in.clear();
        while ((from = a.receive(in)) == null) {
            awaitReady(a, Ops.READ);
        }
        assertEquals(bAddress, from);
        assertEquals("pong", new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII));
    }

    @Test
    void handlesRefuseOtherThreads() throws Exception {
        ListenerHandle l = listen();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread other = new Thread(() -> {
            try {
                l.accept();
            } catch (Throwable t) {
                thrown.set(t);
            }
        }, "not-the-loop");
        other.start();
        other.join();
        assertNotNull(thrown.get());
        assertTrue(thrown.get() instanceof WrongThreadException, String.valueOf(thrown.get()));
        assertTrue(thrown.get().getMessage().contains("not-the-loop"), thrown.get().getMessage());
    }

    @Test
    void closingThePollerClosesItsHandles() throws IOException {
        ListenerHandle l = listen();
        StreamHandle client = connect(addressOf(l));
        boolean[] woken = new boolean[1];
        client.await(Ops.READ, () -> woken[0] = true);
        poller.close();
        assertFalse(l.isOpen());
        assertFalse(client.isOpen());
        assertTrue(woken[0]);
    }

    @Test
    void commonSocketOptionsCanBeSetAndReadBack() throws IOException {
        ListenerHandle l = listen();
        StreamHandle client = connect(addressOf(l));
        client.setOption(StandardSocketOptions.TCP_NODELAY, true);
        assertEquals(true, client.getOption(StandardSocketOptions.TCP_NODELAY));
        client.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
        assertEquals(true, client.getOption(StandardSocketOptions.SO_KEEPALIVE));
        client.setOption(StandardSocketOptions.SO_RCVBUF, 64 * 1024);
        assertTrue(client.getOption(StandardSocketOptions.SO_RCVBUF) >= 64 * 1024, "the kernel may round up");
        client.setOption(StandardSocketOptions.SO_LINGER, 3);
        assertEquals(3, client.getOption(StandardSocketOptions.SO_LINGER));
        assertTrue(client.supportedOptions().contains(StandardSocketOptions.TCP_NODELAY));
        if (System.getProperty("os.name").toLowerCase().contains("linux")) {
            // Linux has SO_REUSEPORT: two listeners share a port
            ListenerHandle a = poller.openListener(StandardProtocolFamily.INET);
            ListenerHandle b = poller.openListener(StandardProtocolFamily.INET);
            a.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            b.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            a.bind(ANY_LOOPBACK, 16);
            b.bind(addressOf(a), 16);
            assertEquals(addressOf(a), addressOf(b));
        }
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> l.setOption(StandardSocketOptions.TCP_NODELAY, true));
        assertTrue(e.getMessage().contains("TCP_NODELAY"), e.getMessage());
    }

    /**
     * Issue 24, the hand-off acceptor: a connection accepted without an owner moves to a poller on
     * another thread, which serves it; a discarded one is closed and cannot be adopted.
     */
    @Test
    void anAcceptedConnectionMovesToAPollerOnAnotherThread() throws Exception {
        ListenerHandle l = listen();
        try (java.net.Socket client = new java.net.Socket()) {
            client.connect(addressOf(l), 5_000);
            client.setSoTimeout(5_000);
            client.getOutputStream().write("hi".getBytes(StandardCharsets.US_ASCII));
            AcceptedStream accepted;
            while ((accepted = l.acceptUnowned()) == null) {
                awaitReady(l, Ops.READ);
            }
            assertEquals(client.getLocalPort(), accepted.remoteAddress().getPort());
            AcceptedStream moving = accepted;
            java.util.concurrent.CompletableFuture<String> there = new java.util.concurrent.CompletableFuture<>();
            Thread other = new Thread(() -> {
                try (Poller p2 = backend().open()) {
                    StreamHandle h = p2.adopt(moving);
                    assertFalse(moving.discard(), "adopted: the handle owns it now");
                    assertThrows(ClosedChannelException.class, () -> p2.adopt(moving));
                    ByteBuffer buf = ByteBuffer.allocate(2);
                    while (buf.hasRemaining()) {
                        int r = h.read(buf);
                        if (r < 0) {
                            break;
                        }
                        if (r == 0) {
                            boolean[] fired = new boolean[1];
                            h.await(Ops.READ, () -> fired[0] = true);
                            while (!fired[0]) {
                                p2.poll(100_000_000L);
                            }
                        }
                    }
                    assertEquals(2, h.write(ByteBuffer.wrap("ok".getBytes(StandardCharsets.US_ASCII))));
                    there.complete(new String(buf.array(), StandardCharsets.US_ASCII) + " from "
                            + ((InetSocketAddress) h.remoteAddress()).getPort());
                    h.close();
                } catch (Throwable t) {
                    there.completeExceptionally(t);
                }
            });
            other.start();
            assertEquals("hi from " + client.getLocalPort(), there.get(10, java.util.concurrent.TimeUnit.SECONDS));
            assertEquals("ok", new String(client.getInputStream().readNBytes(2), StandardCharsets.US_ASCII));
            assertEquals(-1, client.getInputStream().read(), "closed by the poller that adopted it");
            other.join(5_000);
        }
        try (java.net.Socket client = new java.net.Socket()) {
            client.connect(addressOf(l), 5_000);
            client.setSoTimeout(5_000);
            AcceptedStream accepted;
            while ((accepted = l.acceptUnowned()) == null) {
                awaitReady(l, Ops.READ);
            }
            assertTrue(accepted.discard());
            assertFalse(accepted.discard(), "discard is idempotent");
            AcceptedStream discarded = accepted;
            assertThrows(ClosedChannelException.class, () -> poller.adopt(discarded));
            assertEquals(-1, client.getInputStream().read(), "a discarded connection is closed");
        }
    }
}
