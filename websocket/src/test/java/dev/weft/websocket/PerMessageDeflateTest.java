package dev.weft.websocket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Test;

/**
 * permessage-deflate (RFC 7692): negotiated as browsers offer it, context takeover both ways, the
 * parameters a side may ask for, offers that cannot be honoured declined, and a decompression bomb
 * stopped at the size limit. The other end compresses and decompresses with the JDK's zlib directly.
 */
class PerMessageDeflateTest {
    private static final WebSocketOptions COMPRESSED = WebSocketOptions.builder().compression(PerMessageDeflate.enabled()).build();
    private static final WebSocketServer SERVER = WebSocketServer.builder().options(COMPRESSED).build();
    private static final String BROWSER_OFFER = "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n";

    @Test
    void weftToWeftNegotiatesAndCompressesBothWays() throws Exception {
        Hub.run(() -> {
            try (TestServer server = TestServer.start(SERVER, TestServer.ECHO)) {
                WebSocketClient client = WebSocketClient.builder().options(COMPRESSED).build();
                try (WebSocket ws = client.connect(server.uri("/"))) {
                    assertEquals("permessage-deflate", ws.extensions());
                    assertTrue(ws.isCompressed());
                    for (int i = 0; i < 50; i++) {
                        String json = "{\"event\":\"chat\",\"room\":\"lobby\",\"n\":" + i + ",\"text\":\"" + "hello ".repeat(i) + "\"}";
                        ws.send(json);
                        assertEquals(new Message.Text(json), ws.receive());
                    }
                    byte[] random = new byte[100_000];
                    new java.util.Random(5).nextBytes(random);
                    ws.send(random);
                    assertEquals(new Message.Binary(random), ws.receive());
                    ws.send("");
                    assertEquals(new Message.Text(""), ws.receive());
                }
            }
        });
    }

    @Test
    void aBrowserStyleOfferIsAcceptedAndMessagesCarryOverTheirContext() throws Exception {
        Hub.run(() -> {
            try (TestServer server = TestServer.start(SERVER, TestServer.ECHO);
                 RawPeer peer = RawPeer.connect(server.port(), "/", BROWSER_OFFER)) {
                Deflater ours = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
                Inflater theirs = new Inflater(true);
                String message = "{\"type\":\"message\",\"body\":\"the same words again and again\"}";
                int firstSize = 0;
                int lastSize = 0;
                for (int i = 0; i < 5; i++) {
                    peer.frame(true, 4, 1, compress(ours, message), 0); // RSV1: compressed
                    RawPeer.Frame echo = peer.read(Autobahn.WAIT);
                    assertEquals(4, echo.rsv(), "the echo is compressed: " + echo);
                    assertEquals(message, new String(inflate(theirs, echo.payload()), StandardCharsets.UTF_8));
                    if (i == 0) {
                        firstSize = echo.payload().length;
                    }
                    lastSize = echo.payload().length;
                }
                assertTrue(lastSize < firstSize / 3, "with context takeover a repeated message shrinks: " + firstSize + " -> " + lastSize);
                peer.frame(1, "plain".getBytes(StandardCharsets.UTF_8)); // an uncompressed message is fine too
                assertEquals("plain", new String(inflate(theirs, peer.read(Autobahn.WAIT).payload()), StandardCharsets.UTF_8));
            }
        });
    }

    @Test
    void noContextTakeoverIsAnsweredAndHonoured() throws Exception {
        Hub.run(() -> {
            WebSocketServer fresh = WebSocketServer.builder()
                    .options(WebSocketOptions.builder().compression(PerMessageDeflate.enabled().withServerNoContextTakeover(true)).build()).build();
            try (TestServer server = TestServer.start(fresh, TestServer.ECHO);
                 RawPeer peer = RawPeer.connect(server.port(), "/", "Sec-WebSocket-Extensions: permessage-deflate;"
                         + " client_no_context_takeover; server_max_window_bits=15\r\n")) {
                Deflater ours = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
                for (int i = 0; i < 3; i++) {
                    peer.frame(true, 4, 1, compress(ours, "again"), 0);
                    ours.reset(); // we promised client_no_context_takeover
                    RawPeer.Frame echo = peer.read(Autobahn.WAIT);
                    // Each of the server's messages must inflate on its own.
                    assertEquals("again", new String(inflate(new Inflater(true), echo.payload()), StandardCharsets.UTF_8));
                }
            }
            try (TestServer server = TestServer.start(fresh, ws -> {
                assertEquals("permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=15",
                        ws.extensions());
            }); RawPeer peer = RawPeer.connect(server.port(), "/", "Sec-WebSocket-Extensions: permessage-deflate;"
                    + " client_no_context_takeover; server_max_window_bits=15\r\n")) {
                assertTrue(peer.closedWithin(Autobahn.WAIT));
                server.close();
                assertTrue(server.failures.isEmpty(), server.failures.toString());
            }
        });
    }

