package dev.weft.websocket;

import java.io.IOException;

/**
 * The connection is closed, or closing: what {@link WebSocket#receive()} throws once the peer's close
 * frame arrived (after the reply was sent), after the connection failed (a protocol error of the peer,
 * a message over the limit, a missed pong) or after it ended without a close frame; and what {@code
 * send} throws on a connection that is no longer open. It carries the close status, as the JDK's
 * {@code WebSocket.Listener.onClose}, Jetty's {@code onWebSocketClose} and JSR 356's {@code
 * CloseReason} do, and, like Python's {@code websockets} {@code ConnectionClosed}, ends a receive loop:
 *
 * <pre>{@code
 * try {
 *     while (true) handle(ws.receive());
 * } catch (WebSocketClosedException closed) {
 *     if (!closed.isNormal()) log(closed.getMessage());   // e.g. "closed by us with 1009 (message too big): ..."
 * }
 * }</pre>
 *
 * <p>{@link #code()} is the close code of the first close frame received (RFC 6455 section 7.1.5);
 * {@link CloseCodes#NO_STATUS} (1005) when that frame had none; {@link CloseCodes#ABNORMAL} (1006)
 * when the connection ended without one; the code we sent when we failed the connection and the peer
 * did not answer.
 */
public final class WebSocketClosedException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int code;
    private final String reason;
    private final boolean byPeer;

    /**
     * @param code    the close code (see the class comment)
     * @param reason  the close reason ("" if none)
     * @param byPeer  whether the peer started the close (its close frame came first, or it dropped the connection)
     * @param message what happened, for people
     * @param cause   the I/O error that ended the connection, or null
     */
    public WebSocketClosedException(int code, String reason, boolean byPeer, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.reason = reason == null ? "" : reason;
        this.byPeer = byPeer;
    }

    /** The close code (1000 normal, 1001 going away, 1006 abnormal ... see {@link CloseCodes}). */
    public int code() {
        return code;
    }

    /** The close reason the close frame carried, "" if none. */
    public String reason() {
        return reason;
    }

    /** Whether the peer started the close (its close frame came first, or it dropped the connection). */
    public boolean byPeer() {
        return byPeer;
    }

    /** Whether this was an orderly end: a close handshake with 1000 (normal), 1001 (going away) or no code. */
    public boolean isNormal() {
        return code == CloseCodes.NORMAL || code == CloseCodes.GOING_AWAY || code == CloseCodes.NO_STATUS;
    }
}
