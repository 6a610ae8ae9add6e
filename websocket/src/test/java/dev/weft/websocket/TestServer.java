package dev.weft.websocket;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import dev.weft.http.HttpLimits;
import dev.weft.http.WeftHttpServer;
import dev.weft.http.WeftHttpsServer;
import java.net.InetSocketAddress;
import javax.net.ssl.SSLContext;
import java.io.EOFException;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A WebSocket server for tests: Weft's HTTP server ({@link WeftHttpServer}, or {@link WeftHttpsServer}
 * for wss) on 127.0.0.1 whose one context upgrades every exchange with {@link
 * WebSocketServer#accept(HttpExchange)} and runs {@code handler} with the connection. Failures of a
 * handler are collected in {@link #failures}, not logged, so that a test can assert on them.
 */
final class TestServer implements AutoCloseable {
    interface Handler {
        void handle(WebSocket ws) throws Exception;
    }

    /** Echoes every message until the connection ends. */
    static final Handler ECHO = ws -> {
        try {
            while (true) {
                ws.send(ws.receive());
            }
        } catch (WebSocketClosedException end) {
            // the peer closed, or the connection failed: the test looks at what the peer saw
        }
    };

    /** Room for IdleConnectionsTest's 10,000 connections. */
    private static final HttpLimits LIMITS = HttpLimits.defaults().withMaxConnections(20_000);

    final HttpServer server;
    final List<Throwable> failures = new CopyOnWriteArrayList<>();
    /** How each connection ended, in order of ending (WebSocketClosedException from the handler, or refusals). */
    final List<IOException> endings = new CopyOnWriteArrayList<>();

    private TestServer(HttpServer server) {
        this.server = server;
    }

    static TestServer start(WebSocketServer settings, Handler handler) throws IOException {
        return start(settings, null, handler);
    }

    /** With {@code tls} non-null, a wss server (the TLS handshake first, then the upgrade). */
    static TestServer start(WebSocketServer settings, SSLContext tls, Handler handler) throws IOException {
        InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
        HttpServer http;
        if (tls == null) {
            http = WeftHttpServer.create(any, 0, LIMITS);
        } else {
            WeftHttpsServer https = WeftHttpsServer.create(any, 0, LIMITS);
            https.setHttpsConfigurator(new HttpsConfigurator(tls));
            http = https;
        }
        TestServer self = new TestServer(http);
        http.createContext("/", exchange -> self.serve(exchange, settings, handler));
        http.start();
        return self;
    }

    private void serve(HttpExchange exchange, WebSocketServer settings, Handler handler) {
        try {
            try (WebSocket ws = settings.accept(exchange)) {
                handler.handle(ws);
                if (ws.closeStatus() != null) {
                    endings.add(ws.closeStatus());
                }
            } catch (WebSocketClosedException end) {
                endings.add(end);
            }
        } catch (WebSocketHandshakeException refused) {
            endings.add(refused);
        } catch (Throwable t) {
            failures.add(t);
        }
    }

    interface Reads {
        int read(ByteBuffer b) throws IOException;
    }

    /** A request head and what came after it. */
    record Head(UpgradeRequest request, ByteBuffer after) {
    }

    /** Reads up to the empty line (at most 16 KiB), in reads of whatever is there; the rest is returned as {@code after}. */
    static Head readHead(Reads socket) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(16 * 1024);
        int end;
        while ((end = endOfHead(buf)) < 0) {
            if (!buf.hasRemaining() || socket.read(buf) < 0) {
                throw new EOFException("no complete request head");
            }
        }
        buf.flip();
        byte[] head = new byte[end];
        buf.get(head);
        String[] lines = new String(head, StandardCharsets.ISO_8859_1).split("\r\n");
        String[] requestLine = lines[0].split(" ");
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.computeIfAbsent(lines[i].substring(0, colon), k -> new ArrayList<>()).add(lines[i].substring(colon + 1).trim());
            }
        }
        return new Head(new UpgradeRequest(requestLine[0], requestLine[1], headers), buf.slice());
    }

    private static int endOfHead(ByteBuffer buf) {
        for (int i = 3; i < buf.position(); i++) {
            if (buf.get(i - 3) == '\r' && buf.get(i - 2) == '\n' && buf.get(i - 1) == '\r' && buf.get(i) == '\n') {
                return i + 1;
            }
        }
        return -1;
    }

    /** Connections open now (plain server). */
    int connections() {
        return ((WeftHttpServer) server).connections();
    }

    int port() {
        return server.getAddress().getPort();
    }

    URI uri(String path) {
        return URI.create("ws://127.0.0.1:" + port() + path);
    }

    /** Stops accepting, gives connections 1 s, then closes them with 1001 (going away). Fiber of the server's hub. */
    @Override
    public void close() {
        server.stop(1);
    }
}
