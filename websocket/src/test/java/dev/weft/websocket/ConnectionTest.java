package dev.weft.websocket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.FiberTimeoutException;
import dev.weft.fibers.Hub;
import dev.weft.fibers.Timeout;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The connection's contract: messages both ways, the closing handshake and the close status, one
 * receiver and one sender at a time, and what a Timeout or a kill in the middle of receive, send and
 * close leaves behind.
 */
class ConnectionTest {
    private static final byte[] NONE = new byte[0];

    @Test
    void textAndBinaryMessagesEchoAndAnOrderlyCloseEndsBothSides() throws Exception {
        Hub.run(() -> {
            try (TestServer server = TestServer.start(WebSocketServer.defaults(), TestServer.ECHO)) {
                WebSocket ws = WebSocket.connect(server.uri("/echo"));
                assertTrue(ws.isClient());
                assertEquals(server.uri("/echo").toString(), ws.target());
                ws.send("hello, wörld");
                assertEquals(new Message.Text("hello, wörld"), ws.receive());
                ws.send(new byte[] {1, 2, 3});
                assertArrayEquals(new byte[] {1, 2, 3}, ((Message.Binary) ws.receive()).data());
                byte[] big = new byte[300_000];
                new java.util.Random(1).nextBytes(big);
                ws.send(java.nio.ByteBuffer.wrap(big));
                assertArrayEquals(big, ((Message.Binary) ws.receive()).data());
                ws.close(CloseCodes.NORMAL, "bye");
                assertFalse(ws.isOpen());
                WebSocketClosedException status = ws.closeStatus();
                assertEquals(1000, status.code(), status.getMessage());
                assertFalse(status.byPeer());
                assertTrue(status.isNormal());
                WebSocketClosedException again = assertThrows(WebSocketClosedException.class, ws::receive);
                assertEquals(1000, again.code());
                assertThrows(WebSocketClosedException.class, () -> ws.send("late"));
                ws.close(); // idempotent
                server.close();
                assertEquals(1, server.endings.size(), server.endings.toString());
                WebSocketClosedException serverSide = (WebSocketClosedException) server.endings.get(0);
                assertEquals(1000, serverSide.code());
                assertEquals("bye", serverSide.reason());
                assertTrue(serverSide.byPeer());
                assertEquals("closed by the peer with 1000 (normal closure): bye", serverSide.getMessage());
                assertTrue(server.failures.isEmpty(), server.failures.toString());
            }
        });
    }

    @Test
    void aSecondReceiverIsRefusedNamingTheFirstAndCloseFromAThirdFiberEndsTheReceive() throws Exception {
        Hub.run(() -> {
            try (TestServer server = TestServer.start(WebSocketServer.defaults(), TestServer.ECHO)) {
                WebSocket ws = WebSocket.connect(server.uri("/"));
                Fiber<WebSocketClosedException> reader = Fiber.spawn("the reader", () -> {
                    try {
                        ws.receive();
                        return null;
                    } catch (WebSocketClosedException e) {
                        return e;
                    }
                });
                Fiber.yield(); // the reader parks in receive()
                IllegalStateException second = assertThrows(IllegalStateException.class, ws::receive);
                assertTrue(second.getMessage().contains("the reader") && second.getMessage().contains("already receiving"),
                        second.getMessage());
                ws.close(4000, "done here");
                WebSocketClosedException seen = reader.get();
                assertEquals(4000, seen.code(), seen.getMessage()); // the echo server answers with our code
                assertFalse(seen.byPeer());
            }
        });
    }

    @Test
    void aTimeoutOrAKillInReceiveLosesNothingAndTheNextReceiveGetsTheWholeMessage() throws Exception {
        Hub.run(() -> {
            try (RawServer raw = new RawServer()) {
                Fiber<WebSocket> connecting = Fiber.spawn(() -> WebSocket.connect(raw.uri("/")));
                RawPeer peer = raw.accept("");
                WebSocket ws = connecting.get();
                byte[] text = "a message in three parts, the middle one split inside a frame: ünïcödé".getBytes(StandardCharsets.UTF_8);
                byte[] first = peer.encode(false, 0, 1, Arrays.copyOfRange(text, 0, 10));
                byte[] second = peer.encode(false, 0, 0, Arrays.copyOfRange(text, 10, 60));
                byte[] third = peer.encode(true, 0, 0, Arrays.copyOfRange(text, 60, text.length));
                peer.raw(first, 0);
                peer.raw(Arrays.copyOfRange(second, 0, 20), 0);
                try (Timeout t = Timeout.after(Duration.ofMillis(100))) {
                    ws.receive();
                    throw new AssertionError("receive returned before the message was complete");
                } catch (FiberTimeoutException expected) {
                    // the first fragment and part of the second are kept
                }
                Fiber<Message> killed = Fiber.spawn("killed reader", ws::receive);
                peer.raw(Arrays.copyOfRange(second, 20, second.length), 0);
                Fiber.yield();
                assertTrue(killed.kill(Duration.ofSeconds(1)), "the killed reader ended");
                assertEquals(dev.weft.fibers.FiberState.KILLED, killed.state());
                peer.raw(third, 0);
                assertEquals(new Message.Text(new String(text, StandardCharsets.UTF_8)), ws.receive());
                assertTrue(ws.isOpen());
                peer.close();
            }
        });
    }

