package dev.weft.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Event;
import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.sockets.StreamServer;
import dev.weft.sockets.TcpSocket;
import dev.weft.testkit.TestPki;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.CRC32;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Weft TLS client against Weft TLS server on the backend under test; real sockets on 127.0.0.1. */
@org.junit.jupiter.api.Timeout(120)
class TlsSocketTest {
    static final TlsConnectionHandler ECHO = socket -> {
        ByteBuffer buf = ByteBuffer.allocate(32 * 1024);
        int n;
        while ((n = socket.read(buf.clear())) > 0) {
            socket.writeAll(buf.flip());
        }
    };

    private final List<IOException> failures = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void makeKeys() throws Exception {
        TestPki.get();
    }

    private TlsServer.Builder server() throws Exception {
        return TlsServer.builder(TestPki.get().serverContext()).onHandshakeFailure((peer, e) -> failures.add(e));
    }

    private static TlsClient.Builder client() throws Exception {
        return TlsClient.builder(TestPki.get().clientContext());
    }

    private static StreamServer start(TlsServer tls, TlsConnectionHandler h) throws IOException {
        return StreamServer.builder(tls.handler(h)).bind("127.0.0.1", 0).start();
    }

    @Test
    void echoesOnTls13AndTls12WithStreamsAndAlpn() throws Exception {
        for (String version : List.of("TLSv1.3", "TLSv1.2")) {
            List<String> seen = Hub.run(() -> {
                TlsServer tls = server().protocols(version).applicationProtocols("h2", "http/1.1").build();
                StreamServer s = start(tls, ECHO);
                TlsClient c = client().applicationProtocols("http/1.1").build();
                try (TlsSocket sock = c.connect("localhost", s.port(), Duration.ofSeconds(5))) {
                    PrintWriter w = new PrintWriter(sock.outputStream(), true, StandardCharsets.UTF_8);
                    BufferedReader r = new BufferedReader(new InputStreamReader(sock.inputStream(), StandardCharsets.UTF_8));
                    w.println("hello over " + version);
                    String line = r.readLine();
                    X509Certificate peer = (X509Certificate) sock.session().getPeerCertificates()[0];
                    return List.of(line, sock.protocol(), String.valueOf(sock.applicationProtocol()),
                            peer.getSubjectX500Principal().getName());
                } finally {
                    s.stop(Duration.ofSeconds(5));
                }
            });
            assertEquals(List.of("hello over " + version, version, "http/1.1", "CN=localhost"), seen);
        }
        assertEquals(List.of(), failures);
    }

    @Test
    void largeTransfersBothWaysAtOnceWithAReaderAndAWriterFiber() throws Exception {
        int size = 8 * 1024 * 1024;
        long[] crcs = Hub.run(() -> {
            StreamServer s = start(server().build(), ECHO);
            try (TlsSocket sock = client().build().connect("127.0.0.1", s.port(), Duration.ofSeconds(5))) {
                CRC32 sent = new CRC32();
                Fiber<Void> writer = Fiber.spawn("writer", () -> {
                    byte[] chunk = new byte[10_000];
                    long x = 1;
                    for (int done = 0; done < size; ) {
                        int n = Math.min(chunk.length, size - done);
                        for (int i = 0; i < n; i++) {
                            x = x * 6364136223846793005L + 1442695040888963407L;
                            chunk[i] = (byte) (x >>> 56);
                        }
                        sent.update(chunk, 0, n);
                        sock.writeAll(ByteBuffer.wrap(chunk, 0, n));
                        done += n;
                    }
                });
                CRC32 got = new CRC32();
                ByteBuffer buf = ByteBuffer.allocateDirect(20_000);
                for (int total = 0; total < size; ) {
                    int n = sock.read(buf.clear());
                    assertTrue(n > 0, "no end of stream before all data");
                    got.update(buf.flip());
                    total += n;
                }
                writer.get();
                return new long[] {sent.getValue(), got.getValue()};
            } finally {
                s.stop(Duration.ofSeconds(5));
            }
        });
        assertEquals(crcs[0], crcs[1], "what came back is what was sent");
    }

    @Test
    void sniPicksTheContextByNameAndTheClientChecksIt() throws Exception {
        List<String> subjects = Hub.run(() -> {
            TlsServer tls = server().serverName("other.test", TestPki.get().otherContext()).build();
            StreamServer s = start(tls, ECHO);
            try {
                List<String> out = new ArrayList<>();
                for (String name : List.of("other.test", "localhost")) {
                    TcpSocket tcp = TcpSocket.connect("127.0.0.1", s.port(), Duration.ofSeconds(5));
                    try (TlsSocket sock = client().build().wrap(tcp, name)) {
                        out.add(((X509Certificate) sock.session().getPeerCertificates()[0]).getSubjectX500Principal().getName());
                    }
                }
                return out;
            } finally {
                s.stop(Duration.ofSeconds(5));
            }
        });
        assertEquals(List.of("CN=other.test", "CN=localhost"), subjects);
    }

