package dev.weft.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.FiberTimeoutException;
import dev.weft.fibers.Timeout;
import dev.weft.fibers.Hub;
import dev.weft.hub.WrongThreadException;
import dev.weft.sockets.StreamServer;
import dev.weft.testkit.TestPki;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Review reproducers for TlsSocket.close and Connection's thread rule. */
@org.junit.jupiter.api.Timeout(60)
class ReviewTlsCloseTest {
    @BeforeAll
    static void makeKeys() throws Exception {
        TestPki.get(); // the keys and a warm-up handshake, outside any hub
    }

    /**
     * Connection's thread rule: a call from another thread is refused before it touches anything.
     * TlsSocket.close() from a plain thread marks itself closed, then its TcpSocket refuses: the
     * hub's own close afterwards must still close the TCP connection.
     */
    @Test
    void aCloseFromAnotherThreadIsRefusedAndLeavesTheSocketClosableByItsHub() throws Exception {
        Hub.run(() -> {
            TlsServer tls = TlsServer.builder(TestPki.get().serverContext()).build();
            StreamServer s = StreamServer.builder(tls.handler(socket -> {
                ByteBuffer buf = ByteBuffer.allocate(1024);
                while (socket.read(buf.clear()) > 0) {
                    socket.writeAll(buf.flip());
                }
            })).bind("127.0.0.1", 0).start();
            try {
                TlsSocket sock = TlsClient.builder(TestPki.get().clientContext()).build()
                        .connect("localhost", s.port(), Duration.ofSeconds(5));
                Throwable refused = Fiber.await(CompletableFuture.supplyAsync(() -> {
                    try {
                        sock.close();
                        return null;
                    } catch (Throwable e) {
                        return e;
                    }
                }, r -> new Thread(r, "not the hub").start()));
                assertInstanceOf(WrongThreadException.class, refused, "close from another thread is refused");
                assertTrue(sock.tcp().isOpen(), "the refused close left TCP open");
                sock.close(); // now from a fiber of its hub
                assertFalse(sock.tcp().isOpen(), "the hub's close after a refused one closes the TCP connection");
            } finally {
                s.stop(Duration.ofSeconds(5));
            }
            return null;
        });
    }

    /**
     * "Nothing lost: no exception dropped by a timeout." An enclosing Timeout of the caller that
     * expires while TlsSocket.close() lingers for the peer's close (up to 1 s) must still reach the
     * caller; close() catches every RuntimeException there, the caller's FiberTimeoutException too,
     * and the (non-sticky) timeout is then spent: the block runs on past its deadline.
     */
    @Test
    void anEnclosingTimeoutThatExpiresDuringCloseIsNotSwallowed() throws Exception {
        String outcome = Hub.run(() -> {
            TlsServer tls = TlsServer.builder(TestPki.get().serverContext()).build();
            StreamServer s = StreamServer.builder(tls.handler(socket -> {
                ByteBuffer buf = ByteBuffer.allocate(1024);
                socket.read(buf); // one message, then neither reads on nor closes for a while
                Fiber.sleep(Duration.ofSeconds(3));
            })).bind("127.0.0.1", 0).start();
            try {
                TlsSocket sock = TlsClient.builder(TestPki.get().clientContext()).build()
                        .connect("localhost", s.port(), Duration.ofSeconds(5));
                sock.writeAll(new byte[] {1});
                try (Timeout t = Timeout.after(Duration.ofMillis(100))) {
                    try {
                        sock.close(); // lingers for the peer's close, which does not come within 100 ms
                        Fiber.sleep(Duration.ofSeconds(2));
                        return "the block ran on past its deadline";
                    } catch (FiberTimeoutException e) {
                        return e.is(t) ? "timed out" : "another timeout: " + e;
                    }
                }
            } finally {
                s.stop(Duration.ZERO);
            }
        });
        assertEquals("timed out", outcome);
    }
}
