package dev.weft.http;

import com.sun.net.httpserver.HttpExchange;
import dev.weft.http.internal.Upgrades;
import dev.weft.sockets.Connection;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The {@code http} module's one hook to hand a connection over to another protocol (WebSocket, an
 * HTTP/1.1 {@code Upgrade}): a handler calls {@link #take(HttpExchange)} instead of sending a
 * response, writes the protocol's answer itself (e.g. {@code 101 Switching Protocols}) on {@link
 * #connection()}, and then owns the connection in its own fiber (the connection's fiber: the
 * handler does not return until it is done with the connection) with any blocking-style API on top
 * of it. When the handler returns, the server closes the connection; nothing more is read or
 * written as HTTP.
 *
 * <pre>{@code
 * server.createContext("/ws", exchange -> {
 *     HttpUpgrade up = HttpUpgrade.take(exchange);        // no response was sent: the handler speaks now
 *     up.connection().writeAll(ByteBuffer.wrap(response101));
 *     up.onServerStop(() -> ...);                          // told after the stop's grace
 *     ... read up.alreadyRead() first, then up.connection() ...
 * });
 * }</pre>
 *
 * <p>It works the same over HTTPS ({@link WeftHttpsServer}: the connection is the {@code TlsSocket}
 * after its handshake). An upgraded connection still counts against {@link
 * HttpLimits#maxConnections()} while its handler runs, but not as idle: it is never closed to make
 * room for a new client, and the HTTP idle timeout no longer applies (the connection's timeout is
 * cleared; the new protocol keeps its own). On {@code stop(delay)} the server waits the {@code delay}
 * as for any exchange; then it runs each upgraded connection's {@link #onServerStop} callback in a
 * fiber of its own on the server's hub (the WebSocket layer sends close 1001, going away) and gives
 * the handlers {@value #STOP_GRACE_SECONDS} more seconds to end before killing them.
 *
 * <p>Thread rule: the exchange's fiber (the handler).
 */
public final class HttpUpgrade {
    /** Seconds that upgraded connections get after their stop callbacks ran, before their handlers are killed. */
    public static final int STOP_GRACE_SECONDS = 2;

    private final Connection connection;
    private final ByteBuffer alreadyRead;
    private final Upgrades.Hooks hooks;

    private HttpUpgrade(Connection connection, ByteBuffer alreadyRead, Upgrades.Hooks hooks) {
        this.connection = connection;
        this.alreadyRead = alreadyRead;
        this.hooks = hooks;
    }

    /**
     * Takes over {@code exchange}'s connection: pending responses of earlier pipelined requests are
     * flushed; nothing is sent for this exchange.
     *
     * @throws IllegalStateException if the exchange is not a Weft server's, its response headers were
     *         already sent, it was already taken, or the request has a body (an upgrade request has none)
     * @throws IOException if the server is stopping (no connection is taken over then; the handler
     *         should answer 503) or flushing earlier responses failed
     */
    public static HttpUpgrade take(HttpExchange exchange) throws IOException {
        Upgrades.Taken t = Upgrades.take(exchange);
        return new HttpUpgrade(t.connection(), t.alreadyRead(), t.hooks());
    }

    /** The connection, a {@code TcpSocket} or (HTTPS) a {@code TlsSocket}; the handler's until it returns. */
    public Connection connection() {
        return connection;
    }

    /** Bytes the server read past the request head (the new protocol's first bytes), to consume before reading the connection; may be empty. */
    public ByteBuffer alreadyRead() {
        return alreadyRead;
    }

    /**
     * {@code callback} runs, in a new fiber on the server's hub, when the server stops and this
     * connection is still open after the stop's delay; it should make the handler end soon (e.g.
     * send a close frame). A later call replaces an earlier callback.
     */
    public void onServerStop(Runnable callback) {
        hooks.onServerStop(callback);
    }
}
