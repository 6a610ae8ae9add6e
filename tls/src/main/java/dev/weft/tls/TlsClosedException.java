package dev.weft.tls;

import java.nio.channels.ClosedChannelException;

/**
 * A {@link TlsSocket} is used after it was closed, or written after this side sent {@code
 * close_notify}. (A fiber blocked on the socket when another closes it gets the TCP socket's
 * {@link dev.weft.sockets.SocketClosedException}; both are {@link ClosedChannelException}s.)
 */
public final class TlsClosedException extends ClosedChannelException {
    private static final long serialVersionUID = 1L;
    private final String message;

    TlsClosedException(String message) {
        this.message = message;
    }

    @Override
    public String getMessage() {
        return message;
    }
}
