package dev.weft.bridges;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Event;
import dev.weft.fibers.Fiber;
import dev.weft.fibers.FiberTimeoutException;
import dev.weft.fibers.Hub;
import dev.weft.fibers.NotInFiberException;
import dev.weft.fibers.Timeout;
import dev.weft.sockets.ConnectionHandler;
import dev.weft.sockets.StreamServer;
import dev.weft.testkit.Ports;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** {@link FiberSocket} and {@link FiberSocketFactory} against Weft servers on 127.0.0.1, on the backend under test. */
@org.junit.jupiter.api.Timeout(60)
class FiberSocketTest {
    private static final ConnectionHandler ECHO = socket -> {
        ByteBuffer buf = ByteBuffer.allocate(16 * 1024);
        while (socket.read(buf.clear()) > 0) {
            socket.writeAll(buf.flip());
        }
    };
    private static final FiberSocketFactory FACTORY = new FiberSocketFactory();

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static String readN(InputStream in, int n) throws IOException {
        byte[] b = new byte[n];
        new DataInputStream(in).readFully(b);
        return new String(b, StandardCharsets.US_ASCII);
    }

    @Test
    void theFactoryMakesAConnectedFiberSocketThatBehavesAsASocket() throws Exception {
        Hub.run(() -> {
            StreamServer server = StreamServer.builder(ECHO).bind("127.0.0.1", 0).start();
            Socket s = FACTORY.createSocket("localhost", server.port());
            assertInstanceOf(FiberSocket.class, s);
            assertTrue(s.isConnected() && s.isBound() && !s.isClosed());
            assertFalse(s.isInputShutdown() || s.isOutputShutdown());
            assertNull(s.getChannel());
            assertEquals(server.port(), s.getPort());
            assertEquals(InetAddress.getLoopbackAddress(), s.getInetAddress());
            assertTrue(s.getLocalPort() > 0);
            assertEquals(new InetSocketAddress(s.getInetAddress(), s.getPort()), s.getRemoteSocketAddress());
            assertTrue(s.toString().contains("port=" + server.port()), s.toString());
            s.getOutputStream().write(ascii("hello fiber"));
            assertEquals("hello fiber", readN(s.getInputStream(), 11));
            s.getOutputStream().write('!');
            assertEquals('!', s.getInputStream().read());
            s.close();
            assertTrue(s.isClosed() && s.isConnected(), "connected stays true after close, as in the JDK");
            assertEquals("Socket is closed", assertThrows(SocketException.class, s::getInputStream).getMessage());
            assertThrows(SocketException.class, () -> s.setSoTimeout(1));
            s.close(); // idempotent
            server.stop(Duration.ofSeconds(1));
        });
    }

    @Test
    void optionsSetBeforeConnectApplyAndReadBack() throws Exception {
        Hub.run(() -> {
            StreamServer server = StreamServer.builder(ECHO).bind("127.0.0.1", 0).start();
            Socket s = FACTORY.createSocket();
            assertInstanceOf(FiberSocket.class, s);
            assertFalse(s.isConnected());
            assertEquals(-1, s.getLocalPort());
            assertNull(s.getRemoteSocketAddress());
            s.setTcpNoDelay(true);
            s.setKeepAlive(true);
            s.setSoLinger(true, 3);
            s.setReceiveBufferSize(32 * 1024);
            s.setSoTimeout(1234);
            s.connect(new InetSocketAddress("127.0.0.1", server.port()), 2000);
            assertTrue(s.getTcpNoDelay());
            assertTrue(s.getKeepAlive());
            assertEquals(3, s.getSoLinger());
            assertEquals(1234, s.getSoTimeout());
            assertTrue(s.getReceiveBufferSize() >= 32 * 1024, "the kernel may double it: " + s.getReceiveBufferSize());
            assertTrue(s.getSendBufferSize() > 0);
            s.setSoLinger(false, 0);
            assertEquals(-1, s.getSoLinger());
            s.setOption(StandardSocketOptions.TCP_NODELAY, false);
            assertFalse(s.getOption(StandardSocketOptions.TCP_NODELAY));
            assertTrue(s.supportedOptions().contains(StandardSocketOptions.SO_KEEPALIVE));
            assertThrows(SocketException.class, () -> s.sendUrgentData(1));
            assertThrows(SocketException.class, () -> s.connect(new InetSocketAddress("127.0.0.1", server.port())));
            s.close();
            server.stop(Duration.ofSeconds(1));
        });
    }

