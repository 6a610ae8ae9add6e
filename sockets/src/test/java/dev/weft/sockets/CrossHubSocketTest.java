package dev.weft.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.AsyncResult;
import dev.weft.fibers.Fiber;
import dev.weft.fibers.Futures;
import dev.weft.fibers.Hub;
import dev.weft.hub.WrongThreadException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Issue 23, item 3: a socket of hub A used from a fiber of hub B (another thread) is refused before
 * anything is touched: no bytes read or written on the wrong thread, no budget spent, and hub A's
 * own use of it goes on unharmed.
 */
@org.junit.jupiter.api.Timeout(60)
class CrossHubSocketTest {

    private record Shared(TcpSocket socket, AsyncResult<List<String>> bSaw, AtomicBoolean release) {
    }

    @Test
    void aSocketUsedFromAnotherHubsFiberIsRefusedAndItsDataStaysForItsOwnHub() throws Exception {
        CompletableFuture<Shared> shared = new CompletableFuture<>();
        CompletableFuture<String> aSaw = new CompletableFuture<>();
        Thread threadA = Thread.ofPlatform().name("hub-A").start(() -> {
            try {
                aSaw.complete(Hub.run(() -> {
                    StreamServer server = StreamServer.builder(s -> {
                        s.writeAll("hello".getBytes(StandardCharsets.US_ASCII));
                        ByteBuffer in = ByteBuffer.allocate(64);
                        StringBuilder got = new StringBuilder();
                        while (s.read(in.clear()) > 0) {
                            got.append(new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII));
                        }
                        s.writeAll(("server got [" + got + "]").getBytes(StandardCharsets.US_ASCII));
                    }).bind("127.0.0.1", 0).start();
                    try (TcpSocket c = TcpSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5))) {
                        c.setTimeout(Duration.ofSeconds(5));
                        ByteBuffer h = ByteBuffer.allocate(1);
                        c.readFully(h); // "h": the rest of "hello" is in the kernel's buffer now
                        AsyncResult<List<String>> bSaw = new AsyncResult<>();
                        AtomicBoolean release = new AtomicBoolean();
                        shared.complete(new Shared(c, bSaw, release));
                        Fiber<?> me = Fiber.current();
                        while (!release.get()) {
                            Thread.onSpinWait(); // running: hub A's current fiber while B tries the socket
                        }
                        String state = "A's fiber still " + me.state();
                        List<String> b = bSaw.get(Duration.ofSeconds(10));
                        ByteBuffer rest = ByteBuffer.allocate(4);
                        c.readFully(rest); // hub A's own read: the bytes are all still there
                        c.writeAll("ok".getBytes(StandardCharsets.US_ASCII));
                        c.shutdownOutput();
                        ByteBuffer reply = ByteBuffer.allocate(64);
                        while (c.read(reply) > 0) {
                            // until the server closes
                        }
                        server.stop(Duration.ofSeconds(1));
                        return String.join("\n", b) + "\n" + state + "\nA read [" + new String(rest.array(), StandardCharsets.US_ASCII)
                                + "], then the server replied [" + new String(reply.array(), 0, reply.position(),
                                StandardCharsets.US_ASCII) + "]";
                    }
                }));
            } catch (Throwable t) {
                aSaw.complete("hub A failed: " + t);
            }
        });
        Hub.run(() -> {
            Shared s = Futures.await(shared);
            List<String> seen = new ArrayList<>();
            int refusals = 0;
            try {
                for (int i = 0; i < 3 * 128; i++) { // three times the budget: a spent budget must not be hub A's
                    try {
                        if (i % 2 == 0) {
                            s.socket().read(ByteBuffer.allocate(16));
                        } else {
                            s.socket().write(ByteBuffer.wrap(new byte[] {'X'}));
                        }
                    } catch (WrongThreadException expected) {
                        refusals++;
                    }
                }
            } finally {
                s.release().set(true);
            }
            seen.add("refused " + refusals + " of " + 3 * 128);
            for (String op : List.of("read", "write", "shutdownOutput", "shutdownInput")) {
                try {
                    switch (op) {
                        case "read" -> seen.add("B read " + s.socket().read(ByteBuffer.allocate(16)) + " bytes");
                        case "write" -> seen.add("B wrote " + s.socket().write(ByteBuffer.wrap(new byte[] {'X'})) + " bytes");
                        case "shutdownOutput" -> s.socket().shutdownOutput();
                        default -> s.socket().shutdownInput();
                    }
                } catch (WrongThreadException refused) {
                    assertTrue(refused.getMessage().contains("belongs to the hub thread 'hub-A'"), refused.getMessage());
                    seen.add(op + " refused");
                }
            }
            s.bSaw().set(seen);
            return null;
        });
        assertEquals("""
                refused 384 of 384
                read refused
                write refused
                shutdownOutput refused
                shutdownInput refused
                A's fiber still RUNNING
                A read [ello], then the server replied [server got [ok]]""", aSaw.get(20, TimeUnit.SECONDS));
        threadA.join(10_000);
    }

    @Test
    void aUdpSocketUsedFromAnotherHubsFiberIsRefused() throws Exception {
        CompletableFuture<UdpSocket> shared = new CompletableFuture<>();
        CompletableFuture<Void> bDone = new CompletableFuture<>();
        Thread threadA = Thread.ofPlatform().name("hub-A").start(() -> {
            try {
                Hub.run(() -> {
                    try (UdpSocket u = UdpSocket.bind("127.0.0.1", 0)) {
                        shared.complete(u);
                        Futures.await(bDone);
                    }
                    return null;
                });
            } catch (Exception e) {
                shared.completeExceptionally(e);
            }
        });
        try {
            Hub.run(() -> {
                UdpSocket u = Futures.await(shared);
                assertThrowsWrongThread(() -> u.receive(ByteBuffer.allocate(8)));
                assertThrowsWrongThread(() -> u.send(ByteBuffer.wrap(new byte[] {1}), u.localAddress()));
                Fiber.yield();
                return null;
            });
        } finally {
            bDone.complete(null);
            threadA.join(10_000);
        }
    }

    private interface Io {
        void run() throws Exception;
    }

    private static void assertThrowsWrongThread(Io io) throws Exception {
        try {
            io.run();
        } catch (WrongThreadException expected) {
            return;
        }
        throw new AssertionError("not refused");
    }
}
