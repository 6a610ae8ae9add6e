package dev.weft.socketio;

import com.sun.net.httpserver.HttpExchange;
import dev.weft.fibers.FiberTimeoutException;
import dev.weft.fibers.Futures;
import dev.weft.fibers.Hub;
import dev.weft.fibers.Timeout;
import dev.weft.socketio.internal.EnginePayload;
import dev.weft.socketio.internal.EngineSession;
import dev.weft.socketio.internal.PacketSink;
import dev.weft.websocket.Message;
import dev.weft.websocket.WebSocket;
import dev.weft.websocket.WebSocketClosedException;
import dev.weft.websocket.WebSocketServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.RejectedExecutionException;

/**
 * The Engine.IO v4 HTTP endpoint ({@code /socket.io/}): the handshake, polling GETs and POSTs, the
 * WebSocket transport (from the start, or as an upgrade with its probe), CORS, and the errors the
 * reference server answers ({@code {"code":n,"message":...}} with 400).
 *
 * <p><b>Hubs.</b> Each request runs in its exchange's fiber on the hub that accepted its connection.
 * A handshake (polling, or WebSocket from the start) creates the session on that hub, where it lives
 * (with its client's handlers and its sockets' rooms). A later request of the session that arrives on
 * another hub of the server hands its work to the session's hub and waits for it ({@link
 * Hub#submit}): a polling GET takes the session's packets there and answers them here, a POST hands
 * over the packets it read; an upgrade to WebSocket keeps the WebSocket on the hub that accepted it
 * and links it to the session through a {@link CrossHubWebSocket}. No fiber and no connection moves
 * between hubs.
 *
 * <p>Thread rule: the HTTP server's hubs; each request in its exchange's fiber.
 */
final class EngineEndpoint {
    private static final System.Logger LOG = System.getLogger("dev.weft.socketio");
    private final SocketIoServer server;
    private final WebSocketServer websockets;

    EngineEndpoint(SocketIoServer server, WebSocketServer websockets) {
        this.server = server;
        this.websockets = websockets;
    }

    void handle(HttpExchange ex) throws IOException {
        server.serving(Hub.current());
        try {
            serve(ex);
        } finally {
            ex.close();
        }
    }

    private void serve(HttpExchange ex) throws IOException {
        String method = ex.getRequestMethod();
        String origin = ex.getRequestHeaders().getFirst("Origin");
        if (origin != null && server.corsAllows(origin)) {
            ex.getResponseHeaders().set("Access-Control-Allow-Origin", origin);
            ex.getResponseHeaders().set("Vary", "Origin");
            if (server.corsCredentials()) {
                ex.getResponseHeaders().set("Access-Control-Allow-Credentials", "true");
            }
        }
        if ("OPTIONS".equals(method)) {
            ex.getResponseHeaders().set("Access-Control-Allow-Methods", "GET, POST");
            String asked = ex.getRequestHeaders().getFirst("Access-Control-Request-Headers");
            if (asked != null) {
                ex.getResponseHeaders().set("Access-Control-Allow-Headers", asked);
            }
            ex.sendResponseHeaders(204, -1);
            return;
        }
        Map<String, String> q = query(ex.getRequestURI().getRawQuery());
        if (!"4".equals(q.get("EIO"))) {
            error(ex, 5, "Unsupported protocol version");
            return;
        }
        String transport = q.get("transport");
        String sid = q.get("sid");
        if ("websocket".equals(transport)) {
            webSocket(ex, sid, q);
            return;
        }
        if (!"polling".equals(transport)) {
            error(ex, 0, "Transport unknown");
            return;
        }
        if (sid == null) {
            if (!"GET".equals(method)) {
                error(ex, 2, "Bad handshake method");
                return;
            }
            EngineSession s = server.newSession(handshake(ex, q));
            s.startPolling();
            respond(ex, 200, "text/plain; charset=UTF-8", s.openPacket(true));
            return;
        }
        EngineSession s = server.session(sid);
        if (s == null) {
            error(ex, 1, "Session ID unknown");
            return;
        }
        if ("GET".equals(method)) {
            String payload;
            try {
                payload = onHubOf(s, s::poll);
            } catch (IllegalStateException wrong) {
                error(ex, 3, "Bad request: " + wrong.getMessage());
                return;
            }
            try {
                respond(ex, 200, "text/plain; charset=UTF-8", payload);
            } catch (IOException gone) {
                close(s, "transport error"); // the packets of this payload are lost: the client must not stay connected
                throw gone;
            }
        } else if ("POST".equals(method)) {
            post(ex, s);
        } else {
            error(ex, 2, "Bad request method " + method);
        }
    }