    @Test
    void soTimeoutEndsAReadWithSocketTimeoutExceptionAndTheConnectionStaysUsable() throws Exception {
        Hub.run(() -> {
            Event go = new Event();
            StreamServer server = StreamServer.builder(socket -> {
                go.await(null);
                socket.writeAll(ascii("late"));
                ECHO.handle(socket);
            }).bind("127.0.0.1", 0).start();
            Socket s = FACTORY.createSocket("127.0.0.1", server.port());
            s.setSoTimeout(100);
            long start = System.nanoTime();
            SocketTimeoutException e = assertThrows(SocketTimeoutException.class, () -> s.getInputStream().read());
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(ms >= 99 && ms < 5_000, ms + " ms");
            assertTrue(e.getMessage().contains("timed out"), e.getMessage());
            go.set();
            assertEquals("late", readN(s.getInputStream(), 4));
            s.getOutputStream().write(ascii("more"));
            assertEquals("more", readN(s.getInputStream(), 4));
            s.close();
            server.stop(Duration.ofSeconds(1));
        });
    }

    @Test
    void closeFromAnotherFiberOrThreadWakesTheBlockedReader() throws Exception {
        Hub.run(() -> {
            StreamServer server = StreamServer.builder(ECHO).bind("127.0.0.1", 0).start();
            for (boolean fromThread : new boolean[] {false, true}) {
                Socket s = FACTORY.createSocket("127.0.0.1", server.port());
                Fiber<Void> reader = Fiber.spawn("reader", () -> {
                    SocketException e = assertThrows(SocketException.class, () -> s.getInputStream().read());
                    assertTrue(e.getMessage().startsWith("Socket closed"), e.getMessage());
                });
                Fiber.sleep(20);
                if (fromThread) {
                    Thread t = new Thread(() -> ((FiberSocket) s).close(), "closer");
                    t.start();
                    t.join(); // blocks the hub briefly: a test shortcut
                } else {
                    s.close();
                }
                assertTrue(s.isClosed());
                reader.get(Duration.ofSeconds(5));
            }
            server.stop(Duration.ofSeconds(1));
        });
    }

    @Test
    void halfClosesBehaveAsTheJdks() throws Exception {
        Hub.run(() -> {
            AtomicReference<String> serverGot = new AtomicReference<>();
            StreamServer server = StreamServer.builder(socket -> {
                byte[] all = socket.inputStream().readAllBytes(); // until our shutdownOutput
                serverGot.set(new String(all, StandardCharsets.US_ASCII));
                socket.writeAll(ascii("bye"));
            }).bind("127.0.0.1", 0).start();
            Socket s = FACTORY.createSocket("127.0.0.1", server.port());
            s.getOutputStream().write(ascii("request"));
            s.shutdownOutput();
            assertTrue(s.isOutputShutdown());
            assertThrows(SocketException.class, s::getOutputStream);
            assertEquals("bye", new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
            assertEquals("request", serverGot.get());
            s.shutdownInput(); // after the peer closed: no exception (ENOTCONN is ignored, as by the JDK)
            assertTrue(s.isInputShutdown());
            s.close();
            server.stop(Duration.ofSeconds(1));
        });
    }

    @Test
    void manyFibersTalkAtOnceOnOneHub() throws Exception {
        int clients = 200;
        int total = Hub.run(() -> {
            StreamServer server = StreamServer.builder(ECHO).bind("127.0.0.1", 0).maxConnections(1000).start();
            List<Fiber<Integer>> fibers = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                int id = i;
                fibers.add(Fiber.spawn(() -> {
                    try (Socket s = FACTORY.createSocket("127.0.0.1", server.port())) {
                        String msg = "client-" + id + ";";
                        int sum = 0;
                        for (int round = 0; round < 5; round++) {
                            s.getOutputStream().write(ascii(msg));
                            sum += readN(s.getInputStream(), msg.length()).equals(msg) ? 1 : 0;
                        }
                        return sum;
                    }
                }));
            }
            int sum = 0;
            try (Timeout t = Timeout.after(Duration.ofSeconds(30))) {
                for (Fiber<Integer> f : fibers) {
                    sum += f.get();
                }
            }
            server.stop(Duration.ofSeconds(1));
            return sum;
        });
        assertEquals(clients * 5, total);
    }

