package dev.weft.bridges;

import dev.weft.sockets.Connection;
import dev.weft.sockets.ConnectionInputStream;
import dev.weft.sockets.ConnectionOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import javax.net.ssl.SSLException;

/**
 * What {@link FiberSocket}'s streams ({@link ConnectionInputStream}, {@link ConnectionOutputStream})
 * read and write: the JDK socket's rules over the connection's calls. {@code SO_TIMEOUT} bounds each
 * read, writes have no limit; a shut-down input reads -1, a shut-down output refuses; errors are the
 * {@code java.net} ones a JDK socket throws. {@code available()} is therefore 0 (nothing is known
 * without reading, as for {@code java.net.Socket}'s own streams). Thread rule: the socket's.
 */
final class FiberSocketChannel implements ByteChannel {
    private final FiberSocket socket;

    FiberSocketChannel(FiberSocket socket) {
        this.socket = socket;
    }

    /** -1 once input is shut down; the SO_TIMEOUT bounds the wait. */
    @Override
    public int read(ByteBuffer dst) throws IOException {
        Connection conn = open();
        if (socket.isInputShutdown()) {
            return -1;
        }
        try {
            int limit = socket.getSoTimeout();
            conn.setTimeout(limit == 0 ? null : Duration.ofMillis(limit)); // read below captures it
            return conn.read(dst);
        } catch (ClosedChannelException e) {
            if (socket.isInputShutdown()) {
                return -1;
            }
            throw closedException(e);
        } catch (IOException e) {
            throw asJdkException(e);
        }
    }

    /** Writes all of {@code src}, without a time limit. */
    @Override
    public int write(ByteBuffer src) throws IOException {
        Connection conn = open();
        if (socket.isOutputShutdown()) {
            throw new SocketException("Socket output is shutdown");
        }
        int n = src.remaining();
        try {
            conn.setTimeout(null);
            conn.writeAll(src);
            return n;
        } catch (ClosedChannelException e) {
            throw closedException(e);
        } catch (IOException e) {
            throw asJdkException(e);
        }
    }

    private Connection open() throws SocketException {
        if (socket.isClosed()) {
            throw new SocketException("Socket is closed");
        }
        return socket.connection();
    }

    /**
     * The exception a JDK socket would throw: {@code java.net} exceptions (resets, timeouts), TLS
     * errors ({@link SSLException}) and ends of stream ({@link EOFException}, such as a TLS peer that
     * closed without {@code close_notify}) pass as they are; a backend's own I/O exception (Netty's
     * {@code NativeIoException} on epoll) becomes a {@link SocketException} with the same message, so
     * that drivers that look for one find it.
     */
    private static IOException asJdkException(IOException e) {
        if (e instanceof SocketException || e instanceof InterruptedIOException || e instanceof SSLException
                || e instanceof EOFException || e.getClass().getName().startsWith("java.")) {
            return e;
        }
        SocketException se = new SocketException(e.getMessage());
        se.initCause(e);
        return se;
    }

    private static SocketException closedException(IOException cause) {
        SocketException e = new SocketException("Socket closed: " + cause.getMessage());
        e.initCause(cause);
        return e;
    }

    @Override
    public boolean isOpen() {
        return !socket.isClosed();
    }

    /** Closes the socket, as the JDK's socket streams do. */
    @Override
    public void close() {
        socket.close();
    }

    @Override
    public String toString() {
        return socket.toString();
    }
}
