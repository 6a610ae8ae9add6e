package dev.weft.websocket.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import javax.net.ssl.SSLSession;

/**
 * The byte stream under a WebSocket connection: a plain {@link dev.weft.sockets.TcpSocket} or a
 * {@link dev.weft.tls.TlsSocket} after its handshake ({@link ByteStreams}). Reads and writes park only
 * the calling fiber.
 *
 * <p>Channel-style calls, not {@code InputStream}/{@code OutputStream}: a write that a {@code Timeout}
 * or a kill interrupts must say how much of the frame went out (the buffer's position), or the next
 * frame would be written into the middle of this one; an {@code OutputStream.write} that throws says
 * nothing. Both sockets promise that an interrupted read took nothing and an interrupted write moved
 * exactly what the buffer's position says.
 *
 * <p>How it will be wired (issue 27): {@code sockets} is to get one public connection contract that
 * {@code TcpSocket} and {@code TlsSocket} both implement, with these calls (channel views, half-close,
 * close, the two addresses, the TLS session). Then this interface is replaced by that type: {@link
 * ByteStreams} shrinks to {@code return connection}, and the public entry points that take a {@code
 * TcpSocket} or a {@code TlsSocket} today take the connection instead. Nothing else here changes.
 *
 * <p>Thread rule: fibers of the hub that owns the socket.
 */
public interface ByteStream {
    /**
     * Reads what is available into {@code dst}, waiting for at least one byte.
     *
     * @return bytes read, or -1 at the end of the stream
     * @throws IOException on a network error or a closed socket (nothing was read)
     */
    int read(ByteBuffer dst) throws IOException;

    /**
     * Writes from {@code src}, waiting until at least one byte was taken; {@code src}'s position says
     * how much. A call interrupted while it waits has taken nothing more than the position says.
     */
    int write(ByteBuffer src) throws IOException;

    /** Ends this side (the peer reads end of stream; TLS sends close_notify); reading stays possible. */
    void shutdownOutput() throws IOException;

    /** Closes the stream; fibers blocked on it wake with an {@link IOException}. Idempotent, never throws. */
    void close();

    /** Whether {@link #close()} has not been called and the socket is open. */
    boolean isOpen();

    /** The local address, or null if the socket no longer knows it. */
    InetSocketAddress localAddress();

    /** The peer's address, or null if the socket no longer knows it. */
    InetSocketAddress remoteAddress();

    /** The TLS session, or null for plain TCP. */
    SSLSession sslSession();
}
