package dev.weft.socketio;

/** Answers a client's acknowledgement callback once; later calls are ignored. Hub thread. */
@FunctionalInterface
public interface Ack {
    /** Sends {@code args} (JSON-able values, {@code byte[]} for binary) to the client's callback. */
    void send(Object... args);
}
