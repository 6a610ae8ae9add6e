package dev.weft.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * What hostile or broken peers send: garbage, an unmasked client frame, a masked server frame, a
 * length header of 2 GiB, a frame that drips in a byte at a time. Each ends with a clear close code,
 * promptly, without a hang, with memory bounded by what arrived.
 */
class BadInputTest {
    @Test
    void garbageAfterTheHandshakeFailsTheConnectionWithACloseCodeNeverAHang() throws Exception {
        Random random = new Random(2026);
        Hub.run(() -> {
            WebSocketServer settings = WebSocketServer.builder()
                    .options(WebSocketOptions.builder().messageTimeout(Duration.ofMillis(300)).build()).build();
            try (TestServer server = TestServer.start(settings, TestServer.ECHO)) {
                long start = System.nanoTime();
                for (int i = 0; i < 200; i++) {
                    byte[] garbage = new byte[1 + random.nextInt(300)];
                    random.nextBytes(garbage);
                    try (RawPeer peer = RawPeer.connect(server.port(), "/", "")) {
                        peer.raw(garbage, 0);
                        if (i % 2 == 0) {
                            peer.socket.shutdownOutput(); // half of them end there: the server sees the end mid-frame
                        }
                        RawPeer.Frame f;
                        do {
                            f = peer.read(Autobahn.WAIT);
                        } while (f != null && f.opcode() != 8);
                        if (f == null) {
                            continue; // the garbage ended (shutdownOutput) without a close frame: 1006, nothing to answer
                        }
                        int code = f.closeCode();
                        assertTrue(code == 1002 || code == 1007 || code == 1009 || code == 1008,
                                "garbage " + java.util.HexFormat.of().formatHex(garbage) + " closed with " + code);
                    } catch (java.net.SocketException reset) {
                        // the server closed while garbage was still arriving: a reset is a clear end too
                    }
                }
                long seconds = (System.nanoTime() - start) / 1_000_000_000;
                assertTrue(seconds < 45, "200 garbage connections took " + seconds + " s");
                server.close();
                assertTrue(server.failures.isEmpty(), server.failures.toString());
                assertEquals(200, server.endings.size(), "every connection ended with a close status");
            }
        });
    }

    @Test
    void anUnmaskedFrameFromAClientFailsWith1002() throws Exception {
        Hub.run(() -> {
            try (TestServer server = TestServer.start(WebSocketServer.defaults(), TestServer.ECHO)) {
                try (RawPeer peer = RawPeer.connect(server.port(), "/", "")) {
                    peer.raw(new byte[] {(byte) 0x81, 0x05, 'h', 'e', 'l', 'l', 'o'}, 0); // text "hello", no mask bit
                    RawPeer.Frame close = peer.read(Autobahn.WAIT);
                    assertEquals(8, close.opcode());
                    assertEquals(1002, close.closeCode());
                    assertTrue(close.text().contains("not masked"), close.text());
                    assertTrue(peer.closedWithin(Autobahn.WAIT));
                }
                server.close();
                WebSocketClosedException e = (WebSocketClosedException) server.endings.get(0);
                assertEquals(1002, e.code());
                assertEquals("closed by us with 1002 (protocol error): frame from the client is not masked (RFC 6455 section 5.1:"
                        + " a client must mask every frame)", e.getMessage());
            }
        });
    }

    @Test
    void aMaskedFrameFromAServerFailsTheClientWith1002() throws Exception {
        Hub.run(() -> {
            try (RawServer raw = new RawServer()) {
                Fiber<WebSocket> connecting = Fiber.spawn(() -> WebSocket.connect(raw.uri("/")));
                RawPeer peer = raw.accept("");
                WebSocket ws = connecting.get();
                peer.raw(new byte[] {(byte) 0x81, (byte) 0x81, 1, 2, 3, 4, 'x' ^ 1}, 0);
                WebSocketClosedException e = org.junit.jupiter.api.Assertions.assertThrows(WebSocketClosedException.class, ws::receive);
                assertEquals(1002, e.code());
                assertTrue(e.getMessage().contains("frame from the server is masked"), e.getMessage());
                assertEquals(1002, peer.read(Autobahn.WAIT).closeCode());
                peer.close();
            }
        });
    }

    @Test
    void aTwoGibLengthHeaderIsRefusedWith1009BeforeAnythingIsAllocated() throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Hub.run(() -> {
            // The largest limit there is: a header just over it must still be refused, not allocated.
            WebSocketServer settings = WebSocketServer.builder()
                    .options(WebSocketOptions.builder().maxMessageSize(Integer.MAX_VALUE - 64).build()).build();
            try (TestServer server = TestServer.start(settings, TestServer.ECHO)) {
                try (RawPeer peer = RawPeer.connect(server.port(), "/", "")) {
                    long before = threads.getCurrentThreadAllocatedBytes();
                    ByteBuffer header = ByteBuffer.allocate(14).put((byte) 0x82).put((byte) (0x80 | 127)).putLong(1L << 31).putInt(0x01020304);
                    peer.raw(header.array(), 0);
                    RawPeer.Frame close = peer.read(Autobahn.WAIT);
                    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
                    assertEquals(1009, close.closeCode(), close.text());
                    assertTrue(close.text().contains("larger than the limit"), close.text());
                    assertTrue(allocated < 4 << 20, "the hub thread allocated " + allocated + " bytes meanwhile");
                }
                // A header of 1.5 GiB, under that limit, followed by a trickle: what is allocated follows what arrived.
                try (RawPeer peer = RawPeer.connect(server.port(), "/", "")) {
                    long before = threads.getCurrentThreadAllocatedBytes();
                    ByteBuffer header = ByteBuffer.allocate(14).put((byte) 0x82).put((byte) (0x80 | 127)).putLong(3L << 29).putInt(0);
                    peer.raw(header.array(), 0);
                    peer.raw(new byte[10_000], 0);
                    peer.frame(9, new byte[] {7}); // inside the big frame these bytes are payload, not a ping
                    Fiber.sleep(Duration.ofMillis(50));
                    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
                    assertTrue(allocated < 8 << 20, "the hub thread allocated " + allocated + " bytes for 10 kB of a 1.5 GiB frame");
                }
            }
        });
    }

    @Test
    void aFrameThatDripsInAByteAtATimeIsClosedWith1008WhenTheMessageTimeoutPasses() throws Exception {
        Hub.run(() -> {
            WebSocketServer settings = WebSocketServer.builder()
                    .options(WebSocketOptions.builder().messageTimeout(Duration.ofMillis(600)).build()).build();
            try (TestServer server = TestServer.start(settings, TestServer.ECHO)) {
                try (RawPeer peer = RawPeer.connect(server.port(), "/", "")) {
                    byte[] frame = peer.encode(true, 0, 1, "a slow message".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    long start = System.nanoTime();
                    Fiber<Void> drip = Fiber.spawn("drip", () -> {
                        for (byte b : frame) {
                            peer.raw(new byte[] {b}, 0);
                            Fiber.sleep(Duration.ofMillis(100));
                        }
                    });
                    RawPeer.Frame close = peer.read(Autobahn.WAIT);
                    long ms = (System.nanoTime() - start) / 1_000_000;
                    drip.kill();
                    assertNotNull(close);
                    assertEquals(1008, close.closeCode(), close.text());
                    assertTrue(close.text().contains("did not arrive completely within 600 ms"), close.text());
                    assertTrue(ms >= 550 && ms < 5_000, ms + " ms");
                }
                server.close();
                assertEquals(List.of(1008), server.endings.stream().map(e -> ((WebSocketClosedException) e).code()).toList());
            }
        });
    }
}