    @Test
    void aWrongHostNameFailsTheHandshakeWithAClearError() throws Exception {
        SSLHandshakeException e = Hub.run(() -> {
            StreamServer s = start(TlsServer.of(TestPki.get().otherContext()), ECHO);
            try {
                return assertThrows(SSLHandshakeException.class,
                        () -> client().build().connect("localhost", s.port(), Duration.ofSeconds(5)));
            } finally {
                s.stop(Duration.ofSeconds(5));
            }
        });
        assertTrue(e.getMessage().contains("does not name the host"), e.getMessage());
        assertTrue(e.getMessage().contains("localhost"), e.getMessage());
    }

    @Test
    void halfCloseOnTls13AndCloseNotifyIsHonoured() throws Exception {
        String got = Hub.run(() -> {
            StreamServer s = start(server().build(), socket -> {
                byte[] all = socket.inputStream().readAllBytes(); // until the client's close_notify: -1, no exception
                socket.writeAll(("got " + all.length + " bytes").getBytes(StandardCharsets.US_ASCII));
            });
            try (TlsSocket sock = client().build().connect("localhost", s.port(), Duration.ofSeconds(5))) {
                sock.writeAll(new byte[100_000]);
                sock.shutdownOutput();
                assertThrows(TlsClosedException.class, () -> sock.writeAll(new byte[1]));
                String reply = new String(sock.inputStream().readAllBytes(), StandardCharsets.US_ASCII);
                assertTrue(sock.isInputShutdown(), "the server's close_notify ended the stream");
                return reply;
            } finally {
                s.stop(Duration.ofSeconds(5));
            }
        });
        assertEquals("got 100000 bytes", got);
        assertEquals(List.of(), failures);
    }

    @Test
    void aPeerClosingTcpWithoutCloseNotifyIsReportedAsTruncation() throws Exception {
        IOException e = Hub.run(() -> {
            Event done = new Event();
            IOException[] seen = new IOException[1];
            StreamServer s = start(server().build(), socket -> {
                try {
                    socket.inputStream().readAllBytes();
                } catch (IOException x) {
                    seen[0] = x;
                }
                done.set();
            });
            TlsSocket sock = client().build().connect("localhost", s.port(), Duration.ofSeconds(5));
            sock.writeAll("partial".getBytes(StandardCharsets.US_ASCII));
            sock.tcp().close(); // no close_notify
            done.await(Duration.ofSeconds(5));
            s.stop(Duration.ofSeconds(5));
            return seen[0];
        });
        assertInstanceOf(TlsTruncatedException.class, e);
        assertTrue(e.getMessage().contains("without TLS close_notify"), e.getMessage());
    }

    @Test
    void aClientThatStallsMidHandshakeTimesOutAndTheServerGoesOn() throws Exception {
        long[] millis = Hub.run(() -> {
            StreamServer s = start(server().handshakeTimeout(Duration.ofMillis(300)).build(), ECHO);
            try {
                TcpSocket raw = TcpSocket.connect("127.0.0.1", s.port(), Duration.ofSeconds(5));
                byte[] hello = TestPki.clientHello();
                raw.writeAll(ByteBuffer.wrap(hello, 0, hello.length / 2)); // and then nothing
                long start = System.nanoTime();
                int n = raw.read(ByteBuffer.allocate(100)); // the server gives up and closes
                long took = (System.nanoTime() - start) / 1_000_000;
                raw.close();
                try (TlsSocket ok = client().build().connect("localhost", s.port(), Duration.ofSeconds(5))) {
                    ok.writeAll(new byte[] {7});
                    ByteBuffer one = ByteBuffer.allocate(1);
                    ok.readFully(one);
                }
                return new long[] {n, took};
            } finally {
                s.stop(Duration.ofSeconds(5));
            }
        });
        assertEquals(-1, millis[0], "the server closed the stalled connection");
        assertTrue(millis[1] >= 250 && millis[1] < 5_000, "closed after about the 300 ms limit: " + millis[1] + " ms");
        assertEquals(1, failures.size(), failures.toString());
        assertInstanceOf(SocketTimeoutException.class, failures.get(0));
        assertTrue(failures.get(0).getMessage().contains("did not finish within 300 ms"), failures.get(0).getMessage());
    }

    @Test
    void theClientsHandshakeTimeoutBoundsASilentServer() throws Exception {
        SocketTimeoutException e = Hub.run(() -> {
            StreamServer silent = StreamServer.builder(tcp -> Fiber.sleep(Duration.ofSeconds(10))).bind("127.0.0.1", 0).start();
            try {
                TlsClient c = client().handshakeTimeout(Duration.ofMillis(200)).build();
                return assertThrows(SocketTimeoutException.class, () -> c.connect("localhost", silent.port(), Duration.ofSeconds(5)));
            } finally {
                silent.stop(Duration.ZERO);
            }
        });
        assertTrue(e.getMessage().contains("did not finish within 200 ms"), e.getMessage());
    }

