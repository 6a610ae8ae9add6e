package dev.weft.websocket;

import dev.weft.sockets.Connection;
import dev.weft.websocket.internal.Endpoint;
import dev.weft.websocket.internal.ServerUpgrade;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * An upgrade request that {@link WebSocketServer#handshake} accepted: the subprotocol and extensions
 * chosen, and the {@code 101} response to send. Nothing has been written yet: {@link #accept} writes
 * the response and returns the connection. A server that answers refusals through its own HTTP layer
 * (the {@code http} module's upgrade hook) calls {@code handshake} first and hands the connection over
 * only once it was accepted.
 *
 * <p>Immutable; {@link #accept} once, from a fiber of the socket's hub.
 */
public final class ServerHandshake {
    private final WebSocketServer server;
    private final UpgradeRequest request;
    private final ServerUpgrade.Accepted accepted;

    ServerHandshake(WebSocketServer server, UpgradeRequest request, ServerUpgrade.Accepted accepted) {
        this.server = server;
        this.request = request;
        this.accepted = accepted;
    }

    /** The subprotocol chosen (the client's first offer the server speaks), or null. */
    public String subprotocol() {
        return accepted.subprotocol();
    }

    /** The {@code Sec-WebSocket-Extensions} answer ({@code permessage-deflate; ...}), or null for none. */
    public String extensions() {
        return accepted.deflate() == null ? null : accepted.deflate().header();
    }

    /** The whole {@code 101 Switching Protocols} response head, CRLFs included. */
    public String response() {
        return accepted.response();
    }

    /** The request this answers. */
    public UpgradeRequest request() {
        return request;
    }

    /**
     * Writes the 101 response on {@code socket} (a {@code TcpSocket}, or a {@code TlsSocket} after its
     * handshake for wss) and returns the WebSocket connection over it, which
     * then owns the socket (closing it closes the socket). Blocks the calling fiber until the response
     * is written.
     *
     * @param alreadyRead bytes the caller read past the request head (a client may send frames right
     *                    after its request); null or empty if none
     * @throws IOException if the response cannot be written (the socket is left to the caller)
     */
    public WebSocket accept(Connection socket, ByteBuffer alreadyRead) throws IOException {
        noDelay(socket);
        ByteBuffer response = ByteBuffer.wrap(accepted.response().getBytes(StandardCharsets.ISO_8859_1));
        socket.writeAll(response);
        Endpoint endpoint = new Endpoint(socket, false, server.options(), accepted.deflate(), alreadyRead);
        return new WebSocket(endpoint, accepted.subprotocol(), extensions(), request.headers(), request.target());
    }

    /** Messages are written whole, one write each: Nagle's delay would only add latency. */
    private static void noDelay(Connection socket) {
        try {
            socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
        } catch (IOException | RuntimeException notSupported) {
            // a socket that does not take the option still works
        }
    }
}
