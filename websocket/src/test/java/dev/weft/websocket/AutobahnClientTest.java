package dev.weft.websocket;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Event;
import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.fibers.Queue;
import dev.weft.sockets.StreamServer;
import dev.weft.sockets.TcpSocket;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Weft's WebSocket client against the same Autobahn cases, the other way round: a fuzzing server
 * ({@link RawPeer} in the server role: unmasked frames, its own handshake) plays each case against a
 * client that connects with {@link WebSocket#connect} and echoes every message.
 */
class AutobahnClientTest {
    static final WebSocketClient CLIENT = WebSocketClient.builder()
            .options(Autobahn.OPTIONS).build();

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.weft.websocket.Autobahn#cases")
    void autobahnCase(Autobahn.Case c) throws Exception {
        Hub.run(() -> {
            Queue<TcpSocket> accepted = new Queue<>(1);
            Event done = new Event();
            StreamServer fuzzer = StreamServer.builder(socket -> {
                accepted.put(socket);
                done.await(); // the socket is closed when this handler returns
            }).bind("127.0.0.1", 0).start();
            Throwable[] clientFailure = new Throwable[1];
            Fiber<Void> client = Fiber.spawn("client under test", () -> {
                try (WebSocket ws = CLIENT.connect(java.net.URI.create("ws://127.0.0.1:" + fuzzer.port() + "/"))) {
                    while (true) {
                        ws.send(ws.receive());
                    }
                } catch (WebSocketClosedException end) {
                    // the case is over
                } catch (Throwable t) {
                    clientFailure[0] = t;
                }
            });
            try (RawPeer peer = RawPeer.accept(accepted.get(), "")) {
                Autobahn.play(c, peer, true);
            } finally {
                done.set();
            }
            assertTrue(client.join(Autobahn.WAIT), c + ": the client did not end after the close");
            assertTrue(clientFailure[0] == null, c + ": the client failed: " + clientFailure[0]);
            fuzzer.stop(Duration.ofSeconds(1));
        });
    }
}
