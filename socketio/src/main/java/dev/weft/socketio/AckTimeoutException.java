package dev.weft.socketio;

import java.io.IOException;

/**
 * {@link SocketIoSocket#emitWithAck}: the client did not acknowledge within the time given, or it
 * disconnected first ({@link #disconnected()}). An acknowledgement arriving later is dropped.
 */
public class AckTimeoutException extends IOException {
    private final boolean disconnected;

    public AckTimeoutException(String message, boolean disconnected) {
        super(message);
        this.disconnected = disconnected;
    }

    /** Whether the client disconnected before it acknowledged (else the time ran out). */
    public boolean disconnected() {
        return disconnected;
    }
}