    @Test
    void aPlaintextClientGetsAClearErrorAndTheServerIsUnharmed() throws Exception {
        String reply = Hub.run(() -> {
            StreamServer s = start(server().build(), ECHO);
            try {
                TcpSocket raw = TcpSocket.connect("127.0.0.1", s.port(), Duration.ofSeconds(5));
                raw.writeAll("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                String answer = new String(raw.inputStream().readAllBytes(), StandardCharsets.US_ASCII);
                raw.close();
                try (TlsSocket ok = client().build().connect("localhost", s.port(), Duration.ofSeconds(5))) {
                    ok.writeAll(new byte[] {1, 2, 3});
                    ByteBuffer back = ByteBuffer.allocate(3);
                    ok.readFully(back);
                    assertArrayEquals(new byte[] {1, 2, 3}, back.array());
                }
                return answer;
            } finally {
                s.stop(Duration.ofSeconds(5));
            }
        });
        assertTrue(reply.startsWith("HTTP/1.0 400 Bad Request"), reply);
        assertTrue(reply.contains("Client sent an HTTP request to an HTTPS server."), reply);
        assertEquals(1, failures.size(), failures.toString());
        assertInstanceOf(SSLHandshakeException.class, failures.get(0));
        assertTrue(failures.get(0).getMessage().contains("is not speaking TLS: it sent plaintext HTTP 'GET / HTTP/1.1"),
                failures.get(0).getMessage());
    }

    @Test
    void oneReaderAtATimeAndATimedOutReadLosesNothing() throws Exception {
        Hub.run(() -> {
            StreamServer s = start(server().build(), socket -> {
                ByteBuffer one = ByteBuffer.allocate(1);
                socket.readFully(one);
                Fiber.sleep(Duration.ofMillis(300));
                socket.writeAll("late".getBytes(StandardCharsets.US_ASCII));
                socket.inputStream().read();
            });
            try (TlsSocket sock = client().build().connect("localhost", s.port(), Duration.ofSeconds(5))) {
                Fiber<Integer> first = Fiber.spawn("first reader", () -> sock.read(ByteBuffer.allocate(10)));
                Fiber.yield();
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> sock.read(ByteBuffer.allocate(10)));
                assertTrue(e.getMessage().contains("first reader"), e.getMessage());
                assertTrue(first.kill(Duration.ofSeconds(1)), "a reader parked in a TLS read dies at once");
                assertEquals(dev.weft.fibers.FiberState.KILLED, first.state());

                sock.setTimeout(Duration.ofMillis(50));
                sock.writeAll(new byte[] {1});
                assertThrows(SocketTimeoutException.class, () -> sock.read(ByteBuffer.allocate(10)));
                sock.setTimeout(null);
                ByteBuffer got = ByteBuffer.allocate(4);
                sock.readFully(got);
                assertEquals("late", new String(got.array(), StandardCharsets.US_ASCII));
            } finally {
                s.stop(Duration.ofSeconds(5));
            }
        });
    }

    @Test
    void closingFromAnotherFiberWakesTheReader() throws Exception {
        Throwable t = Hub.run(() -> {
            StreamServer s = start(server().build(), ECHO);
            try {
                TlsSocket sock = client().build().connect("localhost", s.port(), Duration.ofSeconds(5));
                Fiber<Integer> reader = Fiber.spawn("reader", () -> sock.read(ByteBuffer.allocate(10)));
                Fiber.sleep(Duration.ofMillis(20));
                sock.close();
                try {
                    reader.get(); // waiting in get takes the failure (it is returned and asserted below)
                } catch (Throwable expected) {
                    // asserted below through failure()
                }
                assertThrows(TlsClosedException.class, () -> sock.read(ByteBuffer.allocate(1)));
                return reader.failure();
            } finally {
                s.stop(Duration.ofSeconds(5));
            }
        });
        assertInstanceOf(java.nio.channels.ClosedChannelException.class, t);
    }

    @Test
    void tls12SessionsAreResumed() throws Exception {
        List<Boolean> sameId = Hub.run(() -> {
            StreamServer s = start(server().protocols("TLSv1.2").build(), ECHO);
            try {
                TlsClient c = client().build();
                byte[] first;
                try (TlsSocket a = c.connect("localhost", s.port(), Duration.ofSeconds(5))) {
                    first = a.session().getId();
                }
                try (TlsSocket b = c.connect("localhost", s.port(), Duration.ofSeconds(5))) {
                    return List.of(java.util.Arrays.equals(first, b.session().getId()) && first.length > 0);
                }
            } finally {
                s.stop(Duration.ofSeconds(5));
            }
        });
        assertEquals(List.of(true), sameId);
    }

    @Test
    void alpnWithNoCommonProtocolIsRefused() throws Exception {
        SSLHandshakeException e = Hub.run(() -> {
            StreamServer s = start(server().applicationProtocols("h2").build(), ECHO);
            try {
                return assertThrows(SSLHandshakeException.class, () -> client().applicationProtocols("http/1.1").build()
                        .connect("localhost", s.port(), Duration.ofSeconds(5)));
            } finally {
                s.stop(Duration.ofSeconds(5));
            }
        });
        assertTrue(e.getMessage().contains("no_application_protocol") && e.getMessage().contains("ALPN"), e.getMessage());
    }
}
