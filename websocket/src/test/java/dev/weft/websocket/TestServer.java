package dev.weft.websocket;

import dev.weft.sockets.StreamServer;
import dev.weft.sockets.TcpSocket;
import dev.weft.tls.TlsServer;
import dev.weft.tls.TlsSocket;
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
 * A tiny WebSocket server for tests (test code only: the {@code http} module's upgrade hook is the
 * real way in, next): a {@link StreamServer} on 127.0.0.1 whose handler reads the request head
 * minimally (request line and fields, up to the empty line; what came after it is handed on),
 * calls {@link WebSocketServer#accept} and runs {@code handler} with the connection. Failures of a
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

    final StreamServer server;
    final List<Throwable> failures = new CopyOnWriteArrayList<>();
    /** How each connection ended, in order of ending (WebSocketClosedException from the handler, or refusals). */
    final List<IOException> endings = new CopyOnWriteArrayList<>();

    private TestServer(StreamServer server) {
        this.server = server;
    }

    static TestServer start(WebSocketServer settings, Handler handler) throws IOException {
        return start(settings, null, handler);
    }

    /** With {@code tls} non-null, a wss server (the TLS handshake first, then the upgrade). */
    static TestServer start(WebSocketServer settings, TlsServer tls, Handler handler) throws IOException {
        TestServer[] self = new TestServer[1];
        StreamServer s = StreamServer.builder(socket -> self[0].serve(socket, tls, settings, handler))
                .bind("127.0.0.1", 0).start();
        self[0] = new TestServer(s);
        return self[0];
    }

    private void serve(TcpSocket socket, TlsServer tls, WebSocketServer settings, Handler handler) {
        try {
            WebSocket ws;
            if (tls != null) {
                TlsSocket t = tls.accept(socket);
                Head head = readHead(t::read);
                ws = settings.accept(head.request(), t, head.after());
            } else {
                Head head = readHead(socket::read);
                ws = settings.accept(head.request(), socket, head.after());
            }
            try (ws) {
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

    int port() {
        return server.port();
    }

    URI uri(String path) {
        return URI.create("ws://127.0.0.1:" + port() + path);
    }

    /** Stops accepting, gives connections 2 s, kills the rest. Fiber of the server's hub. */
    @Override
    public void close() {
        server.stop(Duration.ofSeconds(2));
    }
}
