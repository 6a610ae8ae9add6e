package dev.weft.socketio.internal;

import dev.weft.websocket.PreparedMessage;
import dev.weft.websocket.WebSocket;
import java.io.IOException;
import java.util.List;

/**
 * Where an Engine.IO session's packets go once it runs on WebSocket: the {@link WebSocket} itself
 * when the WebSocket was accepted on the session's hub, or a hand-off to the hub that owns the
 * WebSocket (a connection is served by the hub that accepted it, and its fibers never move).
 *
 * <p>Thread rule: the session's hub; {@link #send} and {@link #close} in a fiber (they may block it).
 */
public interface PacketSink {
    /**
     * Sends Engine.IO packets, in order, each a WebSocket message of its own (committed together: frames
     * that are small together go in one write); blocks the calling fiber while the way is full.
     */
    void send(List<PreparedMessage> packets) throws IOException;

    /** Closes the WebSocket with {@code code} and {@code reason}, after the packets already sent. Idempotent. */
    void close(int code, String reason);

    /** Whether packets can still be sent. */
    boolean isOpen();

    /** The sink of a WebSocket served by the session's own hub. */
    static PacketSink of(WebSocket ws) {
        return new PacketSink() {
            @Override
            public void send(List<PreparedMessage> packets) throws IOException {
                ws.send(packets);
            }

            @Override
            public void close(int code, String reason) {
                ws.close(code, reason);
            }

            @Override
            public boolean isOpen() {
                return ws.isOpen();
            }

            @Override
            public String toString() {
                return ws.toString();
            }
        };
    }
}
