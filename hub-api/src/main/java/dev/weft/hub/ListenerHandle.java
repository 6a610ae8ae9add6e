package dev.weft.hub;

import java.io.IOException;
import java.net.SocketAddress;

/**
 * A non-blocking listening TCP socket. See {@link IoHandle} for the thread rule and readiness
 * protocol; accept readiness is {@link Ops#READ}.
 */
public interface ListenerHandle extends IoHandle {

    /** Binds and listens with the given backlog (0 or less: the system default). */
    void bind(SocketAddress local, int backlog) throws IOException;

    /** Binds with the system default backlog. */
    @Override
    default void bind(SocketAddress local) throws IOException {
        bind(local, 0);
    }

    /**
     * Accepts one pending connection, already non-blocking and owned by the same poller.
     *
     * @return the connection, or null if none is pending (would block)
     * @throws IOException on accept errors; running out of file descriptors shows as an
     *                     IOException whose message contains "Too many open files"
     */
    StreamHandle accept() throws IOException;

    /**
     * Accepts one pending connection without registering it with any poller, for a loop thread that
     * hands accepted connections to other loop threads ({@link Poller#adopt}).
     *
     * @return the connection, or null if none is pending (would block)
     * @throws IOException as {@link #accept()}
     * @throws UnsupportedOperationException if the backend cannot move a connection between pollers
     */
    default AcceptedStream acceptUnowned() throws IOException {
        throw new UnsupportedOperationException("this backend cannot hand an accepted connection to another poller");
    }
}