    @Test
    void aSendThatATimeoutInterruptsIsCommittedWholeAndTheCallerMayReuseItsArray() throws Exception {
        Hub.run(() -> {
            WebSocket[] serverSide = new WebSocket[1];
            dev.weft.fibers.Event accepted = new dev.weft.fibers.Event();
            dev.weft.fibers.Event done = new dev.weft.fibers.Event();
            try (TestServer server = TestServer.start(WebSocketServer.defaults(), ws -> {
                serverSide[0] = ws;
                accepted.set();
                done.await();
            })) {
                try (RawPeer peer = RawPeer.connect(server.port(), "/", "")) {
                    accepted.await();
                    WebSocket ws = serverSide[0];
                    byte[] big = new byte[32 << 20]; // more than the socket buffers hold: the send must wait
                    Arrays.fill(big, (byte) 'x');
                    try (Timeout t = Timeout.after(Duration.ofMillis(200))) {
                        ws.send(big);
                        throw new AssertionError("32 MiB went into socket buffers of a peer that does not read");
                    } catch (FiberTimeoutException expected) {
                        // committed: the rest is queued
                    }
                    Arrays.fill(big, (byte) 'y'); // the caller's array is its own again
                    Fiber<Void> next = Fiber.spawn("next sender", () -> ws.send("after"));
                    RawPeer.Frame f = peer.read(Autobahn.WAIT);
                    assertEquals(2, f.opcode());
                    assertEquals(32 << 20, f.payload().length);
                    for (byte b : f.payload()) {
                        if (b != 'x') {
                            throw new AssertionError("the interrupted message changed after the send returned");
                        }
                    }
                    assertEquals("after", peer.read(Autobahn.WAIT).text());
                    next.get();
                    done.set();
                }
            }
        });
    }

    @Test
    void aSecondSenderIsRefusedNamingTheFirst() throws Exception {
        Hub.run(() -> {
            try (RawServer raw = new RawServer()) {
                Fiber<WebSocket> connecting = Fiber.spawn(() -> WebSocket.connect(raw.uri("/")));
                RawPeer peer = raw.accept(""); // never reads
                WebSocket ws = connecting.get();
                Fiber<Void> sender = Fiber.spawn("the sender", () -> {
                    try (Timeout t = Timeout.after(Duration.ofSeconds(1))) {
                        ws.send(new byte[32 << 20]);
                    } catch (FiberTimeoutException committed) {
                        // as expected: the peer does not read
                    }
                });
                Fiber.sleep(Duration.ofMillis(50)); // the sender is blocked: the peer does not read
                IllegalStateException second = assertThrows(IllegalStateException.class, () -> ws.send("me too"));
                assertTrue(second.getMessage().contains("the sender") && second.getMessage().contains("already sending"),
                        second.getMessage());
                sender.get();
                peer.close();
                ws.close();
            }
        });
    }

    @Test
    void closeGivesUpAfterCloseTimeoutWhenThePeerDoesNotAnswer() throws Exception {
        Hub.run(() -> {
            try (RawServer raw = new RawServer()) {
                WebSocketClient client = WebSocketClient.builder()
                        .options(WebSocketOptions.builder().closeTimeout(Duration.ofMillis(300)).build()).build();
                Fiber<WebSocket> connecting = Fiber.spawn(() -> client.connect(raw.uri("/")));
                RawPeer peer = raw.accept("");
                WebSocket ws = connecting.get();
                long start = System.nanoTime();
                ws.close(1001, "going");
                long ms = (System.nanoTime() - start) / 1_000_000;
                assertTrue(ms >= 250 && ms < 5000, ms + " ms");
                RawPeer.Frame f = peer.read(Autobahn.WAIT);
                assertEquals(8, f.opcode());
                assertEquals(1001, f.closeCode());
                assertEquals(CloseCodes.ABNORMAL, ws.closeStatus().code());
                assertTrue(ws.closeStatus().getMessage().contains("did not answer close(1001) within 300 ms"), ws.closeStatus().getMessage());
                assertTrue(peer.closedWithin(Autobahn.WAIT), "the client dropped the connection");
            }
        });
    }

