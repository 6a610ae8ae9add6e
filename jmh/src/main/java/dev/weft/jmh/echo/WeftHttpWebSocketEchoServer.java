package dev.weft.jmh.echo;

import dev.weft.http.HttpLimits;
import dev.weft.http.WeftHttpServer;
import dev.weft.jmh.HubThread;
import dev.weft.websocket.WebSocket;
import dev.weft.websocket.WebSocketClosedException;
import dev.weft.websocket.WebSocketOptions;
import dev.weft.websocket.WebSocketServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Weft's WebSocket echo server as the README shows it, for {@code ./weft bench echo --websocket}
 * ({@code weft-ws-http-<backend>}): a {@link WeftHttpServer} on one hub whose handler upgrades the
 * exchange with {@link WebSocketServer#accept(com.sun.net.httpserver.HttpExchange)} (the http module's
 * upgrade hook) and echoes every message. Keep-alive pings off, as in {@link WeftWebSocketEchoServer}.
 */
final class WeftHttpWebSocketEchoServer {
    private static final WebSocketServer SETTINGS = WebSocketServer.builder()
            .options(WebSocketOptions.builder().pingInterval(null).build()).build();

    private WeftHttpWebSocketEchoServer() {
    }

    /** Starts the server on a new hub thread on {@code backend}; returns its port. */
    static int start(String backend) throws Exception {
        return HubThread.serve("weft-ws-http-echo-hub", backend, () -> {
            WeftHttpServer http = WeftHttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096,
                    HttpLimits.defaults(), 1);
            http.createContext("/", exchange -> {
                try (WebSocket ws = SETTINGS.accept(exchange)) {
                    while (true) {
                        ws.send(ws.receive());
                    }
                } catch (WebSocketClosedException resetOrClosedByTheLoadGenerator) {
                    // the load generator resets its connections when a run ends
                }
            });
            http.start();
            return http.getAddress().getPort();
        });
    }
}
