package dev.weft.sockets;

import java.nio.channels.AsynchronousCloseException;

/**
 * A socket was closed while a fiber was blocked on it (by another fiber, or by the hub shutting
 * down), or is used after it was closed. The message says who closed it and who was waiting.
 */
public final class SocketClosedException extends AsynchronousCloseException {
    private final String message;

    SocketClosedException(String message) {
        this.message = message;
    }

    @Override
    public String getMessage() {
        return message;
    }
}