    @Test
    void offersThatCannotBeHonouredAreDeclinedAndTheConnectionRunsUncompressed() throws Exception {
        Hub.run(() -> {
            String[] seen = new String[1];
            try (TestServer server = TestServer.start(SERVER, ws -> {
                seen[0] = String.valueOf(ws.extensions());
                TestServer.ECHO.handle(ws);
            })) {
                try (RawPeer peer = RawPeer.connect(server.port(), "/", "Sec-WebSocket-Extensions: permessage-deflate;"
                        + " server_max_window_bits=10, permessage-deflate; unknown_parameter\r\n")) {
                    peer.frame(1, "x".getBytes(StandardCharsets.UTF_8));
                    RawPeer.Frame echo = peer.read(Autobahn.WAIT);
                    assertEquals(0, echo.rsv());
                    assertEquals("x", echo.text());
                }
                server.close();
                assertEquals("null", seen[0]);
            }
            // A server that asks the client for a smaller window than java.util.zip makes: refused, saying why.
            try (RawServer raw = new RawServer()) {
                WebSocketClient client = WebSocketClient.builder().options(COMPRESSED).build();
                Fiber<WebSocketHandshakeException> connecting = Fiber.spawn(() -> assertThrows(WebSocketHandshakeException.class,
                        () -> client.connect(raw.uri("/"))));
                RawPeer peer = raw.accept("Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=10\r\n");
                assertTrue(peer.lastRequest.contains("Sec-WebSocket-Extensions: permessage-deflate\r\n"), peer.lastRequest);
                WebSocketHandshakeException e = connecting.get();
                assertTrue(e.getMessage().contains("client_max_window_bits=10; java.util.zip compresses with a 32 KiB window"), e.getMessage());
                peer.close();
            }
        });
    }

    @Test
    void anEmptyMessageKeepsTheCompressedStreamIntactBothWays() throws Exception {
        Hub.run(() -> {
            try (TestServer server = TestServer.start(SERVER, TestServer.ECHO);
                 RawPeer peer = RawPeer.connect(server.port(), "/", BROWSER_OFFER)) {
                Deflater ours = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
                Inflater theirs = new Inflater(true);
                // Sent: "first", an empty message as one 00 byte (RFC 7692 7.2.3.6), an empty message with no
                // payload at all (tolerated), "last". The server's echoes must inflate as one stream.
                peer.frame(true, 4, 1, compress(ours, "first"), 0);
                peer.frame(true, 4, 1, new byte[] {0}, 0);
                peer.frame(true, 4, 1, new byte[0], 0);
                peer.frame(true, 4, 1, compress(ours, "last"), 0);
                for (String expected : new String[] {"first", "", "", "last"}) {
                    RawPeer.Frame echo = peer.read(Autobahn.WAIT);
                    assertTrue(echo.payload().length > 0, "an empty compressed message is one 00 byte, not nothing");
                    assertEquals(expected, new String(inflate(theirs, echo.payload()), StandardCharsets.UTF_8));
                }
            }
        });
    }

    @Test
    void aDecompressionBombIsStoppedAtTheSizeLimitWith1009() throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Hub.run(() -> {
            try (TestServer server = TestServer.start(SERVER, TestServer.ECHO);
                 RawPeer peer = RawPeer.connect(server.port(), "/", BROWSER_OFFER)) {
                byte[] zeros = new byte[256 << 20];
                byte[] bomb = compress(new Deflater(Deflater.BEST_COMPRESSION, true), zeros); // 256 MiB in about 256 KB
                zeros = null;
                long before = threads.getCurrentThreadAllocatedBytes();
                peer.frame(true, 4, 2, bomb, 0);
                RawPeer.Frame close = peer.read(Autobahn.WAIT);
                long allocated = threads.getCurrentThreadAllocatedBytes() - before;
                assertEquals(1009, close.closeCode(), close.text());
                assertTrue(close.text().contains("larger than the limit of 1048576 bytes"), close.text());
                assertTrue(allocated < 16 << 20, "the hub thread allocated " + allocated + " bytes for a 256 MiB bomb");
                assertNull(zeros);
            }
        });
    }

    @Test
    void compressedTextThatIsNotUtf8FailsWith1007() throws Exception {
        Hub.run(() -> {
            try (TestServer server = TestServer.start(SERVER, TestServer.ECHO);
                 RawPeer peer = RawPeer.connect(server.port(), "/", BROWSER_OFFER)) {
                byte[] bad = Autobahn.hex("cebae1bdb9cf83cebcceb5eda080656469746564");
                peer.frame(true, 4, 1, compress(new Deflater(Deflater.DEFAULT_COMPRESSION, true), bad), 0);
                assertEquals(1007, peer.read(Autobahn.WAIT).closeCode());
            }
        });
    }

    /** A message compressed as RFC 7692 says: raw DEFLATE, sync flush, the trailing 00 00 ff ff removed. */
    static byte[] compress(Deflater d, String s) {
        return compress(d, s.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] compress(Deflater d, byte[] data) {
        d.setInput(data);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[64 * 1024];
        int n;
        do {
            n = d.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
            out.write(buf, 0, n);
        } while (n == buf.length);
        byte[] all = out.toByteArray();
        assertArrayEquals(new byte[] {0, 0, -1, -1}, Arrays.copyOfRange(all, all.length - 4, all.length));
        return Arrays.copyOf(all, all.length - 4);
    }

    static byte[] inflate(Inflater inf, byte[] payload) throws Exception {
        byte[] withTail = Arrays.copyOf(payload, payload.length + 4);
        withTail[payload.length + 2] = -1;
        withTail[payload.length + 3] = -1;
        inf.setInput(withTail);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        while ((n = inf.inflate(buf)) > 0) {
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }
}
