package dev.weft.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Event;
import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code close(1000, "bye")} from one fiber while another fiber of the same connection is in {@code
 * receive()} (and, between two receives, sends): the closing handshake completes with 1000 on both
 * sides, {@code close()} returns well within the close limit, the reader ends with {@link
 * WebSocketClosedException} (never an {@link IllegalStateException}), nothing is left open (the
 * server's connections, this process's descriptors), against a Weft peer and the npm {@code ws} server. This is
 * what a Socket.IO client does (a reader fiber that answers pings, and a close from elsewhere); a
 * reader that got a message the peer sent before it saw our close frame, and then stopped receiving
 * (its answer was refused, the connection being closed), left {@code close()} waiting for nobody:
 * after {@link WebSocketOptions#closeTimeout()} the connection was dropped (1006 on our side, the
 * peer's read reset).
 */
class CloseWhileReceivingTest {
    private static final int CONNECTIONS = 300;
    /** Long enough that a close that ran into it is a failure, not a slow machine. */
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(20);
    private static final WebSocketOptions OPTIONS = WebSocketOptions.builder().closeTimeout(CLOSE_TIMEOUT).build();
    private static final WebSocketClient CLIENT = WebSocketClient.builder().options(OPTIONS).build();
    private static final WebSocketServer SERVER = WebSocketServer.builder().options(OPTIONS).build();

    /**
     * Deterministic: the peer answers our close frame only after a data message; the reader returns
     * that message, its answer is refused (closing) and it stops receiving. close() must read the
     * peer's close frame itself.
     */
    @Test
    @org.junit.jupiter.api.Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aReaderThatLeavesAfterAMessageDoesNotStrandTheClosingHandshake() throws Exception {
        Hub.run(() -> {
            try (RawServer raw = new RawServer()) {
                Fiber<WebSocket> connecting = Fiber.spawn(() -> CLIENT.connect(raw.uri("/")));
                RawPeer peer = raw.accept("");
                WebSocket ws = connecting.get();
                Fiber<Object> reader = Fiber.spawn("the reader", () -> {
                    Message m = ws.receive();
                    try {
                        ws.send("answer"); // the connection is closing by now: refused
                        return "sent";
                    } catch (WebSocketClosedException closing) {
                        return m; // and it stops receiving, as a Socket.IO client's reader does
                    }
                });
                Fiber.yield(); // the reader parks in receive()
                Fiber<Void> closer = Fiber.spawn("the closer", () -> ws.close(CloseCodes.NORMAL, "bye"));
                RawPeer.Frame close = peer.read(Duration.ofSeconds(10));
                assertEquals(8, close.opcode());
                assertEquals("bye", new String(close.payload(), 2, close.payload().length - 2, StandardCharsets.UTF_8));
                peer.text("sent before the peer saw the close frame");
                peer.close(1000, "bye".getBytes(StandardCharsets.UTF_8));
                assertTrue(peer.closedWithin(Duration.ofSeconds(10)), "the client closed the TCP connection");
                peer.close(); // the server's end of the TCP connection: the client waits for it (RFC 6455 section 7.1.1)
                closer.get();
                assertEquals(new Message.Text("sent before the peer saw the close frame"), reader.get());
                WebSocketClosedException status = ws.closeStatus();
                assertNotNull(status);
                assertEquals(1000, status.code(), status.getMessage());
                assertFalse(status.byPeer());
                assertEquals("closed: the peer answered our close(1000) with 1000 (normal closure): bye", status.getMessage());
            }
        });
    }

    /**
     * The reader comes back to receive() while close() reads: it gets the end of the connection
     * (WebSocketClosedException with 1000), not an IllegalStateException about a second receiver.
     */
    @Test
    @org.junit.jupiter.api.Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aReaderThatComesBackWhileCloseReadsGetsTheClose() throws Exception {
        Hub.run(() -> {
            try (RawServer raw = new RawServer()) {
                Fiber<WebSocket> connecting = Fiber.spawn(() -> CLIENT.connect(raw.uri("/")));
                RawPeer peer = raw.accept("");
                WebSocket ws = connecting.get();
                Event comeBack = new Event();
                Event got = new Event();
                Fiber<Throwable> reader = Fiber.spawn("the reader", () -> {
                    ws.receive();
                    got.set(); // close() was woken first, when receive() returned: it reads now
                    comeBack.await();
                    try {
                        Message late = ws.receive();
                        return new AssertionError("receive() returned " + late + " after the close");
                    } catch (Throwable t) {
                        return t;
                    }
                });
                Fiber.yield();
                Fiber<Void> closer = Fiber.spawn("the closer", () -> ws.close(CloseCodes.NORMAL, "bye"));
                assertEquals(8, peer.read(Duration.ofSeconds(10)).opcode());
                peer.text("sent before the peer saw the close frame");
                got.await();
                comeBack.set();
                Fiber.yield(); // the reader is back in receive() while close() reads
                peer.close(1000, "bye".getBytes(StandardCharsets.UTF_8));
                assertTrue(peer.closedWithin(Duration.ofSeconds(10)));
                peer.close();
                closer.get();
                WebSocketClosedException seen = assertInstanceOf(WebSocketClosedException.class, reader.get());
                assertEquals(1000, seen.code(), seen.getMessage());
                assertEquals(1000, ws.closeStatus().code(), ws.closeStatus().getMessage());
            }
        });
    }

    /**
     * Many connections, each a reader fiber answering every message (a chatty echo: messages are in
     * flight both ways all the time), closed by the client from other fibers.
     */
    @Test
    @org.junit.jupiter.api.Timeout(value = 120, unit = TimeUnit.SECONDS)
    void theClientClosesWhileItsReaderReceivesAndAnswers() throws Exception {
        Hub.run(() -> {
            try (TestServer server = TestServer.start(SERVER, TestServer.ECHO)) {
                long descriptors = openDescriptors();
                List<Fiber<Throwable>> readers = new ArrayList<>();
                List<WebSocket> sockets = openChatting(CONNECTIONS, server.uri("/"), readers);
                List<Fiber<Void>> closers = new ArrayList<>();
                for (WebSocket ws : sockets) {
                    closers.add(Fiber.spawn(() -> ws.close(CloseCodes.NORMAL, "bye")));
                }
                for (Fiber<Void> c : closers) {
                    c.get();
                }
                List<String> wrong = new ArrayList<>();
                for (int i = 0; i < CONNECTIONS; i++) {
                    WebSocketClosedException s = sockets.get(i).closeStatus();
                    if (s == null || s.code() != 1000 || s.byPeer()) {
                        wrong.add(i + ": " + (s == null ? "still open" : s.getMessage()));
                    }
                    Throwable end = readers.get(i).get();
                    if (!(end instanceof WebSocketClosedException)) {
                        wrong.add(i + ": the reader ended with " + end);
                    }
                }
                assertEquals(List.of(), first(wrong), wrong.size() + " of " + CONNECTIONS + " client sides did not end with our 1000");
                awaitNoConnections(server);
                assertServerSides(server, true);
                assertEquals(descriptors, openDescriptors(), "open sockets of this process: both ends of every connection closed");
            }
        });
    }

    /** The same from the server: its handler fiber closes while a fiber of its own receives and answers. */
    @Test
    @org.junit.jupiter.api.Timeout(value = 120, unit = TimeUnit.SECONDS)
    void theServerClosesWhileItsReaderReceivesAndAnswers() throws Exception {
        Hub.run(() -> {
            Event closeAll = new Event();
            List<Throwable> serverReaders = new CopyOnWriteArrayList<>();
            try (TestServer server = TestServer.start(SERVER, ws -> {
                Fiber<Throwable> reader = Fiber.spawn(() -> chatter(ws));
                closeAll.await();
                ws.close(CloseCodes.NORMAL, "bye");
                serverReaders.add(reader.get());
            })) {
                long descriptors = openDescriptors();
                List<Fiber<Throwable>> readers = new ArrayList<>();
                List<WebSocket> sockets = openChatting(CONNECTIONS, server.uri("/"), readers);
                closeAll.set();
                List<String> wrong = new ArrayList<>();
                for (int i = 0; i < CONNECTIONS; i++) {
                    Throwable end = readers.get(i).get();
                    WebSocketClosedException s = sockets.get(i).closeStatus();
                    if (!(end instanceof WebSocketClosedException) || s == null || s.code() != 1000 || !s.reason().equals("bye")
                            || !s.byPeer()) {
                        wrong.add(i + ": " + end + " / " + (s == null ? "still open" : s.getMessage()));
                    }
                }
                assertEquals(List.of(), first(wrong), wrong.size() + " of " + CONNECTIONS + " clients did not see the server's 1000 bye");
                awaitNoConnections(server);
                assertEquals(CONNECTIONS, serverReaders.size());
                for (Throwable t : serverReaders) {
                    assertInstanceOf(WebSocketClosedException.class, t);
                }
                assertServerSides(server, false);
                assertEquals(descriptors, openDescriptors(), "open sockets of this process: both ends of every connection closed");
            }
        });
    }

    /**
     * The same against a peer nobody here wrote: the npm package {@code ws}'s echo server (Node). Each
     * of its connections reports the close it got: all must be 1000 "bye", and Weft's side must have
     * read the answer.
     */
    @Test
    @org.junit.jupiter.api.Timeout(value = 120, unit = TimeUnit.SECONDS)
    void theClientClosesWhileItsReaderReceivesAndAnswersAgainstTheWsServer() throws Exception {
        int count = 100;
        try (Peers.Server server = new Peers.Server(List.of("node", Peers.script("ws-echo-server.js").toString(), "plain"),
                Peers.nodeWs())) {
            Hub.run(() -> {
                List<Fiber<Throwable>> readers = new ArrayList<>();
                List<WebSocket> sockets = openChatting(count, java.net.URI.create("ws://127.0.0.1:" + server.port + "/"), readers);
                List<Fiber<Void>> closers = new ArrayList<>();
                for (WebSocket ws : sockets) {
                    closers.add(Fiber.spawn(() -> ws.close(CloseCodes.NORMAL, "bye")));
                }
                List<String> wrong = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    closers.get(i).get();
                    WebSocketClosedException s = sockets.get(i).closeStatus();
                    if (s == null || s.code() != 1000 || s.byPeer() || !(readers.get(i).get() instanceof WebSocketClosedException)) {
                        wrong.add(i + ": " + (s == null ? "still open" : s.getMessage()) + " / " + readers.get(i).get());
                    }
                }
                assertEquals(List.of(), first(wrong), wrong.size() + " of " + count + " did not end with our 1000");
            });
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (server.lines.stream().filter(l -> l.startsWith("CLOSED")).count() < count && System.nanoTime() < deadline) {
                Thread.sleep(10); // the server prints each close as its process gets to it
            }
            List<String> closes = server.lines.stream().filter(l -> l.startsWith("CLOSED")).toList();
            assertEquals(count, closes.size(), server.lines.toString());
            assertTrue(closes.stream().allMatch(l -> l.equals("CLOSED 1000 bye")), closes.toString());
        }
    }

    /**
     * Opens {@code count} connections to {@code uri}, each with a {@link #chatter} fiber (added to
     * {@code readers}), and lets them talk a little: messages are in flight both ways everywhere.
     */
    private static List<WebSocket> openChatting(int count, java.net.URI uri, List<Fiber<Throwable>> readers) throws java.io.IOException {
        List<WebSocket> sockets = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            WebSocket ws = CLIENT.connect(uri);
            sockets.add(ws);
            readers.add(Fiber.spawn(() -> chatter(ws)));
        }
        for (int i = 0; i < 3; i++) {
            Fiber.sleep(Duration.ofMillis(1));
        }
        return sockets;
    }

    /**
     * A reader as a Socket.IO client's: sends one message, then answers every message it receives
     * until the connection ends; returns how it ended.
     */
    private static Throwable chatter(WebSocket ws) {
        try {
            ws.send("hello");
            while (true) {
                ws.send(ws.receive());
            }
        } catch (Throwable end) {
            return end;
        }
    }

    /** The first few of a list of failures (a few show the pattern; 300 would drown the report). */
    private static List<String> first(List<String> wrong) {
        return wrong.subList(0, Math.min(5, wrong.size()));
    }

    /**
     * This process's open sockets (Linux: the /proc/self/fd links to {@code socket:[...]}; other files,
     * such as /dev/urandom opened once for the first handshake key, do not count); -1 where /proc is not there.
     */
    private static long openDescriptors() throws java.io.IOException {
        java.nio.file.Path fds = java.nio.file.Path.of("/proc/self/fd");
        if (!java.nio.file.Files.isDirectory(fds)) {
            return -1;
        }
        try (java.util.stream.Stream<java.nio.file.Path> list = java.nio.file.Files.list(fds)) {
            return list.filter(f -> {
                try {
                    return java.nio.file.Files.readSymbolicLink(f).toString().startsWith("socket:");
                } catch (java.io.IOException gone) {
                    return false; // closed meanwhile (the listing's own descriptor)
                }
            }).count();
        }
    }

    private static void awaitNoConnections(TestServer server) {
        for (int i = 0; i < 2_000 && server.connections() > 0; i++) {
            Fiber.sleep(Duration.ofMillis(10));
        }
        assertEquals(0, server.connections(), "the server's connections after every close");
    }

    /** Every server side ended with 1000 "bye": closed by the client ({@code byPeer}) or by itself. */
    private static void assertServerSides(TestServer server, boolean byPeer) {
        assertTrue(server.failures.isEmpty(), server.failures.toString());
        assertEquals(CONNECTIONS, server.endings.size());
        List<String> wrong = new ArrayList<>();
        for (java.io.IOException e : server.endings) {
            WebSocketClosedException s = (WebSocketClosedException) e;
            if (s.code() != 1000 || s.byPeer() != byPeer || byPeer && !s.reason().equals("bye")) {
                wrong.add(s.getMessage());
            }
        }
        assertEquals(List.of(), first(wrong), wrong.size() + " of " + CONNECTIONS + " server sides did not end with 1000");
    }
}
