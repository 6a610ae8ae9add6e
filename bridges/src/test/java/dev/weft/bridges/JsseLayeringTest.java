package dev.weft.bridges;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Hub;
import dev.weft.testkit.ClassFixture;
import dev.weft.testkit.Measurements;
import dev.weft.testkit.OpenSslServer;
import dev.weft.testkit.TestPki;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The JDK's TLS layered over a {@link FiberSocket} ({@code SSLSocketFactory.createSocket(socket,
 * host, port, true)}, how drivers do TLS), against {@code openssl s_server} with the test PKI's certificate
 * for {@code localhost}; hostname verification on.
 */
@org.junit.jupiter.api.Timeout(60)
class JsseLayeringTest {
    /** openssl s_server with the test PKI's localhost certificate; {@code -www} answers "GET /" with a page naming the protocol and cipher. */
    @RegisterExtension
    static final ClassFixture<OpenSslServer> OPENSSL = ClassFixture.of(
            () -> OpenSslServer.start(TestPki.get().pem(TestPki.get().localhostP12), "-www"));

    private static SSLSocket layer(Socket plain, String host) throws Exception {
        SSLSocket ssl = (SSLSocket) TestPki.get().clientContext().getSocketFactory().createSocket(plain, host, OPENSSL.get().port(), true);
        SSLParameters p = ssl.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        ssl.setSSLParameters(p);
        return ssl;
    }

    @Test
    void tlsOverAFiberSocketWithHostnameVerification() throws Exception {
        String page = Hub.run(() -> {
            Socket plain = new FiberSocketFactory().createSocket();
            plain.connect(new InetSocketAddress("127.0.0.1", OPENSSL.get().port()), 5000);
            SSLSocket ssl = layer(plain, "localhost");
            ssl.setSoTimeout(10_000);
            ssl.startHandshake();
            ssl.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            ssl.getOutputStream().flush();
            String text = new String(ssl.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertEquals("TLSv1.3", ssl.getSession().getProtocol());
            ssl.close(); // closes the FiberSocket under it (autoClose), after the peer closed: no ENOTCONN trouble
            assertTrue(plain.isClosed());
            return text;
        });
        assertTrue(page.contains("HTTP/1.0 200") && page.contains("TLSv1.3"), page);
    }

    @Test
    void aWrongHostNameFailsTheHandshake() throws Exception {
        Hub.run(() -> {
            Socket plain = new FiberSocketFactory().createSocket("127.0.0.1", OPENSSL.get().port());
            SSLSocket ssl = layer(plain, "not-localhost.example");
            SSLHandshakeException e = assertThrows(SSLHandshakeException.class, ssl::startHandshake);
            assertTrue(String.valueOf(e.getMessage()).contains("not-localhost.example")
                    || String.valueOf(e.getCause()).contains("not-localhost.example"), e.toString());
            ssl.close();
        });
    }

    /**
     * A peer that accepts and never answers the ClientHello: a kill unwinds the handshaking fiber
     * (FiberKilledError passes through JSSE), and a Weft Timeout ends it too, though JSSE wraps
     * that runtime exception into an SSLException ("Couldn't kickstart handshaking"): the cause chain
     * holds the FiberTimeoutException.
     */
    @Test
    void aKillOrATimeoutEndsAHandshakeThatNeverCompletes() throws Exception {
        Hub.run(() -> {
            dev.weft.sockets.StreamServer mute = dev.weft.sockets.StreamServer.builder(socket -> {
                socket.inputStream().readAllBytes(); // reads the ClientHello, never answers
            }).bind("127.0.0.1", 0).start();
            Socket plain = new FiberSocketFactory().createSocket("127.0.0.1", mute.port());
            SSLSocket ssl = layer(plain, "localhost");
            dev.weft.fibers.Fiber<Void> handshaking = dev.weft.fibers.Fiber.spawn("handshake", () -> {
                try {
                    ssl.startHandshake();
                } finally {
                    plain.close();
                }
            });
            dev.weft.fibers.Fiber.sleep(50);
            handshaking.kill();
            assertTrue(handshaking.join(java.time.Duration.ofSeconds(5)));
            assertEquals(dev.weft.fibers.FiberState.KILLED, handshaking.state());
            assertTrue(plain.isClosed());

            Socket plain2 = new FiberSocketFactory().createSocket("127.0.0.1", mute.port());
            SSLSocket ssl2 = layer(plain2, "localhost");
            Throwable thrown;
            try (dev.weft.fibers.Timeout t = dev.weft.fibers.Timeout.after(java.time.Duration.ofMillis(100))) {
                thrown = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, ssl2::startHandshake);
            }
            boolean timedOut = false;
            for (Throwable c = thrown; c != null; c = c.getCause()) {
                timedOut |= c instanceof dev.weft.fibers.FiberTimeoutException;
            }
            assertTrue(timedOut, "the timeout is in the cause chain: " + thrown);
            Measurements.record("a Timeout during a TLS handshake surfaced as " + thrown);
            ssl2.close();
            mute.stop(java.time.Duration.ofMillis(100));
        });
    }
}