    @Test
    void connectFailuresAreTheJdksExceptionsAndCloseTheSocket() throws Exception {
        int closedPort;
        try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = ss.getLocalPort();
        }
        Hub.run(() -> {
            Socket refused = FACTORY.createSocket();
            assertThrows(ConnectException.class, () -> refused.connect(new InetSocketAddress("127.0.0.1", closedPort), 2000));
            assertTrue(refused.isClosed());
            assertThrows(ConnectException.class, () -> FACTORY.createSocket("127.0.0.1", closedPort));
            assertThrows(UnknownHostException.class, () -> FACTORY.createSocket("no-such-host.invalid", 80));
            assertThrows(SocketException.class, () -> FACTORY.createSocket("127.0.0.1", closedPort,
                    InetAddress.getLoopbackAddress(), 40000));
        });
    }

    /** A listener with a full backlog drops SYNs: connect neither succeeds nor is refused until the timeout. */
    @Test
    void connectTimesOutWithSocketTimeoutException() throws Exception {
        try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<Socket> fillers = new ArrayList<>();
            try {
                Hub.run(() -> {
                    for (int i = 0; i < 16; i++) {
                        Socket s = FACTORY.createSocket();
                        long start = System.nanoTime();
                        try {
                            s.connect(full.getLocalSocketAddress(), 200);
                            fillers.add(s);
                        } catch (SocketTimeoutException expected) {
                            long ms = (System.nanoTime() - start) / 1_000_000;
                            assertTrue(ms >= 199 && ms < 5_000, ms + " ms");
                            assertTrue(s.isClosed());
                            return;
                        }
                    }
                    throw new AssertionError("16 connects to a listener with backlog 1 all succeeded");
                });
            } finally {
                for (Socket s : fillers) {
                    s.close();
                }
            }
        }
    }

    /**
     * A close while another fiber connects does not abort the connect (TcpSocket offers no handle to a
     * connect in progress); the connect ends with its own timeout, or when it completes, and the socket is
     * then closed, never left open.
     */
    @Test
    void aCloseDuringConnectLeavesTheSocketClosed() throws Exception {
        try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<Socket> fillers = new ArrayList<>();
            try {
                Hub.run(() -> {
                    while (true) { // fill the backlog until a connect hangs
                        Socket s = FACTORY.createSocket();
                        Fiber<Void> connecting = Fiber.spawn(() -> s.connect(full.getLocalSocketAddress(), 300));
                        Fiber.sleep(50);
                        if (connecting.isDone()) {
                            fillers.add(s);
                            if (fillers.size() > 16) {
                                throw new AssertionError("the backlog never filled");
                            }
                            continue;
                        }
                        s.close();
                        assertTrue(s.isClosed());
                        try {
                            connecting.get(Duration.ofSeconds(5)); // waiting in get takes the failure
                        } catch (java.util.concurrent.CompletionException observed) {
                            // the timeout or the close, as an IOException: asserted next
                        }
                        assertTrue(connecting.isDone());
                        assertInstanceOf(IOException.class, connecting.failure(), String.valueOf(connecting.failure()));
                        assertTrue(s.isClosed());
                        return;
                    }
                });
            } finally {
                for (Socket s : fillers) {
                    s.close();
                }
            }
        }
    }

    @Test
    void badArgumentsAreRefusedClearly() throws Exception {
        Hub.run(() -> {
            Socket s = FACTORY.createSocket();
            assertThrows(IllegalArgumentException.class, () -> s.connect(null));
            assertThrows(IllegalArgumentException.class, () -> s.connect(new InetSocketAddress("127.0.0.1", 1), -1));
            assertThrows(IllegalArgumentException.class, () -> s.setSoTimeout(-1));
            assertThrows(IllegalArgumentException.class, () -> s.setReceiveBufferSize(0));
            assertThrows(IllegalArgumentException.class, () -> s.setTrafficClass(256));
            assertThrows(SocketException.class, () -> s.getInputStream(), "not connected");
            assertThrows(SocketException.class, () -> s.bind(new InetSocketAddress("127.0.0.1", 40000)));
            s.bind(null); // the system's choice: accepted
            s.close();
        });
    }

    @Test
    void aFiberTimeoutAndAKillInterruptABlockedRead() throws Exception {
        Hub.run(() -> {
            StreamServer server = StreamServer.builder(ECHO).bind("127.0.0.1", 0).start();
            Socket s = FACTORY.createSocket("127.0.0.1", server.port());
            try (Timeout t = Timeout.after(Duration.ofMillis(30))) {
                assertTrue(assertThrows(FiberTimeoutException.class, () -> s.getInputStream().read()).is(t));
            }
            Fiber<Void> reader = Fiber.spawn("reader", () -> {
                s.getInputStream().read();
            });
            Fiber.sleep(10);
            reader.kill();
            reader.join();
            assertSame(dev.weft.fibers.FiberState.KILLED, reader.state());
            s.getOutputStream().write(ascii("still"));
            assertEquals("still", readN(s.getInputStream(), 5));
            s.close();
            server.stop(Duration.ofSeconds(1));
        });
    }

    /** Issue 23 item 15: the factory never hands out a plain JDK socket; where waiting would block a hub, it says so. */
    @Test
    void outsideAFiberTheFactoryGivesAFiberSocketOrSaysWhy() throws Exception {
        Socket unconnected = FACTORY.createSocket();
        assertSame(FiberSocket.class, unconnected.getClass(), "a thread with no hub gets a FiberSocket too");
        unconnected.close();
        int closedPort = Ports.free(); // nothing listens there
        FiberSocket direct = new FiberSocket();
        // a plain thread connects it through the bridge hub; a refused connect is the JDK's exception
        java.net.ConnectException refused = assertThrows(java.net.ConnectException.class,
                () -> direct.connect(new InetSocketAddress("127.0.0.1", closedPort)));
        assertTrue(refused.getMessage().contains("127.0.0.1:" + closedPort), refused.getMessage());
        assertTrue(direct.isClosed(), "a failed connect closes the socket");
        Hub.run(() -> {
            StreamServer server = StreamServer.builder(ECHO).bind("127.0.0.1", 0).start();
            // a platform thread (a driver's timer thread) uses the same factory: a FiberSocket, it works
            AtomicReference<String> fromThread = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try (Socket s = FACTORY.createSocket("127.0.0.1", server.port())) {
                    s.getOutputStream().write('x');
                    fromThread.set(s.getClass().getSimpleName() + " " + (char) s.getInputStream().read());
                } catch (IOException ex) {
                    fromThread.set(ex.toString());
                }
            });
            t.start();
            while (t.isAlive()) {
                Fiber.sleep(5); // the hub serves the echo meanwhile
            }
            assertEquals("FiberSocket x", fromThread.get());
            // on the hub thread outside any fiber: refused, naming the problem
            AtomicReference<Throwable> inCallback = new AtomicReference<>();
            Event done = new Event();
            Hub.current().loop().callSoon(() -> {
                try {
                    FACTORY.createSocket("127.0.0.1", server.port());
                } catch (Throwable x) {
                    inCallback.set(x);
                }
                done.set();
            });
            done.await(null);
            assertInstanceOf(NotInFiberException.class, inCallback.get());
            assertTrue(inCallback.get().getMessage().contains("outside any fiber"), inCallback.get().getMessage());
            // a connected FiberSocket used from another thread: the call is carried out on this hub.
            // (This fiber must wait for that thread cooperatively: a hub thread blocked in join could not carry it out.)
            Socket s = FACTORY.createSocket("127.0.0.1", server.port());
            AtomicReference<Object> fromOther = new AtomicReference<>();
            Thread other = new Thread(() -> {
                try {
                    s.setTcpNoDelay(true);
                    fromOther.set(s.getTcpNoDelay());
                } catch (Throwable x) {
                    fromOther.set(x);
                }
            });
            other.start();
            while (other.isAlive()) {
                Fiber.sleep(5);
            }
            assertEquals(true, fromOther.get());
            s.close();
            server.stop(Duration.ofSeconds(1));
        });
    }

    @Test
    void aHeavyWriteParksOnlyTheWriter() throws Exception {
        Hub.run(() -> {
            byte[] big = new byte[8 * 1024 * 1024];
            StreamServer server = StreamServer.builder(ECHO).bind("127.0.0.1", 0).start();
            Socket s = FACTORY.createSocket("127.0.0.1", server.port());
            OutputStream out = s.getOutputStream();
            Fiber<Void> writer = Fiber.spawn("writer", () -> out.write(big));
            byte[] back = new byte[big.length];
            new DataInputStream(s.getInputStream()).readFully(back);
            writer.get(Duration.ofSeconds(20));
            s.close();
            server.stop(Duration.ofSeconds(1));
        });
    }
}