    private void post(HttpExchange ex, EngineSession s) throws IOException {
        int max = server.maxHttpBufferSize();
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readNBytes(max + 1);
        }
        if (body.length > max) {
            close(s, "transport error");
            ex.getResponseHeaders().set("Connection", "close");
            respond(ex, 413, "text/plain; charset=UTF-8", "the payload is larger than maxHttpBufferSize (" + max + " bytes)\n");
            return;
        }
        List<Object> packets;
        try {
            packets = EnginePayload.decode(new String(body, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException bad) {
            close(s, "parse error");
            error(ex, 3, "Bad request: " + bad.getMessage());
            return;
        }
        respond(ex, 200, "text/html", "ok"); // answered first: a handler that blocks does not hold the client's POST
        onHubOf(s, () -> {
            for (Object p : packets) {
                if (s.isClosed()) {
                    break;
                }
                s.receive(p);
            }
            return null;
        });
    }

    private void webSocket(HttpExchange ex, String sid, Map<String, String> q) throws IOException {
        EngineSession existing = null;
        if (sid != null) {
            existing = server.session(sid);
            if (existing == null) {
                error(ex, 1, "Session ID unknown");
                return;
            }
        }
        HandshakeInfo info = sid == null ? handshake(ex, q) : null;
        WebSocket ws = websockets.accept(ex);
        try {
            if (existing == null) {
                EngineSession s = server.newSession(info);
                PacketSink sink = PacketSink.of(ws);
                s.startWebSocket(sink);
                read(ws, s, sink);
            } else if (existing.hub() == Hub.current()) {
                PacketSink sink = PacketSink.of(ws);
                if (probe(ws, existing, sink)) {
                    read(ws, existing, sink);
                }
            } else {
                CrossHubWebSocket sink = new CrossHubWebSocket(ws, existing);
                if (probe(ws, existing, sink)) {
                    sink.serve();
                }
            }
        } finally {
            ws.close();
        }
    }

    /**
     * The upgrade of a polling session: 2probe / 3probe, then 5 (upgrade), within the server's
     * upgrade timeout: a WebSocket that stays silent is closed (by the caller) instead of holding its
     * fiber and connection for ever.
     */
    private boolean probe(WebSocket ws, EngineSession s, PacketSink sink) throws IOException {
        boolean begun = false;
        try (Timeout limit = Timeout.after(server.upgradeTimeout())) {
            try {
                Message first = ws.receive();
                if (!(first instanceof Message.Text t) || !"2probe".equals(t.text())) {
                    LOG.log(System.Logger.Level.DEBUG, () -> "upgrade of " + s + " refused: no probe but " + first);
                    return false;
                }
                ws.send("3probe");
                if (!onHubOf(s, s::beginUpgrade)) {
                    return false;
                }
                begun = true;
                Message next = ws.receive();
                if (!(next instanceof Message.Text u) || !"5".equals(u.text())) {
                    close(s, "transport error");
                    return false;
                }
                return onHubOf(s, () -> {
                    if (s.isClosed()) {
                        return false; // closed during the upgrade (a handler's closeTransport, say): the caller closes the WebSocket
                    }
                    s.switchTo(sink);
                    if (sink instanceof CrossHubWebSocket crossHub) {
                        crossHub.startDelivering();
                    }
                    return true;
                });
            } catch (WebSocketClosedException gone) {
                return false; // the polling transport goes on
            } catch (FiberTimeoutException e) {
                if (!e.is(limit)) {
                    throw e;
                }
                LOG.log(System.Logger.Level.DEBUG, () -> "upgrade of " + s + " timed out after " + server.upgradeTimeout());
                if (begun) {
                    close(s, "transport error"); // its polling was paused for the upgrade
                }
                return false;
            }
        }
    }

    private void read(WebSocket ws, EngineSession s, PacketSink sink) {
        try {
            while (!s.isClosed()) {
                Message m = ws.receive();
                s.receive(m instanceof Message.Text t ? EnginePayload.decodeOne(t.text()) : ((Message.Binary) m).data());
            }
        } catch (IllegalArgumentException bad) {
            s.close("parse error");
        } catch (WebSocketClosedException closed) {
            s.webSocketEnded(sink, "transport close");
        } catch (IOException e) {
            s.webSocketEnded(sink, "transport error");
        }
    }

    /**
     * Runs {@code task} on the hub of session {@code s}: here if it lives on this hub, else in a fiber
     * of its hub while this fiber waits (killed or timed out meanwhile, that fiber is killed too; a
     * value it returned just before is still returned).
     *
     * @throws IOException if the session's hub has stopped (the session is gone with it)
     */
    private static <T> T onHubOf(EngineSession s, Callable<T> task) throws IOException {
        try {
            if (s.hub() == Hub.current()) {
                return task.call();
            }
            return Futures.awaitOrCancel(s.hub().submit(task));
        } catch (RejectedExecutionException | CancellationException gone) {
            throw new IOException("the hub of session " + s.sid() + " has stopped", gone);
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void close(EngineSession s, String reason) throws IOException {
        onHubOf(s, () -> {
            s.close(reason);
            return null;
        });
    }

    private static HandshakeInfo handshake(HttpExchange ex, Map<String, String> q) {
        return new HandshakeInfo(Map.copyOf(ex.getRequestHeaders()), Map.copyOf(q), ex.getRemoteAddress());
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new LinkedHashMap<>();
        if (raw == null) {
            return q;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            q.putIfAbsent(k, v);
        }
        return q;
    }

    private static void error(HttpExchange ex, int code, String message) throws IOException {
        String json = "{\"code\":" + code + ",\"message\":" + SocketIoServer.json(message) + "}";
        respond(ex, 400, "application/json", json);
    }

    private static void respond(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        if (b.length > 0) {
            ex.getResponseBody().write(b);
        }
    }
}
