package dev.weft.websocket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link PreparedMessage}: encoded once, sent on many connections. A server connection writes the
 * prepared frame itself (checked byte by byte by raw peers, several at once on the same prepared
 * messages); a client connection masks and a compressed one compresses each message itself, and the
 * peer gets the same messages either way.
 */
@org.junit.jupiter.api.Timeout(60)
class PreparedMessageTest {
    private static final byte[] BIG = new byte[70_000]; // over the 8 KiB copy limit and the 64 KiB gather limit

    static {
        new Random(7).nextBytes(BIG);
    }

    private static final String LONG_TEXT = "é€😀 ".repeat(40); // a 16-bit length, multi-byte UTF-8
    private static final int TEXT = 1;
    private static final int BINARY = 2;
    private static final int CLOSE = 8;
    private static final List<PreparedMessage> MESSAGES = List.of(PreparedMessage.text("hello"),
            PreparedMessage.text(LONG_TEXT), PreparedMessage.binary(BIG), PreparedMessage.text(""),
            PreparedMessage.binary(new byte[] {1, 2, 3}));

    @Test
    void aServerWritesThePreparedFramesAsTheyAreToEveryPeer() throws Exception {
        Hub.run(() -> {
            try (TestServer server = TestServer.start(WebSocketServer.builder().build(), ws -> {
                for (int i = 0; i < 3; i++) {
                    ws.send(MESSAGES);
                }
                ws.send(List.of(MESSAGES.get(0)));
                ws.close();
            })) {
                List<Fiber<Void>> peers = new ArrayList<>();
                for (int p = 0; p < 5; p++) {
                    peers.add(Fiber.spawn(() -> {
                        try (RawPeer peer = RawPeer.connect(server.port(), "/", "")) {
                            for (int i = 0; i < 3; i++) {
                                expect(peer.read(Duration.ofSeconds(10)), TEXT, "hello".getBytes(StandardCharsets.UTF_8));
                                expect(peer.read(Duration.ofSeconds(10)), TEXT, LONG_TEXT.getBytes(StandardCharsets.UTF_8));
                                expect(peer.read(Duration.ofSeconds(10)), BINARY, BIG);
                                expect(peer.read(Duration.ofSeconds(10)), TEXT, new byte[0]);
                                expect(peer.read(Duration.ofSeconds(10)), BINARY, new byte[] {1, 2, 3});
                            }
                            expect(peer.read(Duration.ofSeconds(10)), TEXT, "hello".getBytes(StandardCharsets.UTF_8));
                            assertEquals(CLOSE, peer.read(Duration.ofSeconds(10)).opcode(), "then the close frame");
                        }
                    }));
                }
                for (Fiber<Void> f : peers) {
                    f.get();
                }
                assertEquals(List.of(), server.failures);
            }
            return null;
        });
    }

    @Test
    void aClientMasksAndACompressedConnectionCompressesEachPreparedMessageItself() throws Exception {
        WebSocketOptions compressed = WebSocketOptions.builder().compression(PerMessageDeflate.enabled()).build();
        for (boolean deflate : new boolean[] {false, true}) {
            Hub.run(() -> {
                WebSocketServer settings = deflate ? WebSocketServer.builder().options(compressed).build() : WebSocketServer.builder().build();
                WebSocketClient client = WebSocketClient.builder().options(deflate ? compressed : WebSocketOptions.defaults()).build();
                try (TestServer server = TestServer.start(settings, TestServer.ECHO);
                     WebSocket ws = client.connect(server.uri("/"))) {
                    assertEquals(deflate, ws.isCompressed());
                    ws.send(MESSAGES); // a client: masked (the server refuses an unmasked frame with 1002)
                    for (PreparedMessage m : MESSAGES) {
                        assertEquals(m.message(), ws.receive(), "deflate " + deflate); // the server: compressed when agreed
                    }
                    assertEquals(List.of(), server.failures);
                }
                return null;
            });
        }
    }

    @Test
    void textThatIsNotUnicodeIsRefusedWhenPreparedAndABinaryMessageKeepsItsOwnCopy() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PreparedMessage.text("a\uD800b"));
        assertEquals("text has an unpaired surrogate (U+D800) at index 1: it cannot be encoded as UTF-8", e.getMessage());
        byte[] data = {1, 2, 3};
        PreparedMessage m = PreparedMessage.binary(data);
        data[0] = 9;
        assertArrayEquals(new byte[] {1, 2, 3}, ((Message.Binary) m.message()).data());
        assertFalse(m.message().isText());
    }

    private static void expect(RawPeer.Frame f, int opcode, byte[] payload) {
        assertEquals(opcode, f.opcode(), f.toString());
        assertEquals(0, f.rsv(), f.toString());
        assertFalse(f.masked(), f.toString());
        assertEquals(true, f.fin(), f.toString());
        assertArrayEquals(payload, f.payload(), f.toString());
    }
}
