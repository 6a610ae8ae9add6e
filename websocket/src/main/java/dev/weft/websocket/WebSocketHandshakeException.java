package dev.weft.websocket;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The opening handshake failed. On the client: the server did not answer {@code 101 Switching
 * Protocols} ({@link #status()} is its status; a redirect is reported, not followed), or its answer
 * broke RFC 6455 (a wrong {@code Sec-WebSocket-Accept}, a subprotocol or extension that was not
 * offered). On the server: the request is not a valid WebSocket upgrade ({@link #status()} 400, 426
 * for an unsupported version) or the origin check refused it (403); {@link WebSocketServer#accept}
 * has then written that response.
 */
public final class WebSocketHandshakeException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final transient Map<String, List<String>> headers;

    /**
     * @param status  the HTTP status (the server's answer on the client; the response to send on the server); 0 when none applies
     * @param headers the response's headers (client) or the headers to send with the error (server); empty if none
     */
    public WebSocketHandshakeException(int status, Map<String, List<String>> headers, String message) {
        super(message);
        this.status = status;
        this.headers = headers == null ? Map.of() : headers;
    }

    /** The HTTP status: the server's answer (client side) or the refusal to send (server side); 0 when none applies. */
    public int status() {
        return status;
    }

    /** The server's response headers (client side), or the headers sent with the refusal (server side). */
    public Map<String, List<String>> headers() {
        return headers;
    }
}
