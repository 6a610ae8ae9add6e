package dev.weft.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import dev.weft.fibers.Event;
import dev.weft.fibers.Fiber;
import dev.weft.fibers.Hub;
import dev.weft.http.HttpLimits;
import dev.weft.http.HttpUpgrade;
import dev.weft.http.WeftHttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The http module's upgrade hook ({@link HttpUpgrade}) as the WebSocket server uses it: a stop closes
 * upgraded connections with 1001 after its delay, an upgraded connection holds its connection slot,
 * plain HTTP and WebSocket share one server, and an exchange already answered cannot be upgraded.
 */
class HttpUpgradeTest {

    private static WeftHttpServer server(HttpLimits limits, List<Throwable> failures) throws IOException {
        WeftHttpServer http = WeftHttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0, limits);
        http.createContext("/ws", exchange -> {
            try (WebSocket ws = WebSocketServer.defaults().accept(exchange)) {
                TestServer.ECHO.handle(ws);
            } catch (Exception e) {
                failures.add(e);
            }
        });
        http.createContext("/plain", exchange -> {
            byte[] body = "plain\n".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        http.start();
        return http;
    }

    private static URI uri(WeftHttpServer http, String path) {
        return URI.create("ws://127.0.0.1:" + http.getAddress().getPort() + path);
    }

    @Test
    void aStopClosesUpgradedConnectionsWithGoingAwayAfterItsDelay() throws Exception {
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        Hub.run(() -> {
            WeftHttpServer http = server(HttpLimits.defaults(), failures);
            WebSocket a = WebSocket.connect(uri(http, "/ws"));
            WebSocket b = WebSocket.connect(uri(http, "/ws"));
            a.send("before");
            assertEquals(new Message.Text("before"), a.receive());
            assertEquals(2, http.connections());
            Fiber<Void> stopper = Fiber.spawn(() -> http.stop(1));
            for (WebSocket ws : List.of(a, b)) {
                WebSocketClosedException closed = assertThrows(WebSocketClosedException.class, ws::receive);
                assertEquals(CloseCodes.GOING_AWAY, closed.code(), closed.getMessage());
                assertEquals("the server is stopping", closed.reason());
                assertTrue(closed.byPeer());
            }
            stopper.join();
            assertEquals(0, http.connections());
        });
        assertTrue(failures.isEmpty(), failures.toString());
    }

    @Test
    void anUpgradedConnectionHoldsItsSlotAndIsNotReclaimedAsIdle() throws Exception {
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        Hub.run(() -> {
            WeftHttpServer http = server(HttpLimits.defaults().withMaxConnections(1), failures);
            try {
                WebSocket first = WebSocket.connect(uri(http, "/ws"));
                Fiber.sleep(Duration.ofMillis(1100)); // older than IdleConnections.RECLAIMABLE_AFTER: an idle HTTP one would go
                WebSocketClient impatient = WebSocketClient.builder().connectTimeout(Duration.ofMillis(500)).build();
                assertThrows(SocketTimeoutException.class, () -> impatient.connect(uri(http, "/ws")));
                first.send("still here");
                assertEquals(new Message.Text("still here"), first.receive());
                first.close();
                WebSocket second = WebSocket.connect(uri(http, "/ws")); // the slot is free again
                second.send("next");
                assertEquals(new Message.Text("next"), second.receive());
                second.close();
            } finally {
                http.stop(0);
            }
        });
        assertTrue(failures.isEmpty(), failures.toString());
    }

    @Test
    void plainHttpAndWebSocketShareOneServerAndARefusalIsAnsweredThroughTheExchange() throws Exception {
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        Hub.run(() -> {
            WeftHttpServer http = server(HttpLimits.defaults(), failures);
            try {
                java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
                var plain = dev.weft.sockets.ThreadPool.offload(() -> client.send(java.net.http.HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/plain")).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString()));
                assertEquals("plain\n", plain.body());
                // a GET without the upgrade headers, to the WebSocket context: 400 with the reason
                var refused = dev.weft.sockets.ThreadPool.offload(() -> client.send(java.net.http.HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/ws")).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString()));
                assertEquals(400, refused.statusCode());
                assertTrue(refused.body().contains("Upgrade: websocket"), refused.body());
                WebSocket ws = WebSocket.connect(uri(http, "/ws"));
                ws.send("after plain requests");
                assertEquals(new Message.Text("after plain requests"), ws.receive());
                ws.close();
            } finally {
                http.stop(0);
            }
        });
        assertEquals(1, failures.size(), failures.toString());
        assertTrue(failures.get(0) instanceof WebSocketHandshakeException, failures.toString());
    }

    @Test
    void anExchangeWhoseResponseWasBegunCannotBeUpgraded() throws Exception {
        List<Throwable> seen = new CopyOnWriteArrayList<>();
        Hub.run(() -> {
            WeftHttpServer http = WeftHttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            Event done = new Event();
            http.createContext("/", (HttpExchange exchange) -> {
                exchange.sendResponseHeaders(204, -1);
                try {
                    HttpUpgrade.take(exchange);
                } catch (IllegalStateException e) {
                    seen.add(e);
                }
                exchange.close();
                done.set();
            });
            http.start();
            try {
                java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
                var r = dev.weft.sockets.ThreadPool.offload(() -> client.send(java.net.http.HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/")).build(),
                        java.net.http.HttpResponse.BodyHandlers.discarding()));
                assertEquals(204, r.statusCode());
                done.await();
            } finally {
                http.stop(0);
            }
        });
        assertEquals(1, seen.size());
        assertTrue(seen.get(0).getMessage().contains("upgrade before sending headers"), seen.get(0).getMessage());
    }
}
