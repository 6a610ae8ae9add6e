package dev.weft.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.testkit.Ports;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.ServerSocket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every backend throws the {@code java.net} exception a JDK socket throws, naming the address
 * (issue 16 items 10, 21, 22, 23; issue 13 item 6).
 */
@org.junit.jupiter.api.Timeout(60)
class JavaNetExceptionsTest {

    @Test
    void bindingAPortInUseIsABindExceptionNamingTheAddress() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            BindException e = Hub.run(() -> assertThrows(BindException.class,
                    () -> StreamServer.builder(s -> { }).bind("127.0.0.1", port).start()));
            assertEquals("Address already in use: 127.0.0.1:" + port, e.getMessage());
        }
    }

    @Test
    void bindingAUdpPortInUseIsABindExceptionNamingTheAddress() throws Exception {
        try (DatagramChannel taken = DatagramChannel.open()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = ((InetSocketAddress) taken.getLocalAddress()).getPort();
            BindException e = Hub.run(() -> assertThrows(BindException.class, () -> UdpSocket.bind("127.0.0.1", port)));
            assertEquals("Address already in use: 127.0.0.1:" + port, e.getMessage());
        }
    }

    @Test
    void aRefusedConnectIsAConnectExceptionNamingTheAddress() throws Exception {
        int port = Ports.free(); // nothing listens there
        ConnectException e = Hub.run(() -> assertThrows(ConnectException.class,
                () -> TcpSocket.connect("127.0.0.1", port, Duration.ofSeconds(5))));
        assertEquals("Connection refused: 127.0.0.1:" + port, e.getMessage());
    }

    /** With direct buffers on io_uring the read is a receive the kernel completes with -ECONNRESET. */
    @ParameterizedTest
    @EnumSource(ParkedIoTest.Buffers.class)
    void aReadAfterThePeerResetIsSocketExceptionConnectionReset(ParkedIoTest.Buffers buffers) throws Exception {
        Hub.run(() -> {
            StreamServer server = StreamServer.builder(socket -> {
                socket.readFully(ByteBuffer.allocate(1));
                socket.setLinger(0); // closed on return with linger 0: a reset
            }).start();
            try (TcpSocket s = TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5))) {
                s.writeAll(new byte[] {1});
                SocketException e = assertThrows(SocketException.class, () -> {
                    while (s.read(buffers.allocate(16)) >= 0) {
                        // until the reset shows
                    }
                });
                assertEquals("Connection reset", e.getMessage());
            } finally {
                server.stop(Duration.ofSeconds(1));
            }
            return null;
        });
    }

    @ParameterizedTest
    @EnumSource(ParkedIoTest.Buffers.class)
    void aWriteToAPeerThatResetIsBrokenPipeOrConnectionReset(ParkedIoTest.Buffers buffers) throws Exception {
        Hub.run(() -> {
            StreamServer server = StreamServer.builder(socket -> {
                socket.readFully(ByteBuffer.allocate(1));
                socket.setLinger(0);
            }).start();
            try (TcpSocket s = TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5))) {
                s.writeAll(new byte[] {1});
                while (server.connections() > 0) {
                    Fiber.sleep(Duration.ofMillis(1));
                }
                Fiber.sleep(Duration.ofMillis(20)); // the reset has arrived
                SocketException e = assertThrows(SocketException.class, () -> {
                    for (int i = 0; i < 1000; i++) {
                        s.writeAll(buffers.allocate(1024));
                    }
                });
                assertTrue(e.getMessage().equals("Broken pipe") || e.getMessage().equals("Connection reset"),
                        e.getMessage());
            } finally {
                server.stop(Duration.ofSeconds(1));
            }
            return null;
        });
    }

    @ParameterizedTest
    @EnumSource(ParkedIoTest.Buffers.class)
    void aWriteAfterOurOwnShutdownOutputSaysSo(ParkedIoTest.Buffers buffers) throws Exception {
        Hub.run(() -> {
            StreamServer server = StreamServer.builder(socket -> socket.read(ByteBuffer.allocate(1))).start();
            try (TcpSocket s = TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5))) {
                s.shutdownOutput();
                SocketException e = assertThrows(SocketException.class, () -> s.writeAll(buffers.allocate(1)));
                assertEquals("Socket output is shutdown", e.getMessage());
            } finally {
                server.stop(Duration.ofSeconds(1));
            }
            return null;
        });
    }

    @Test
    void shutdownAfterThePeerClosedIsQuiet() throws Exception {
        Hub.run(() -> {
            StreamServer server = StreamServer.builder(socket -> { }).start(); // closes at once
            try (TcpSocket s = TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5))) {
                assertEquals(-1, s.read(ByteBuffer.allocate(1)));
                Fiber.sleep(Duration.ofMillis(20));
                s.shutdownOutput();
                s.shutdownInput();
                s.shutdownOutput(); // twice: still quiet, as java.net.Socket's shutdown on Linux
            } finally {
                server.stop(Duration.ofSeconds(1));
            }
            return null;
        });
    }

    @Test
    void aConnectedUdpSocketWhosePeerPortIsClosedGetsPortUnreachable() throws Exception {
        int port;
        try (DatagramChannel gone = DatagramChannel.open()) {
            gone.bind(new InetSocketAddress("127.0.0.1", 0));
            port = ((InetSocketAddress) gone.getLocalAddress()).getPort();
        }
        Hub.run(() -> {
            try (UdpSocket s = UdpSocket.bind("127.0.0.1", 0)) {
                s.connect(new InetSocketAddress("127.0.0.1", port));
                s.setTimeout(Duration.ofSeconds(5));
                s.send(ByteBuffer.wrap(new byte[] {1}));
                long start = System.nanoTime();
                PortUnreachableException e = assertThrows(PortUnreachableException.class,
                        () -> s.receive(ByteBuffer.allocate(10)));
                assertTrue(System.nanoTime() - start < 4_000_000_000L, "at once, not at the timeout");
                assertTrue(e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
            }
            return null;
        });
    }

    @Test
    void aWaitingReceiveOnAConnectedUdpSocketWakesWithPortUnreachable() throws Exception {
        int port;
        try (DatagramChannel gone = DatagramChannel.open()) {
            gone.bind(new InetSocketAddress("127.0.0.1", 0));
            port = ((InetSocketAddress) gone.getLocalAddress()).getPort();
        }
        Hub.run(() -> {
            try (UdpSocket s = UdpSocket.bind("127.0.0.1", 0)) {
                s.connect(new InetSocketAddress("127.0.0.1", port));
                s.setTimeout(Duration.ofSeconds(5));
                Fiber<Void> receiver = Fiber.spawn("receiver", () -> {
                    s.receive(ByteBuffer.allocate(10));
                });
                Fiber.sleep(Duration.ofMillis(20)); // the receiver waits now
                long start = System.nanoTime();
                s.send(ByteBuffer.wrap(new byte[] {1}));
                Throwable e = assertThrows(java.util.concurrent.CompletionException.class, receiver::get).getCause();
                assertTrue(e instanceof PortUnreachableException, String.valueOf(e));
                assertTrue(System.nanoTime() - start < 4_000_000_000L, "at once, not at the timeout");
                assertTrue(e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
            }
            return null;
        });
    }
}
