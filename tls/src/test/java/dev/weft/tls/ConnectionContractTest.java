package dev.weft.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Futures;
import dev.weft.fibers.Hub;
import dev.weft.hub.WrongThreadException;
import dev.weft.sockets.Connection;
import dev.weft.sockets.ConnectionHandler;
import dev.weft.sockets.StreamServer;
import dev.weft.sockets.TcpSocket;
import dev.weft.testkit.TestPki;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@link Connection} contract, checked the same way on both connections Weft has: a plain {@link
 * TcpSocket} and a {@link TlsSocket} (TLS 1.3), each typed as {@code Connection} only. Real sockets on
 * 127.0.0.1, on the backend under test.
 */
@org.junit.jupiter.api.Timeout(60)
class ConnectionContractTest {
    @BeforeAll
    static void makeKeys() throws Exception {
        TestPki.get();
    }

    /** What a test does with the client side of a connection to {@code server}'s handler. */
    private interface ClientSide<T> {
        T run(Connection client) throws Exception;
    }

    /** Serves {@code handler} over TCP or TLS and runs {@code client} on a connection to it. */
    private static <T> T withConnection(String kind, ConnectionServer handler, ClientSide<T> client) throws Exception {
        return Hub.run(() -> {
            boolean tls = kind.equals("tls");
            ConnectionHandler h = tls
                    ? TlsServer.builder(TestPki.get().serverContext()).build().handler(handler::serve)
                    : handler::serve;
            StreamServer server = StreamServer.builder(h).bind("127.0.0.1", 0).start();
            try (Connection c = tls
                    ? TlsClient.builder(TestPki.get().clientContext()).build().connect("localhost", server.port(), Duration.ofSeconds(5))
                    : TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5))) {
                return client.run(c);
            } finally {
                server.stop(Duration.ofSeconds(2));
            }
        });
    }

    /** A server side written against the contract too. */
    private interface ConnectionServer {
        void serve(Connection c) throws Exception;
    }

    private static final ConnectionServer ECHO = c -> {
        ByteBuffer buf = ByteBuffer.allocate(16 * 1024);
        while (c.read(buf.clear()) > 0) {
            c.writeAll(buf.flip());
        }
    };

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    private static String ascii(ByteBuffer b) {
        return new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "tls"})
    void channelCallsStreamsAndIdentityAreTheSameOnBoth(String kind) throws Exception {
        String seen = withConnection(kind, ECHO, c -> {
            assertSame(Hub.current(), c.hub());
            assertEquals(kind.equals("tls"), c.session() != null, "session() is the TLS session, null for TCP");
            if (c.session() != null) {
                assertEquals("TLSv1.3", c.session().getProtocol());
            }
            c.setOption(StandardSocketOptions.TCP_NODELAY, true);
            assertEquals(true, c.getOption(StandardSocketOptions.TCP_NODELAY));
            assertTrue(c.supportedOptions().contains(StandardSocketOptions.SO_KEEPALIVE));
            assertEquals("127.0.0.1", c.remoteAddress().getAddress().getHostAddress());
            assertTrue(c.localAddress().getPort() > 0);

            c.writeAll(ascii("channel|"));
            ByteBuffer got = ByteBuffer.allocate(8);
            c.readFully(got);
            c.outputStream().write("streams".getBytes(StandardCharsets.US_ASCII));
            InputStream in = c.inputStream();
            byte[] b = new byte[7];
            int first = in.read();
            int n = 1;
            b[0] = (byte) first;
            // the rest came in the same TLS record: decrypted already, so available() counts it (0 for TCP)
            int available = c.available();
            assertEquals(available, in.available());
            assertEquals(kind.equals("tls") ? 6 : 0, available);
            while (n < 7) {
                n += in.read(b, n, 7 - n);
            }
            return ascii(got) + new String(b, StandardCharsets.US_ASCII);
        });
        assertEquals("channel|streams", seen);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "tls"})
    void aTimedOutReadLosesNothingAndTheConnectionGoesOn(String kind) throws Exception {
        String seen = withConnection(kind, ECHO, c -> {
            c.setTimeout(Duration.ofMillis(100));
            assertEquals(Duration.ofMillis(100), c.timeout());
            long start = System.nanoTime();
            SocketTimeoutException e = assertThrows(SocketTimeoutException.class, () -> c.read(ByteBuffer.allocate(10)));
            assertTrue(System.nanoTime() - start >= 90_000_000L, "waited the timeout: " + e.getMessage());
            c.setTimeout(Duration.ofSeconds(10));
            c.writeAll(ascii("after"));
            ByteBuffer got = ByteBuffer.allocate(5);
            c.readFully(got);
            return ascii(got);
        });
        assertEquals("after", seen);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "tls"})
    void halfCloseTheOutputAndReadTheAnswer(String kind) throws Exception {
        ConnectionServer countThenAnswer = c -> {
            ByteBuffer buf = ByteBuffer.allocate(1024);
            int total = 0;
            for (int n; (n = c.read(buf.clear())) > 0; ) {
                total += n;
            }
            c.writeAll(ascii("got " + total));
            c.shutdownOutput();
        };
        String seen = withConnection(kind, countThenAnswer, c -> {
            c.writeAll(ascii("twelve bytes"));
            c.shutdownOutput();
            assertThrows(IOException.class, () -> c.write(ascii("late")), "a write after shutdownOutput");
            ByteBuffer got = ByteBuffer.allocate(64);
            EOFException end = assertThrows(EOFException.class, () -> c.readFully(got));
            assertTrue(end.getMessage().startsWith("end of stream after 6 bytes"), end.getMessage());
            return ascii(got);
        });
        assertEquals("got 12", seen);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "tls"})
    void shutdownInputEndsReads(String kind) throws Exception {
        int n = withConnection(kind, ECHO, c -> {
            c.shutdownInput();
            return c.read(ByteBuffer.allocate(10));
        });
        assertEquals(-1, n);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "tls"})
    void anotherThreadIsRefusedBeforeAnythingMoves(String kind) throws Exception {
        String seen = withConnection(kind, ECHO, c -> {
            c.writeAll(ascii("kept"));
            Throwable refused = Futures.await(CompletableFuture.supplyAsync(() -> {
                try {
                    c.read(ByteBuffer.allocate(10));
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            }));
            assertInstanceOf(WrongThreadException.class, refused);
            ByteBuffer got = ByteBuffer.allocate(4);
            c.readFully(got);
            return ascii(got);
        });
        assertEquals("kept", seen, "the refused read took nothing");
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "tls"})
    void closeFromAnotherFiberWakesABlockedReader(String kind) throws Exception {
        Throwable woken = withConnection(kind, ECHO, c -> {
            Fiber<Throwable> reader = Fiber.spawn(() -> {
                try {
                    c.read(ByteBuffer.allocate(10));
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            });
            Fiber.sleep(Duration.ofMillis(50)); // the reader is parked by then; if not, it finds the connection closed
            c.close();
            assertTrue(!c.isOpen());
            return reader.get();
        });
        // SocketClosedException when woken (TCP, and TLS's TCP read underneath); a read that starts after
        // the close gets TlsClosedException on TLS: both are ClosedChannelExceptions
        assertInstanceOf(ClosedChannelException.class, woken, String.valueOf(woken));
        assertTrue(woken.getMessage().contains("closed"), woken.getMessage());
    }
}
