package dev.weft.hub;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * A non-blocking TCP connection (client-opened or accepted). See {@link IoHandle} for the thread
 * rule and the readiness protocol. I/O errors are the {@code java.net} exceptions a JDK socket
 * throws, naming the address, the same on every backend (see {@link SocketErrors}: refused,
 * reset, broken pipe, output shut down); an operation on a closed handle throws
 * {@link java.nio.channels.ClosedChannelException}; a shutdown after the peer has gone is quiet.
 */
public interface StreamHandle extends IoHandle {

    /**
     * Starts connecting to {@code remote}.
     *
     * @return true if connected at once; false if in progress: await {@link Ops#WRITE}, then
     *         call {@link #finishConnect()}
     */
    boolean connect(InetSocketAddress remote) throws IOException;

    /**
     * Completes a connect that was in progress.
     *
     * @return true once connected, false if still in progress
     * @throws IOException the connect failed (e.g. {@link java.net.ConnectException} when refused)
     */
    boolean finishConnect() throws IOException;

    /**
     * Reads into {@code dst} (heap or direct) at its position.
     *
     * @return bytes read (&gt; 0), 0 if it would block, -1 at end-of-stream
     */
    int read(ByteBuffer dst) throws IOException;

    /**
     * Writes from {@code src} (heap or direct) at its position.
     *
     * @return bytes written; 0 if it would block
     */
    int write(ByteBuffer src) throws IOException;

    /** Half-close: the peer reads end-of-stream and may still send. */
    void shutdownOutput() throws IOException;

    /** Stops reading: later reads return -1. */
    void shutdownInput() throws IOException;

    /** The connected peer's address, or null if not connected. */
    InetSocketAddress remoteAddress() throws IOException;
}
