package dev.weft.sockets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Event;
import dev.weft.fibers.Fiber;
import dev.weft.fibers.FiberTimeoutException;
import dev.weft.fibers.Hub;
import dev.weft.fibers.NotInFiberException;
import dev.weft.fibers.Timeout;
import dev.weft.testkit.Ports;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/** TCP sockets and the echo server on the backend under test; real sockets on 127.0.0.1. */
@org.junit.jupiter.api.Timeout(120)
class TcpSocketTest {
    private static final ConnectionHandler ECHO = socket -> {
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        while (socket.read(buf.clear()) > 0) {
            socket.writeAll(buf.flip());
        }
    };

    private static StreamServer echoServer() throws IOException {
        return StreamServer.builder(ECHO).bind("127.0.0.1", 0).start();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void echoThroughTheServerWithBuffersAndStreams() throws Exception {
        String reply = Hub.run(() -> {
            StreamServer server = echoServer();
            assertTrue(server.port() > 0, "port 0 resolves to the real port");
            try (TcpSocket s = TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5))) {
                s.setNoDelay(true);
                s.writeAll(ascii("ping\n"));
                ByteBuffer in = ByteBuffer.allocate(5);
                s.readFully(in);
                assertArrayEquals(ascii("ping\n"), in.array());
                PrintWriter w = new PrintWriter(s.outputStream(), true, StandardCharsets.UTF_8);
                BufferedReader r = new BufferedReader(new InputStreamReader(s.inputStream(), StandardCharsets.UTF_8));
                w.println("through java.io streams");
                return r.readLine();
            } finally {
                assertEquals(0, server.stop(Duration.ofSeconds(5)));
            }
        });
        assertEquals("through java.io streams", reply);
    }

    @Test
    void connectingByHostNameResolvesOffTheHub() throws Exception {
        Hub.run(() -> {
            StreamServer server = echoServer();
            List<InetAddress> addresses = Resolver.resolve("localhost", Duration.ofSeconds(5));
            assertFalse(addresses.isEmpty());
            assertTrue(addresses.stream().anyMatch(InetAddress::isLoopbackAddress), addresses.toString());
            try (TcpSocket s = TcpSocket.connect("localhost", server.port(), Duration.ofSeconds(5))) {
                s.writeAll(ascii("x"));
                ByteBuffer b = ByteBuffer.allocate(1);
                s.readFully(b);
            }
            server.stop(Duration.ZERO);
            return null;
        });
    }

    @Test
    void aRefusedConnectionIsAConnectException() throws Exception {
        int port = Ports.free(); // nothing listens there
        ConnectException e = assertThrows(ConnectException.class,
                () -> Hub.run(() -> TcpSocket.connect("127.0.0.1", port, Duration.ofSeconds(5))));
        assertTrue(e.getMessage().toLowerCase().contains("refused"), e.getMessage());
    }

    @Test
    void aConnectToAFullBacklogTimesOut() throws Exception {
        // A listener that never accepts, with a backlog of 1: once its queue is full the kernel drops
        // further SYNs, so a connect neither succeeds nor fails until its timeout.
        try (ServerSocket neverAccepts = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = neverAccepts.getLocalPort();
            long[] timedOutAfterMillis = {-1};
            Hub.run(() -> {
                List<TcpSocket> queued = new ArrayList<>();
                try {
                    for (int i = 0; i < 16; i++) {
                        long start = System.nanoTime();
                        try {
                            queued.add(TcpSocket.connect("127.0.0.1", port, Duration.ofMillis(250)));
                        } catch (SocketTimeoutException e) {
                            timedOutAfterMillis[0] = (System.nanoTime() - start) / 1_000_000;
                            assertTrue(e.getMessage().contains("timed out (the connect timeout of 250 ms)"), e.getMessage());
                            break;
                        }
                    }
                } finally {
                    queued.forEach(TcpSocket::close);
                }
                return null;
            });
            assertTrue(timedOutAfterMillis[0] >= 240, "a connect timed out, after " + timedOutAfterMillis[0] + " ms");
            assertTrue(timedOutAfterMillis[0] < 5_000, "but not much later: " + timedOutAfterMillis[0] + " ms");
        }
    }

    @Test
    void aTimedOutReadLosesNoBytesAndTheSocketStaysUsable() throws Exception {
        String got = Hub.run(() -> {
            Event release = new Event();
            StreamServer server = StreamServer.builder(socket -> {
                release.await();
                socket.writeAll(ascii("late bytes"));
                release.clear();
                release.await();
            }).start();
            try (TcpSocket s = TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5))) {
                s.setTimeout(Duration.ofMillis(100));
                ByteBuffer in = ByteBuffer.allocate(10);
                long start = System.nanoTime();
                SocketTimeoutException e = assertThrows(SocketTimeoutException.class, () -> s.read(in));
                assertTrue(System.nanoTime() - start >= 95_000_000L, "not before the timeout");
                assertTrue(e.getMessage().contains("nothing was lost"), e.getMessage());
                s.setTimeout(null);
                try (Timeout t = Timeout.after(Duration.ofMillis(50))) {
                    FiberTimeoutException ft = assertThrows(FiberTimeoutException.class, () -> s.read(in));
                    assertTrue(ft.is(t));
                }
                assertEquals(0, in.position());
                release.set();
                s.readFully(in);
                release.set();
                return new String(in.array(), StandardCharsets.US_ASCII);
            } finally {
                server.stop(Duration.ofSeconds(1));
            }
        });
        assertEquals("late bytes", got);
    }

    @Test
    void aPeerResetIsAnIOExceptionNotAClose() throws Exception {
        Hub.run(() -> {
            StreamServer server = StreamServer.builder(socket -> {
                socket.readFully(ByteBuffer.allocate(1));
                socket.setLinger(0); // the server closes it on return: with linger 0, a reset
            }).start();
            try (TcpSocket s = TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5))) {
                s.writeAll(ascii("x"));
                IOException e = assertThrows(IOException.class, () -> {
                    ByteBuffer b = ByteBuffer.allocate(16);
                    while (s.read(b.clear()) >= 0) {
                        // until the reset shows
                    }
                    throw new AssertionError("a reset read as a clean end-of-stream");
                });
                assertFalse(e instanceof SocketClosedException, e.toString());
            } finally {
                server.stop(Duration.ofSeconds(1));
            }
            return null;
        });
    }

    /** Issue 23: after a reset (getpeername fails on epoll) the socket still names its peer in messages. */
    @Test
    void aSocketResetByItsPeerStillNamesThePeer() throws Exception {
        Hub.run(() -> {
            dev.weft.fibers.AsyncResult<String> seen = new dev.weft.fibers.AsyncResult<>();
            StreamServer server = StreamServer.builder(socket -> {
                try {
                    socket.read(ByteBuffer.allocate(1));
                    seen.setException(new AssertionError("no reset seen"));
                } catch (IOException reset) {
                    seen.set(socket + " " + socket.remoteAddress());
                }
            }).start();
            TcpSocket s = TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5));
            InetSocketAddress client = s.localAddress();
            s.setLinger(0);
            s.close(); // linger 0: a reset
            String peer = client.getAddress().getHostAddress() + ":" + client.getPort();
            assertEquals("TcpSocket(/127.0.0.1:" + server.port() + " -> /" + peer + ") /" + peer, seen.get());
            assertEquals(0, server.stop(Duration.ofSeconds(5)));
            return null;
        });
    }

    @Test
    void halfCloseLetsThePeerFinishReadingAndStillAnswer() throws Exception {
        String answer = Hub.run(() -> {
            StreamServer server = StreamServer.builder(socket -> {
                ByteBuffer all = ByteBuffer.allocate(100);
                while (socket.read(all) > 0) {
                    // until end-of-stream
                }
                socket.writeAll(ascii("got " + all.position() + " bytes"));
            }).start();
            try (TcpSocket s = TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5))) {
                s.writeAll(ascii("twelve bytes"));
                s.shutdownOutput();
                ByteBuffer in = ByteBuffer.allocate(100);
                while (s.read(in) > 0) {
                    // until the server closes
                }
                return new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII);
            } finally {
                server.stop(Duration.ofSeconds(1));
            }
        });
        assertEquals("got 12 bytes", answer);
    }

    @Test
    void sixtyFourMebibytesThroughEchoArriveIntact() throws Exception {
        int total = 64 * 1024 * 1024;
        long[] crcs = Hub.run(() -> {
            StreamServer server = echoServer();
            try (TcpSocket s = TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5))) {
                CRC32 sent = new CRC32();
                Fiber<Void> writer = Fiber.spawn("writer", () -> {
                    java.util.Random rnd = new java.util.Random(42);
                    byte[] chunk = new byte[256 * 1024];
                    for (int done = 0; done < total; done += chunk.length) {
                        rnd.nextBytes(chunk);
                        sent.update(chunk);
                        s.writeAll(ByteBuffer.wrap(chunk));
                    }
                    s.shutdownOutput();
                    return null;
                });
                CRC32 received = new CRC32();
                ByteBuffer buf = ByteBuffer.allocateDirect(128 * 1024);
                long count = 0;
                for (int n; (n = s.read(buf.clear())) > 0; ) {
                    buf.flip();
                    received.update(buf);
                    count += n;
                }
                writer.get();
                assertEquals(total, count);
                return new long[] {sent.getValue(), received.getValue()};
            } finally {
                server.stop(Duration.ofSeconds(5));
            }
        });
        assertEquals(crcs[0], crcs[1], "CRC32 of what was sent and what came back");
    }

    @Test
    void aSecondReaderIsRefusedWithTheOwnersName() throws Exception {
        Hub.run(() -> {
            StreamServer server = StreamServer.builder(socket -> Fiber.sleep(Duration.ofSeconds(10))).start();
            try (TcpSocket s = TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5))) {
                Fiber<Integer> first = Fiber.spawn("first-reader", () -> s.read(ByteBuffer.allocate(1)));
                Fiber.yield();
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.read(ByteBuffer.allocate(1)));
                assertTrue(e.getMessage().contains("first-reader") && e.getMessage().contains("already reading"),
                        e.getMessage());
                first.kill();
            } finally {
                server.stop(Duration.ZERO);
            }
            return null;
        });
    }

    @Test
    void closingFromAnotherFiberWakesTheReader() throws Exception {
        Hub.run(() -> {
            StreamServer server = StreamServer.builder(socket -> Fiber.sleep(Duration.ofSeconds(10))).start();
            TcpSocket s = TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5));
            Fiber<Integer> reader = Fiber.spawn("reader", () -> s.read(ByteBuffer.allocate(1)));
            Fiber.yield();
            Fiber.spawn("closer", s::close);
            // get while the closer runs: the reader's failure is observed here, not reported as unjoined
            Throwable thrown = assertThrows(java.util.concurrent.CompletionException.class, reader::get).getCause();
            SocketClosedException e = assertInstanceOf(SocketClosedException.class, thrown);
            assertTrue(e.getMessage().contains("closer") && e.getMessage().contains("reader"), e.getMessage());
            assertThrows(SocketClosedException.class, () -> s.write(ByteBuffer.allocate(1)));
            server.stop(Duration.ZERO);
            return null;
        });
    }

    @Test
    void socketsNeedAFiber() {
        NotInFiberException e = assertThrows(NotInFiberException.class,
                () -> TcpSocket.connect(new InetSocketAddress("127.0.0.1", 9), Duration.ofSeconds(1)));
        assertTrue(e.getMessage().contains("Hub.run"), e.getMessage());
    }
}
