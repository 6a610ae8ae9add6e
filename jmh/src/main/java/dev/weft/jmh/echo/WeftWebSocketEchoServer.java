package dev.weft.jmh.echo;

import dev.weft.fibers.Hub;
import dev.weft.sockets.StreamServer;
import dev.weft.sockets.TcpSocket;
import dev.weft.websocket.UpgradeRequest;
import dev.weft.websocket.WebSocket;
import dev.weft.websocket.WebSocketClosedException;
import dev.weft.websocket.WebSocketOptions;
import dev.weft.websocket.WebSocketServer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Weft's WebSocket echo server for {@code ./weft bench echo --websocket}: one hub thread, one fiber per
 * connection that reads the upgrade request head (as the README shows, until the http module's hook
 * exists), accepts it and echoes every message with {@code ws.send(ws.receive())}. Keep-alive is off,
 * as Netty's codec has none by default.
 */
final class WeftWebSocketEchoServer {
    private static final WebSocketServer SETTINGS = WebSocketServer.builder()
            .options(WebSocketOptions.builder().pingInterval(null).build()).build();

    private WeftWebSocketEchoServer() {
    }

    /** Starts the server on a new hub thread on {@code backend}; returns its port. */
    static int start(String backend) throws Exception {
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread.ofPlatform().name("weft-ws-echo-hub").start(() -> {
            try {
                Hub.run(backend, () -> {
                    StreamServer server = StreamServer.builder(WeftWebSocketEchoServer::serve)
                            .bind("127.0.0.1", 0).backlog(4096).start();
                    port.complete(server.port());
                    server.serveForever();
                    return null;
                });
            } catch (Throwable t) {
                port.completeExceptionally(t);
            }
        });
        return port.get(30, TimeUnit.SECONDS);
    }

    private static void serve(TcpSocket socket) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(4096);
        int end;
        while ((end = endOfHead(head)) < 0) {
            if (!head.hasRemaining() || socket.read(head) < 0) {
                return;
            }
        }
        String[] lines = new String(head.array(), 0, end, StandardCharsets.ISO_8859_1).split("\r\n");
        Map<String, List<String>> headers = new HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.computeIfAbsent(lines[i].substring(0, colon), k -> new ArrayList<>()).add(lines[i].substring(colon + 1).trim());
            }
        }
        String[] requestLine = lines[0].split(" ");
        ByteBuffer after = head.flip().position(end).slice();
        try (WebSocket ws = SETTINGS.accept(new UpgradeRequest(requestLine[0], requestLine[1], headers), socket, after)) {
            while (true) {
                ws.send(ws.receive());
            }
        } catch (WebSocketClosedException resetOrClosedByTheLoadGenerator) {
            // the load generator resets its connections when a run ends
        }
    }

    private static int endOfHead(ByteBuffer b) {
        for (int i = 3; i < b.position(); i++) {
            if (b.get(i) == '\n' && b.get(i - 1) == '\r' && b.get(i - 2) == '\n' && b.get(i - 3) == '\r') {
                return i + 1;
            }
        }
        return -1;
    }
}
