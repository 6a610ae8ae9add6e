package dev.weft.websocket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Hub;
import org.junit.jupiter.api.Test;

/** The connection's everyday behaviour: messages both ways, the closing handshake, the close status. */
class ConnectionTest {
    @Test
    void textAndBinaryMessagesEchoAndAnOrderlyCloseEndsBothSides() throws Exception {
        Hub.run(() -> {
            try (TestServer server = TestServer.start(WebSocketServer.defaults(), TestServer.ECHO)) {
                WebSocket ws = WebSocket.connect(server.uri("/echo"));
                ws.send("hello, wörld");
                assertEquals(new Message.Text("hello, wörld"), ws.receive());
                ws.send(new byte[] {1, 2, 3});
                assertArrayEquals(new byte[] {1, 2, 3}, ((Message.Binary) ws.receive()).data());
                byte[] big = new byte[300_000];
                new java.util.Random(1).nextBytes(big);
                ws.send(big);
                assertArrayEquals(big, ((Message.Binary) ws.receive()).data());
                ws.close(CloseCodes.NORMAL, "bye");
                assertFalse(ws.isOpen());
                WebSocketClosedException status = ws.closeStatus();
                assertEquals(1000, status.code(), status.getMessage());
                assertFalse(status.byPeer());
                WebSocketClosedException again = assertThrows(WebSocketClosedException.class, ws::receive);
                assertEquals(1000, again.code());
                assertThrows(WebSocketClosedException.class, () -> ws.send("late"));
                server.close();
                assertEquals(1, server.endings.size(), server.endings.toString());
                WebSocketClosedException serverSide = (WebSocketClosedException) server.endings.get(0);
                assertEquals(1000, serverSide.code());
                assertEquals("bye", serverSide.reason());
                assertTrue(serverSide.byPeer());
                assertTrue(server.failures.isEmpty(), server.failures.toString());
            }
        });
    }
}
