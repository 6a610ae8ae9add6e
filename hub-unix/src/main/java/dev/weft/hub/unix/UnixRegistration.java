package dev.weft.hub.unix;

/**
 * A handle's registration with the backend's Netty {@code IoHandler}, made once when the handle is
 * opened. Loop thread only.
 */
public interface UnixRegistration {
    /** Removes the descriptor from the poll set; called by {@link UnixHandle#close()} before the fd closes. */
    void cancel();
}
