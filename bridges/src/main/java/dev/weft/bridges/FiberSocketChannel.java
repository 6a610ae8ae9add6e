package dev.weft.bridges;

import dev.weft.sockets.ConnectionInputStream;
import dev.weft.sockets.ConnectionOutputStream;
import java.io.IOException;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.ClosedChannelException;

/**
 * What {@link FiberSocket}'s streams (the shared {@link ConnectionInputStream} and {@link
 * ConnectionOutputStream}) read and write: the JDK socket's rules over the socket's {@link
 * OwnedConnection}. {@code SO_TIMEOUT} bounds each read and writes have no limit; a shut-down input
 * reads -1 and a shut-down output refuses; errors are the {@code java.net} ones a JDK socket throws
 * ({@link JdkSocketErrors}). The input stream's {@code available()} is therefore 0 (not known without
 * reading, as for a JDK socket) and throws once the socket is closed. Thread rule: the socket's (any
 * thread).
 */
final class FiberSocketChannel implements ByteChannel {
    private final FiberSocket socket;

    FiberSocketChannel(FiberSocket socket) {
        this.socket = socket;
    }

    /** -1 once input is shut down; the SO_TIMEOUT bounds the wait. */
    @Override
    public int read(ByteBuffer dst) throws IOException {
        checkOpen();
        if (socket.isInputShutdown()) {
            return -1;
        }
        try {
            int n;
            if (dst.hasArray()) {
                n = socket.owned().read(dst.array(), dst.arrayOffset() + dst.position(), dst.remaining(),
                        socket.soTimeoutMillis());
                if (n > 0) {
                    dst.position(dst.position() + n);
                }
            } else {
                byte[] b = new byte[dst.remaining()];
                n = socket.owned().read(b, 0, b.length, socket.soTimeoutMillis());
                if (n > 0) {
                    dst.put(b, 0, n);
                }
            }
            return n;
        } catch (ClosedChannelException e) {
            if (socket.isInputShutdown()) {
                return -1;
            }
            throw JdkSocketErrors.closed(e);
        } catch (IOException e) {
            throw JdkSocketErrors.asJdkException(e);
        }
    }

    /** Writes all of {@code src}, without a time limit. */
    @Override
    public int write(ByteBuffer src) throws IOException {
        checkOpen();
        if (socket.isOutputShutdown()) {
            throw new SocketException("Socket output is shutdown");
        }
        int n = src.remaining();
        try {
            if (src.hasArray()) {
                socket.owned().write(src.array(), src.arrayOffset() + src.position(), n);
                src.position(src.limit());
            } else {
                byte[] b = new byte[n];
                src.get(b);
                socket.owned().write(b, 0, n);
            }
            return n;
        } catch (ClosedChannelException e) {
            throw JdkSocketErrors.closed(e);
        } catch (IOException e) {
            throw JdkSocketErrors.asJdkException(e);
        }
    }

    private void checkOpen() throws SocketException {
        if (socket.isClosed()) {
            throw new SocketException("Socket is closed");
        }
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
