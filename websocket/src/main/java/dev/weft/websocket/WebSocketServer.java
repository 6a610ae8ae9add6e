package dev.weft.websocket;

import com.sun.net.httpserver.HttpExchange;
import dev.weft.http.HttpUpgrade;
import dev.weft.sockets.Connection;
import dev.weft.websocket.internal.ServerUpgrade;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The server side of WebSocket: takes an upgrade request that an HTTP layer parsed, and the connection
 * it arrived on, and performs the opening handshake (RFC 6455 section 4.2): checks the request,
 * chooses a subprotocol, negotiates permessage-deflate, asks the origin check, and answers {@code 101
 * Switching Protocols} (or refuses with 400, 403 or 426).
 *
 * <pre>{@code
 * WebSocketServer server = WebSocketServer.builder()
 *         .subprotocols("chat.v2", "chat.v1")
 *         .originCheck(origin -> "https://example.org".equals(origin))
 *         .options(WebSocketOptions.builder().compression(PerMessageDeflate.enabled()).build())
 *         .build();
 * // in the fiber that owns the connection, once the request head was read:
 * try (WebSocket ws = server.accept(request, socket)) {
 *     for (Message m; ; ) ws.send(ws.receive());           // echo until the client closes
 * } catch (WebSocketClosedException closed) { ... }
 * }</pre>
 *
 * <p>On Weft's HTTP server ({@code dev.weft.http.WeftHttpServer} or {@code WeftHttpsServer} for
 * wss), a context's handler upgrades its exchange with {@link #accept(HttpExchange)} and then owns the
 * connection in its fiber until it returns:
 *
 * <pre>{@code
 * http.createContext("/chat", exchange -> {
 *     try (WebSocket ws = server.accept(exchange)) {       // 101, or a refusal answered and thrown
 *         ...
 *     }
 * });
 * }</pre>
 *
 * The connection counts against the HTTP server's {@code maxConnections}; when the server stops, each
 * upgraded connection still open after the stop's delay is closed with 1001 (going away). A server
 * that reads the request head itself uses {@link #accept(UpgradeRequest, Connection, ByteBuffer)}.
 *
 * <p>Immutable and thread-safe; {@code accept} and {@code handshake} from fibers.
 */
public final class WebSocketServer {
    private static final WebSocketServer DEFAULTS = builder().build();

    private final List<String> subprotocols;
    private final Predicate<String> originCheck;
    private final WebSocketOptions options;

    private WebSocketServer(Builder b) {
        this.subprotocols = b.subprotocols;
        this.originCheck = b.originCheck;
        this.options = b.options;
    }

    /** No subprotocols, every origin, {@link WebSocketOptions#defaults()}. */
    public static WebSocketServer defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The connection settings of every accepted connection. */
    public WebSocketOptions options() {
        return options;
    }

    /**
     * Checks {@code request} and decides the answer; writes nothing.
     *
     * @throws WebSocketHandshakeException with the status to refuse with: 400 (not a valid upgrade:
     *         the message says what is wrong), 426 (another WebSocket version; {@code headers()} has
     *         {@code Sec-WebSocket-Version: 13} to send), 403 (the origin check refused)
     */
    public ServerHandshake handshake(UpgradeRequest request) throws WebSocketHandshakeException {
        Objects.requireNonNull(request, "request");
        return new ServerHandshake(this, request, ServerUpgrade.check(request.method(), request.headers(), subprotocols,
                originCheck, options.compression()));
    }

    /**
     * Performs the handshake on {@code socket} (a {@code TcpSocket}, or a {@code TlsSocket} after its
     * handshake for wss) and returns the connection, which then owns the socket.
     * A refused request is answered (400, 403 or 426, with the reason as text and {@code Connection:
     * close}) and {@link WebSocketHandshakeException} is thrown; the socket is then left to the caller
     * to close. Blocks the calling fiber while the response is written.
     */
    public WebSocket accept(UpgradeRequest request, Connection socket) throws IOException {
        return accept(request, socket, null);
    }

    /** {@link #accept(UpgradeRequest, Connection)} with the bytes the caller read past the request head. */
    public WebSocket accept(UpgradeRequest request, Connection socket, ByteBuffer alreadyRead) throws IOException {
        ServerHandshake h = handshakeOrRefuse(request, socket);
        return h.accept(socket, alreadyRead);
    }

    /**
     * Upgrades {@code exchange} of Weft's HTTP server (through {@link HttpUpgrade}): performs the
     * handshake and returns the connection, which the calling handler then owns until it returns
     * (closing the WebSocket closes the connection). When the server stops, the connection is closed
     * with 1001 (going away) after the stop's delay: the handler's {@code receive()} then throws
     * {@link WebSocketClosedException}. A refused request is answered through the exchange (400, 403
     * or 426 with the reason as text) and {@link WebSocketHandshakeException} is thrown; a server
     * that is stopping is answered 503 and an {@link IOException} thrown.
     *
     * @throws IllegalStateException if the exchange is not a Weft server's or its response was begun
     */
    public WebSocket accept(HttpExchange exchange) throws IOException {
        UpgradeRequest request = new UpgradeRequest(exchange.getRequestMethod(), exchange.getRequestURI().toString(),
                exchange.getRequestHeaders());
        ServerHandshake h;
        try {
            h = handshake(request);
        } catch (WebSocketHandshakeException refused) {
            refused.headers().forEach((k, v) -> exchange.getResponseHeaders().put(k, v));
            respond(exchange, refused.status() == 0 ? 400 : refused.status(), refused.getMessage());
            throw refused;
        }
        HttpUpgrade up;
        try {
            up = HttpUpgrade.take(exchange);
        } catch (IOException stopping) {
            respond(exchange, 503, stopping.getMessage());
            throw stopping;
        }
        WebSocket ws = h.accept(up.connection(), up.alreadyRead());
        up.onServerStop(() -> ws.close(CloseCodes.GOING_AWAY, "the server is stopping"));
        return ws;
    }

    private static void respond(HttpExchange exchange, int status, String text) throws IOException {
        byte[] body = (text + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.getResponseHeaders().set("Connection", "close");
        exchange.sendResponseHeaders(status, body.length);
        try (var out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private ServerHandshake handshakeOrRefuse(UpgradeRequest request, Connection stream) throws IOException {
        try {
            return handshake(request);
        } catch (WebSocketHandshakeException refused) {
            ByteBuffer response = ByteBuffer.wrap(ServerUpgrade.refusal(refused));
            while (response.hasRemaining()) {
                stream.write(response);
            }
            throw refused;
        }
    }

    @Override
    public String toString() {
        return "WebSocketServer(subprotocols " + subprotocols + ", " + options + ")";
    }

    /** Settings for a {@link WebSocketServer}; not thread-safe. */
    public static final class Builder {
        private List<String> subprotocols = List.of();
        private Predicate<String> originCheck;
        private WebSocketOptions options = WebSocketOptions.defaults();

        private Builder() {
        }

        /**
         * The subprotocols this server speaks. The client's first offer among them is chosen (its
         * {@code Sec-WebSocket-Protocol} order is its preference); none in common: the connection is
         * accepted without a subprotocol, and the client decides whether to go on.
         */
        public Builder subprotocols(String... names) {
            this.subprotocols = ServerUpgrade.checkSubprotocols(names);
            return this;
        }

        /**
         * Which {@code Origin}s may connect: called with the request's Origin header (null when there
         * is none, as from non-browser clients); false refuses with 403. Browsers send the page's
         * origin, so this is the defence against other sites opening connections with the user's
         * cookies (cross-site WebSocket hijacking). Default: every origin.
         */
        public Builder originCheck(Predicate<String> allowed) {
            this.originCheck = allowed;
            return this;
        }

        /** The connection settings (limits, keep-alive, compression). */
        public Builder options(WebSocketOptions options) {
            this.options = Objects.requireNonNull(options, "options");
            return this;
        }

        public WebSocketServer build() {
            return new WebSocketServer(this);
        }
    }
}
