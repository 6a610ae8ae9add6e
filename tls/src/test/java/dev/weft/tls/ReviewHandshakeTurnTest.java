package dev.weft.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.weft.fibers.Event;
import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.sockets.StreamServer;
import dev.weft.sockets.TcpSocket;
import dev.weft.testkit.TestPki;
import dev.weft.tls.internal.HandshakeTurn;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Review reproducers for the hub's handshake turn as TlsServer.accept uses it. */
@org.junit.jupiter.api.Timeout(60)
class ReviewHandshakeTurnTest {
    @BeforeAll
    static void makeKeys() throws Exception {
        TestPki.get(); // the keys and a warm-up handshake, outside any hub
    }

    /**
     * The handshake timeout expires while accept waits for the hub's turn (the turn is busy with
     * other handshakes: here one fiber keeps it for longer than the limit). accept's contract: a
     * SocketTimeoutException, reported to onHandshakeFailure, the connection closed.
     */
    @Test
    void aHandshakeTimeoutWhileWaitingForTheTurnIsASocketTimeoutException() throws Exception {
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        int end = Hub.run(() -> {
            TlsServer tls = TlsServer.builder(TestPki.get().serverContext()).handshakeTimeout(Duration.ofMillis(200))
                    .onHandshakeFailure((peer, e) -> failures.add(e)).build();
            StreamServer s = StreamServer.builder(tls.handler(socket -> { })).bind("127.0.0.1", 0).start();
            Event holding = new Event();
            Fiber<Void> holder = Fiber.spawn("turn holder", () -> {
                HandshakeTurn turn = HandshakeTurn.ofThisHub();
                turn.take();
                holding.set();
                try {
                    Fiber.sleep(Duration.ofMillis(1_000)); // a long queue of handshake steps ahead
                } finally {
                    turn.give();
                }
            });
            holding.await();
            try {
                TcpSocket raw = TcpSocket.connect("127.0.0.1", s.port(), Duration.ofSeconds(5));
                byte[] hello = TestPki.clientHello();
                raw.writeAll(ByteBuffer.wrap(hello)); // a whole ClientHello: the server then waits for the turn
                raw.setTimeout(Duration.ofSeconds(10));
                int n;
                try {
                    n = raw.read(ByteBuffer.allocate(16 * 1024));
                } catch (IOException reset) {
                    n = -2;
                }
                raw.close();
                holder.join();
                return n;
            } finally {
                s.stop(Duration.ofSeconds(5));
            }
        });
        assertEquals(1, failures.size(), "onHandshakeFailure heard of the timed-out handshake: " + failures);
        assertInstanceOf(SocketTimeoutException.class, failures.get(0));
    }

    /**
     * Kill at the turn: the hub closes (Hub.run's main returns) while 20 server handshakes wait for
     * their clients' Finished (each gave the turn up around fill() and takes it back in a finally).
     * Every killed handshake must unwind: none may park for good waiting for the turn, the hub's
     * close must return.
     */
    @Test
    void aHubClosingWithHandshakesWaitingForTheirPeersUnwindsThemAll() throws Exception {
        long start = System.nanoTime();
        int flights = Hub.run(() -> {
            TlsServer tls = TlsServer.builder(TestPki.get().serverContext()).handshakeTimeout(null).build();
            StreamServer s = StreamServer.builder(tls.handler(socket -> { })).bind("127.0.0.1", 0).start();
            byte[] hello = TestPki.clientHello();
            int got = 0;
            for (int i = 0; i < 20; i++) {
                TcpSocket raw = TcpSocket.connect("127.0.0.1", s.port(), Duration.ofSeconds(5));
                raw.writeAll(ByteBuffer.wrap(hello));
                raw.setTimeout(Duration.ofSeconds(10));
                if (raw.read(ByteBuffer.allocate(16 * 1024)) > 0) { // the server's flight: it now waits for ours
                    got++;
                }
            }
            return got; // the hub closes with 20 handshakes parked, the server and sockets open
        });
        assertEquals(20, flights);
        long millis = (System.nanoTime() - start) / 1_000_000;
        org.junit.jupiter.api.Assertions.assertTrue(millis < 20_000, "the hub closed in " + millis + " ms");
    }
}
