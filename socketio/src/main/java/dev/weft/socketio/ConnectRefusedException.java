package dev.weft.socketio;

/**
 * Thrown by a namespace's middleware ({@link Namespace#use}) to refuse a client: the client gets a
 * CONNECT_ERROR packet with this message and {@code data} (its {@code connect_error} event's {@code
 * err.message} and {@code err.data}).
 */
public class ConnectRefusedException extends Exception {
    private final transient Object data;

    public ConnectRefusedException(String message) {
        this(message, null);
    }

    /** @param data JSON-able details for the client, or null */
    public ConnectRefusedException(String message, Object data) {
        super(message);
        this.data = data;
    }

    public Object data() {
        return data;
    }
}
