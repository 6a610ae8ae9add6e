package dev.weft.socketio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.sockets.ThreadPool;
import dev.weft.websocket.Message;
import dev.weft.websocket.WebSocket;
import dev.weft.websocket.WebSocketClosedException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code connectTimeout}: a client that opens an Engine.IO session (WebSocket or polling) and never
 * joins a namespace, or is refused by the one it asked for, gets the close packet and is closed after
 * the timeout; nothing is left (no session, no fiber, no connection). One that joined in time stays.
 */
@Timeout(60)
class ConnectTimeoutTest {
    private static final Duration TIMEOUT = Duration.ofMillis(400);
    private static String get(HttpClient http, String url) throws Exception {
        return ThreadPool.offload(() -> http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString())).body();
    }

    private static String text(WebSocket ws) throws Exception {
        return ((Message.Text) ws.receive()).text();
    }

    /** Waits (at most 5 s) until {@code value} is {@code expected}; fails naming {@code what} otherwise. */
    private static void await(String what, IntSupplier value, int expected) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (value.getAsInt() != expected) {
            assertTrue(System.nanoTime() < deadline, what + ": " + value.getAsInt() + ", expected " + expected);
            Fiber.sleep(Duration.ofMillis(10));
        }
    }

    @Test
    void aClientThatJoinsNoNamespaceIsClosedAfterTheConnectTimeoutAndNothingIsLeft() throws Exception {
        Hub.run(() -> {
            try (ChatApp app = new ChatApp(SocketIoServer.builder().connectTimeout(TIMEOUT))) {
                String ws = "ws" + app.url().substring(4) + "/socket.io/?EIO=4&transport=websocket";
                int fibers = Hub.current().fibers().size();
                int connections = app.http.connections();

                // WebSocket, never a CONNECT: the open packet, then (after the timeout) the close packet and the close
                long start = System.nanoTime();
                try (WebSocket silent = WebSocket.connect(URI.create(ws))) {
                    assertTrue(text(silent).startsWith("0{\"sid\":"));
                    assertEquals(1, app.io.clients());
                    assertEquals("1", text(silent));
                    assertTrue(System.nanoTime() - start >= TIMEOUT.toNanos(), "closed before the connect timeout");
                    assertThrows(WebSocketClosedException.class, silent::receive);
                }

                // refused by the namespace it asked for, and nothing else: closed too
                try (WebSocket refused = WebSocket.connect(URI.create(ws))) {
                    text(refused);
                    refused.send("40/admin,{\"token\":\"wrong\"}");
                    assertTrue(text(refused).startsWith("44/admin,{\"message\":\"not authorized\""));
                    assertEquals("1", text(refused));
                    assertThrows(WebSocketClosedException.class, refused::receive);
                }

                // polling, never a CONNECT: the next GET gets the close packet, then the session is unknown
                HttpClient http = HttpClient.newHttpClient();
                try {
                    String open = get(http, app.url() + "/socket.io/?EIO=4&transport=polling");
                    String session = app.url() + "/socket.io/?EIO=4&transport=polling&sid=" + open.substring(9, open.indexOf('"', 9));
                    assertEquals("1", get(http, session));
                    assertEquals("{\"code\":1,\"message\":\"Session ID unknown\"}", get(http, session));
                } finally {
                    ThreadPool.offload(() -> {
                        http.close(); // its keep-alive connections too: the server's count can return to where it was
                        return null;
                    });
                }

                await("sessions", app.io::clients, 0);
                await("connections", app.http::connections, connections);
                await("fibers of the hub", () -> Hub.current().fibers().size(), fibers);

                // joined in time: still connected well after the timeout, and answering
                try (WebSocket joined = WebSocket.connect(URI.create(ws))) {
                    text(joined);
                    joined.send("40");
                    assertTrue(text(joined).startsWith("40{\"sid\":"));
                    Fiber.sleep(TIMEOUT.multipliedBy(3)); // nothing is awaited here: this shows that nothing happens
                    joined.send("421[\"echo\",\"still here\"]");
                    assertEquals("431[\"still here\"]", text(joined));
                    assertEquals(1, app.io.clients());
                }
                assertTrue(app.failures.isEmpty(), app.failures.toString());
            }
        });
    }
}
