package dev.weft.hub;

import java.io.IOException;
import java.net.ProtocolFamily;

/**
 * One backend's readiness wait plus its socket factory, bound to the thread that opened it
 * (the loop thread). The {@link EventLoop} decides how long to block; the poller decides how.
 *
 * <p>Thread rule: all methods except {@link #wakeup()} must be called on the loop thread.
 */
public interface Poller extends AutoCloseable {

    /** The backend's name, as in {@code -Dweft.hub}. */
    String backendName();

    /**
     * Waits for readiness and runs the armed callbacks of ready handles (see {@link IoHandle#await}).
     * Returns early when {@link #wakeup()} is called.
     *
     * @param timeoutNanos how long to wait at most: 0 means do not block, a negative value means
     *                     until readiness or wakeup. Backends with millisecond resolution round
     *                     sub-millisecond waits up, never down to "forever".
     * @return the number of callbacks run
     */
    int poll(long timeoutNanos);

    /** Makes a blocked or the next {@link #poll} return promptly. Any thread. */
    void wakeup();

    /** Opens an unconnected TCP socket. */
    StreamHandle openStream(ProtocolFamily family) throws IOException;

    /** Opens an unbound listening TCP socket (call {@link ListenerHandle#bind(java.net.SocketAddress, int)}). */
    ListenerHandle openListener(ProtocolFamily family) throws IOException;

    /** Opens an unbound UDP socket. */
    DatagramHandle openDatagram(ProtocolFamily family) throws IOException;

    /**
     * Takes an accepted connection another poller of the same backend handed over ({@link
     * ListenerHandle#acceptUnowned()}) and registers it here: from now on it is this poller's handle.
     * If it was discarded meanwhile, or registering fails, it is closed and an exception says so.
     *
     * @throws java.nio.channels.ClosedChannelException if it was discarded (or adopted) already
     * @throws IllegalArgumentException if another backend accepted it
     * @throws UnsupportedOperationException if this backend cannot adopt connections
     */
    default StreamHandle adopt(AcceptedStream connection) throws IOException {
        throw new UnsupportedOperationException("the " + backendName() + " backend cannot adopt a connection accepted by"
                + " another poller");
    }

    /** Closes the poller and every handle it opened that is still open. Idempotent. */
    @Override
    void close();
}