    @Test
    void keepAlivePingsASilentPeerAndDropsItWhenNothingComesBack() throws Exception {
        Hub.run(() -> {
            try (RawServer raw = new RawServer()) {
                WebSocketClient client = WebSocketClient.builder().options(WebSocketOptions.builder()
                        .pingInterval(Duration.ofMillis(100)).pingTimeout(Duration.ofMillis(200)).build()).build();
                Fiber<WebSocket> connecting = Fiber.spawn(() -> client.connect(raw.uri("/")));
                RawPeer peer = raw.accept("");
                WebSocket ws = connecting.get();
                Fiber<WebSocketClosedException> reader = Fiber.spawn(() -> {
                    try {
                        ws.receive();
                        return null;
                    } catch (WebSocketClosedException e) {
                        return e;
                    }
                });
                RawPeer.Frame ping = peer.read(Autobahn.WAIT);
                assertEquals(9, ping.opcode(), ping.toString());
                WebSocketClosedException dropped = reader.get();
                assertEquals(CloseCodes.ABNORMAL, dropped.code());
                assertTrue(dropped.getMessage().contains("keep-alive ping"), dropped.getMessage());
                assertTrue(peer.closedWithin(Autobahn.WAIT));
            }
        });
    }

    @Test
    void keepAliveKeepsAConnectionWhoseServerAnswersPings() throws Exception {
        Hub.run(() -> {
            WebSocketServer settings = WebSocketServer.builder().options(WebSocketOptions.builder().pingInterval(null).build()).build();
            try (TestServer server = TestServer.start(settings, TestServer.ECHO)) {
                WebSocketClient client = WebSocketClient.builder().options(WebSocketOptions.builder()
                        .pingInterval(Duration.ofMillis(50)).pingTimeout(Duration.ofMillis(500)).build()).build();
                WebSocket ws = client.connect(server.uri("/"));
                try (Timeout t = Timeout.after(Duration.ofMillis(600))) {
                    ws.receive(); // nothing comes but pongs: ten or more pings go out and are answered
                } catch (FiberTimeoutException expected) {
                    // still open
                }
                assertTrue(ws.isOpen());
                ws.send("still here");
                assertEquals(new Message.Text("still here"), ws.receive());
                ws.close();
                assertEquals(1000, ws.closeStatus().code());
            }
        });
    }

    @Test
    void sendPingGetsAPongWhichReceiveTakesInAndBadArgumentsAreRefused() throws Exception {
        Hub.run(() -> {
            try (RawServer raw = new RawServer()) {
                Fiber<WebSocket> connecting = Fiber.spawn(() -> WebSocket.connect(raw.uri("/")));
                RawPeer peer = raw.accept("");
                WebSocket ws = connecting.get();
                ws.sendPing("are you there".getBytes(StandardCharsets.UTF_8));
                RawPeer.Frame ping = peer.read(Autobahn.WAIT);
                assertEquals(9, ping.opcode());
                assertEquals("are you there", ping.text());
                peer.frame(10, ping.payload());
                peer.text("after the pong");
                assertEquals(new Message.Text("after the pong"), ws.receive());
                assertThrows(IllegalArgumentException.class, () -> ws.sendPing(new byte[126]));
                assertThrows(IllegalArgumentException.class, () -> ws.send("broken \uD800 surrogate"));
                assertThrows(IllegalArgumentException.class, () -> ws.close(1005, ""));
                assertThrows(IllegalArgumentException.class, () -> ws.close(1000, "x".repeat(124)));
                assertTrue(ws.isOpen());
                peer.close();
                WebSocketClosedException lost = assertThrows(WebSocketClosedException.class, ws::receive);
                assertEquals(CloseCodes.ABNORMAL, lost.code());
                assertTrue(lost.byPeer());
                assertTrue(lost.getMessage().contains("without a close frame"), lost.getMessage());
                assertNull(ws.subprotocol());
            }
        });
    }
}
