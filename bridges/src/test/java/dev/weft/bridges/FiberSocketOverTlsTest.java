package dev.weft.bridges;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Futures;
import dev.weft.fibers.Hub;
import dev.weft.sockets.StreamServer;
import dev.weft.testkit.TestPki;
import dev.weft.tls.TlsClient;
import dev.weft.tls.TlsServer;
import dev.weft.tls.TlsSocket;
import dev.weft.tls.TlsTruncatedException;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link FiberSocket#FiberSocket(dev.weft.sockets.Connection)} over a {@link TlsSocket}: stream code
 * written for {@code java.net.Socket} reads and writes plaintext while Weft's TLS makes the records.
 * Weft's TLS server on 127.0.0.1, on the backend under test.
 */
@org.junit.jupiter.api.Timeout(60)
class FiberSocketOverTlsTest {
    @BeforeAll
    static void makeKeys() throws Exception {
        TestPki.get();
    }

    private static StreamServer lineEcho() throws Exception {
        TlsServer tls = TlsServer.builder(TestPki.get().serverContext()).build();
        return StreamServer.builder(tls.handler(s -> {
            BufferedReader r = new BufferedReader(new InputStreamReader(s.inputStream(), StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                s.writeAll(ByteBuffer.wrap(("echo " + line + "\n").getBytes(StandardCharsets.UTF_8)));
            }
        })).bind("127.0.0.1", 0).start();
    }

    private static TlsSocket connect(StreamServer server) throws Exception {
        return TlsClient.builder(TestPki.get().clientContext()).build().connect("localhost", server.port(), Duration.ofSeconds(5));
    }

    @Test
    void socketCodeTalksThroughWeftsTls() throws Exception {
        String seen = Hub.run(() -> {
            StreamServer server = lineEcho();
            try (TlsSocket tls = connect(server); Socket s = new FiberSocket(tls)) {
                assertSame(tls, ((FiberSocket) s).connection());
                assertEquals("TLSv1.3", ((FiberSocket) s).connection().session().getProtocol());
                assertEquals(server.port(), s.getPort());
                s.setTcpNoDelay(true);
                assertTrue(s.getTcpNoDelay(), "options reach the TCP socket under the TLS one");
                PrintWriter w = new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8);
                BufferedReader r = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                w.println("one");
                String first = r.readLine();
                s.setSoTimeout(100);
                assertThrows(SocketTimeoutException.class, r::readLine, "SO_TIMEOUT bounds a read");
                s.setSoTimeout(0);
                w.println("two"); // the timed-out read lost nothing and the socket goes on
                return first + "|" + r.readLine();
            } finally {
                server.stop(Duration.ofSeconds(2));
            }
        });
        assertEquals("echo one|echo two", seen);
    }

    @Test
    void aPlainThreadUsesItThroughTheHubAndClosesIt() throws Exception {
        java.util.List<Throwable> serverFailures = new java.util.concurrent.CopyOnWriteArrayList<>();
        String seen = Hub.run(() -> {
            Hub.current().setUncaughtExceptionHandler((fiber, failure) -> serverFailures.add(failure));
            StreamServer server = lineEcho();
            try {
                FiberSocket s = new FiberSocket(connect(server));
                String line = Futures.await(CompletableFuture.supplyAsync(() -> {
                    try {
                        s.getOutputStream().write("from a thread\n".getBytes(StandardCharsets.UTF_8));
                        InputStream in = s.getInputStream();
                        StringBuilder b = new StringBuilder();
                        for (int c; (c = in.read()) != '\n'; ) {
                            b.append((char) c);
                        }
                        s.close();
                        return b.toString();
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }));
                assertTrue(s.isClosed());
                assertEquals("Socket is closed", assertThrows(SocketException.class, s::getInputStream).getMessage());
                return line;
            } finally {
                server.stop(Duration.ofSeconds(2));
            }
        });
        assertEquals("echo from a thread", seen);
        // closed from a plain thread, the TLS connection still ends with close_notify, not a truncation
        assertEquals(java.util.List.of(), serverFailures);
    }

    @Test
    void aPeerThatDropsTcpWithoutCloseNotifyIsReportedAsTruncated() throws Exception {
        Throwable e = Hub.run(() -> {
            TlsServer tls = TlsServer.builder(TestPki.get().serverContext()).build();
            StreamServer server = StreamServer.builder(tls.handler(s -> {
                s.writeAll(ByteBuffer.wrap("partial".getBytes(StandardCharsets.US_ASCII)));
                s.tcp().close(); // no close_notify
            })).bind("127.0.0.1", 0).start();
            try (FiberSocket s = new FiberSocket(connect(server))) {
                InputStream in = s.getInputStream();
                byte[] b = new byte[7];
                for (int n = 0; n < 7; ) {
                    n += in.read(b, n, 7 - n);
                }
                assertEquals("partial", new String(b, StandardCharsets.US_ASCII));
                return assertThrows(java.io.IOException.class, () -> in.read());
            } finally {
                server.stop(Duration.ofSeconds(2));
            }
        });
        assertInstanceOf(TlsTruncatedException.class, e, "passed through as the JDK's EOFException family, not made a SocketException");
    }
}
