package dev.weft.hub;

import java.io.Closeable;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.util.Set;

/**
 * A non-blocking socket owned by one {@link Poller}, with a readiness wait per direction.
 *
 * <p>Thread rule: every method must be called on the poller's loop thread; backends check
 * with a cheap thread comparison and throw {@link IllegalStateException} otherwise.
 *
 * <p>Readiness protocol (the same on every backend): try the operation; when it reports
 * "would block" (0 or {@code null}), call {@link #await} for that direction and retry when the
 * callback runs. Backends may be edge-triggered and report only readiness that arises after the
 * operation said "would block", so never await before trying. A callback may run spuriously;
 * the caller always retries and awaits again.
 */
public interface IoHandle extends Closeable {

    /**
     * Arms a one-shot callback for {@code op} ({@link Ops#READ} or {@link Ops#WRITE}, not both).
     * The callback runs once, on the loop thread from inside {@link Poller#poll}, when the handle
     * may be ready for {@code op}, or from inside {@link #close()} when the handle is closed. It
     * must not block or switch: it typically makes a fiber runnable.
     *
     * @throws IllegalStateException if a callback for {@code op} is already armed (one reader and
     *                               one writer at a time), or the handle is closed
     */
    void await(int op, Runnable callback);

    /** Disarms the callback for {@code op} if one is armed (a waiter that timed out or was killed). */
    void cancelAwait(int op);

    /** Binds to a local address (port 0 picks a free port). */
    void bind(SocketAddress local) throws IOException;

    /** The bound local address, or null if unbound. */
    SocketAddress localAddress() throws IOException;

    /** Sets a socket option; {@link UnsupportedOperationException} if the backend does not have it. */
    <T> void setOption(SocketOption<T> option, T value) throws IOException;

    /** Reads a socket option; {@link UnsupportedOperationException} if the backend does not have it. */
    <T> T getOption(SocketOption<T> option) throws IOException;

    /** The options this handle supports on this backend. */
    Set<SocketOption<?>> supportedOptions();

    /** Whether {@link #close()} has not been called yet. */
    boolean isOpen();

    /**
     * Closes the socket and runs the armed callbacks (so their waiters retry and see it closed).
     * Idempotent.
     */
    @Override
    void close();
}
