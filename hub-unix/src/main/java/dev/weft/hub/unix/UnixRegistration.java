package dev.weft.hub.unix;

import io.netty.channel.unix.Socket;
import java.io.IOException;

/**
 * A handle's registration with the backend's Netty {@code IoHandler}, made once when the handle is
 * opened. Loop thread only.
 *
 * <p>A readiness backend (epoll, kqueue) registers the descriptor once for good and needs only
 * {@link #cancel()}. A backend that submits one poll per wait (io_uring) also hears when a callback
 * is {@linkplain #armed armed} or {@linkplain #disarmed disarmed}, and closes the descriptor itself
 * ({@link #close(Socket)}), since it must not be closed while a poll on it is in flight.
 */
public interface UnixRegistration {
    /** Removes the descriptor from the poll set; called by {@link #close(Socket)} before the fd closes. */
    void cancel();

    /**
     * Whether the backend reports readiness changes while no callback is armed (epoll and kqueue: the
     * descriptor is registered edge-triggered for good). Only then may a handle skip the system call of
     * a read or write that an earlier short one showed would find nothing, until the next event; when
     * false, every read and write tries the kernel. Default: true.
     */
    default boolean reportsWhileUnarmed() {
        return true;
    }

    /** A callback for {@code op} ({@code Ops.READ} or {@code Ops.WRITE}) was just armed. Default: nothing. */
    default void armed(int op) {
    }

    /** The armed callback for {@code op} was cancelled before it fired. Default: nothing. */
    default void disarmed(int op) {
    }

    /**
     * Removes the descriptor from the poll set and releases it; called once by {@link UnixHandle#close()}.
     * Default: {@link #cancel()}, then {@code close(2)}. Never throws: the descriptor is released either way.
     */
    default void close(Socket socket) {
        try {
            cancel();
        } finally {
            try {
                socket.close();
            } catch (IOException ignored) {
                // the descriptor is released even when close reports an error
            }
        }
    }
}
