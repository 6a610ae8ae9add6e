package dev.weft.socketio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Event;
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
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * What a misbehaving client gets: the reference server's error answers for bad Engine.IO requests,
 * garbage packets (the session closes with "parse error"), a polling body over maxHttpBufferSize
 * (413, the session closes), and a client that never reads (its outbox fills: it is disconnected
 * with "outbox full" while another member of the room receives every message), and a WebSocket that
 * never sends its upgrade probe (closed after the upgrade timeout).
 */
class BadInputTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static HttpResponse<String> get(String url) throws Exception {
        return ThreadPool.offload(() -> HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString()));
    }

    private static HttpResponse<String> post(String url, String body) throws Exception {
        return ThreadPool.offload(() -> HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()));
    }

    /** Opens a polling session; returns its sid. */
    private static String handshake(String base) throws Exception {
        HttpResponse<String> open = get(base + "/socket.io/?EIO=4&transport=polling");
        assertEquals(200, open.statusCode(), open.body());
        assertTrue(open.body().startsWith("0{\"sid\":\""), open.body());
        return open.body().substring(9, open.body().indexOf('"', 9));
    }

    @Test
    void badRequestsGetTheReferenceServersErrorsAndGarbageClosesTheSession() throws Exception {
        Hub.run(() -> {
            try (ChatApp app = new ChatApp(SocketIoServer.builder().maxHttpBufferSize(1000))) {
                String base = app.url();
                HttpResponse<String> r = get(base + "/socket.io/?transport=polling");
                assertEquals(400, r.statusCode());
                assertEquals("{\"code\":5,\"message\":\"Unsupported protocol version\"}", r.body());
                assertEquals("{\"code\":0,\"message\":\"Transport unknown\"}", get(base + "/socket.io/?EIO=4&transport=carrier-pigeon").body());
                assertEquals("{\"code\":1,\"message\":\"Session ID unknown\"}", get(base + "/socket.io/?EIO=4&transport=polling&sid=nope").body());
                assertEquals("{\"code\":2,\"message\":\"Bad handshake method\"}", post(base + "/socket.io/?EIO=4&transport=polling", "40").body());

                String sid = handshake(base);
                String session = base + "/socket.io/?EIO=4&transport=polling&sid=" + sid;
                HttpResponse<String> garbage = post(session, "9garbage");
                assertEquals(400, garbage.statusCode());
                assertTrue(garbage.body().contains("unknown type '9'"), garbage.body());
                assertEquals("{\"code\":1,\"message\":\"Session ID unknown\"}", get(session).body(), "the session was closed");

                sid = handshake(base);
                session = base + "/socket.io/?EIO=4&transport=polling&sid=" + sid;
                assertEquals("ok", post(session, "40").body());
                assertTrue(get(session).body().startsWith("40{\"sid\":"), "connected to /");
                assertEquals("ok", post(session, "42[\"echo\"").body(), "answered before the packet is decoded");
                assertEquals("{\"code\":1,\"message\":\"Session ID unknown\"}", get(session).body(),
                        "malformed JSON in a Socket.IO packet closes the session (parse error)");
                assertTrue(app.disconnects.contains("parse error"), app.disconnects.toString());

                sid = handshake(base);
                session = base + "/socket.io/?EIO=4&transport=polling&sid=" + sid;
                HttpResponse<String> big = post(session, "4" + "x".repeat(2000));
                assertEquals(413, big.statusCode());
                assertTrue(big.body().contains("maxHttpBufferSize (1000 bytes)"), big.body());
                assertEquals("{\"code\":1,\"message\":\"Session ID unknown\"}", get(session).body());
                assertTrue(app.failures.isEmpty(), app.failures.toString());
            }
        });
    }

    @Test
    void aWebSocketThatNeverSendsItsProbeIsClosedAfterTheUpgradeTimeout() throws Exception {
        Hub.run(() -> {
            try (ChatApp app = new ChatApp(SocketIoServer.builder().upgradeTimeout(Duration.ofMillis(300)))) {
                String base = app.url();
                String sid = handshake(base);
                dev.weft.websocket.WebSocket ws = dev.weft.websocket.WebSocket.connect(URI.create(
                        base.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket&sid=" + sid));
                long start = Hub.current().nanoTime();
                try (dev.weft.fibers.Timeout limit = dev.weft.fibers.Timeout.after(Duration.ofSeconds(10))) {
                    // silent: no 2probe. Before the upgrade timeout this receive waited for ever.
                    org.junit.jupiter.api.Assertions.assertThrows(dev.weft.websocket.WebSocketClosedException.class, ws::receive);
                }
                long tookMillis = (Hub.current().nanoTime() - start) / 1_000_000;
                assertTrue(tookMillis >= 250, "closed after " + tookMillis + " ms, before the upgrade timeout");
                assertTrue(app.failures.isEmpty(), app.failures.toString());
            }
        });
    }

    @Test
    void aClientThatNeverReadsIsDisconnectedAndDelaysNobody() throws Exception {
        List<String> reasons = new CopyOnWriteArrayList<>();
        Hub.run(() -> {
            try (ChatApp app = new ChatApp(SocketIoServer.builder().maxOutboxPackets(64))) {
                app.io.of("/").onConnection(s -> {
                    s.join("room");
                    s.onDisconnect(reasons::add);
                });
                String ws = app.url().replace("http:", "ws:") + "/socket.io/?EIO=4&transport=websocket";
                WebSocket stuck = WebSocket.connect(URI.create(ws));
                stuck.send("40");
                WebSocket reader = WebSocket.connect(URI.create(ws));
                reader.send("40");
                for (WebSocket c : List.of(stuck, reader)) {
                    assertTrue(((Message.Text) c.receive()).text().startsWith("0{"), "open");
                }
                // the reader reads everything; the stuck one has read its open packet only
                assertTrue(((Message.Text) reader.receive()).text().startsWith("40{"), "connected");
                Event allRead = new Event();
                int messages = 400;
                int[] count = new int[1];
                Fiber<Void> readLoop = Fiber.spawn(() -> {
                    while (count[0] < messages) {
                        if (((Message.Text) reader.receive()).text().startsWith("42[\"flood\"")) {
                            count[0]++;
                        }
                    }
                    allRead.set();
                });
                while (app.io.of("/").sockets().size() < 2) {
                    Fiber.sleep(Duration.ofMillis(5)); // the stuck client's CONNECT is handled in its fiber
                }
                String chunk = "y".repeat(64 * 1024);
                for (int i = 0; i < messages; i++) {
                    app.io.of("/").to("room").emit("flood", i, chunk);
                    Fiber.yield();
                }
                assertTrue(allRead.await(Duration.ofSeconds(20)), "the reader got " + count[0] + " of " + messages);
                readLoop.join();
                assertEquals(List.of(SocketIoSocket.OUTBOX_FULL), reasons, "the stuck client, and only it, was disconnected");
                assertEquals(1, app.io.of("/").sockets().size());
                // the stuck client is closed with 1008 once it reads again: what it had was sent, then the close
                WebSocketClosedException closed = assertThrows(WebSocketClosedException.class, () -> {
                    while (true) {
                        stuck.receive();
                    }
                });
                assertTrue(closed.code() == 1008 || closed.code() == 1006, closed.getMessage());
                reader.close();
            }
        });
    }
}
