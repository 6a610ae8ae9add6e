package dev.weft.sockets;

import dev.weft.fibers.Hub;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.time.Duration;
import java.util.Set;
import javax.net.ssl.SSLSession;

/**
 * A byte-stream connection for fibers: a plain {@link TcpSocket}, or a {@code dev.weft.tls.TlsSocket}
 * after its handshake (plaintext in and out, records on the wire). Code written against this type
 * (an HTTP server, a WebSocket endpoint, {@code bridges}' {@code FiberSocket}) runs over either.
 *
 * <p>Thread rule: fibers of the hub that opened the connection ({@link #hub()}). A blocking call
 * from another thread or from a fiber of another hub throws {@link dev.weft.hub.WrongThreadException}
 * (on the hub's own thread outside any fiber, {@link dev.weft.fibers.NotInFiberException}) before it
 * touches anything. One
 * fiber reads and one fiber writes at a time: a second concurrent reader (or writer) gets an {@link
 * IllegalStateException} naming the owner; the reader and the writer may be different fibers.
 *
 * <p>What blocks: {@link #read}, {@link #write}, {@link #readFully}, {@link #writeAll}, the streams'
 * reads and writes, and {@link #shutdownOutput()} (TLS sends {@code close_notify}) park only the
 * calling fiber; the hub runs other fibers meanwhile. Each such call blocks until it has moved bytes,
 * or one of these happens: the connection's timeout ({@link #setTimeout}) passes ({@link
 * SocketTimeoutException}), an enclosing {@link dev.weft.fibers.Timeout} expires ({@link
 * dev.weft.fibers.FiberTimeoutException}), the fiber is killed ({@link dev.weft.fibers.FiberKilledError}),
 * or the connection is closed ({@link SocketClosedException}, naming who closed it).
 *
 * <p>Nothing lost: a {@code read} that is interrupted that way has taken nothing (bytes of a partial
 * TLS record stay buffered for the next read). A {@code write} that is interrupted has taken exactly
 * what {@code src}'s position says (TLS: that plaintext is encrypted and goes out before anything
 * written later), so the caller knows where to resume and the connection stays usable. Stream views
 * say nothing of how much an interrupted write took: code that must resume mid-message uses the
 * channel calls.
 *
 * <p>Fairness: a read or write that completes without waiting spends a unit of the fiber's
 * cooperative budget ({@link Hub#spendBudget()}) before it moves bytes, so a peer that always has
 * data cannot starve the hub.
 *
 * <p>TLS: {@link #session()} is the negotiated {@link SSLSession} of a TLS connection and null for
 * plain TCP; {@code session() != null} is how code asks "is this TLS?" (as {@code
 * HttpsExchange.getSSLSession()}). Null rather than {@code Optional}: it is asked once per connection
 * by code that passes it on to APIs that take null.
 */
public interface Connection extends ByteChannel {
    // ---------------------------------------------------------------- reading

    /**
     * Reads into {@code dst} what is available, waiting until at least one byte is.
     *
     * @return bytes read (&gt; 0), -1 at the end of the stream (TLS: the peer's {@code close_notify}),
     *         0 only if {@code dst} has no room
     * @throws SocketTimeoutException if the connection's timeout passes first (nothing was read)
     * @throws SocketClosedException  if the connection is or gets closed
     * @throws IOException            on a network error (reset by the peer; TLS: a broken record or a
     *                                TCP close without {@code close_notify})
     */
    @Override
    int read(ByteBuffer dst) throws IOException;

    /** {@link #read(ByteBuffer)} into {@code b[off, off + len)}. */
    default int read(byte[] b, int off, int len) throws IOException {
        return read(ByteBuffer.wrap(b, off, len));
    }

    /**
     * Reads until {@code dst} is full. The connection's timeout bounds each wait, not the whole call.
     *
     * @throws EOFException           if the stream ends first
     * @throws SocketTimeoutException if the timeout passes during a wait
     * In every case what was read stays in {@code dst}; its position says how much.
     */
    default void readFully(ByteBuffer dst) throws IOException {
        while (dst.hasRemaining()) {
            if (read(dst) < 0) {
                throw new EOFException("end of stream after " + dst.position() + " bytes, " + dst.remaining()
                        + " more expected, on " + this);
            }
        }
    }

    /** Bytes a read returns now without waiting (TLS: plaintext already decrypted); 0 when not known. */
    default int available() {
        return 0;
    }

    // ---------------------------------------------------------------- writing

    /**
     * Writes from {@code src}, waiting until at least some of it is taken (TLS: at most one record).
     *
     * @return bytes taken from {@code src} (&gt; 0 unless it is empty)
     * @throws SocketTimeoutException if the connection's timeout passes first; {@code src}'s position
     *                                says what was taken
     * @throws SocketClosedException  if the connection is or gets closed, or its output was shut down
     *                                (TLS: {@code dev.weft.tls.TlsClosedException}, a subclass)
     */
    @Override
    int write(ByteBuffer src) throws IOException;

    /**
     * Writes all of {@code src}. The connection's timeout applies to each wait, not to the whole
     * call; after a timeout, kill or {@code Timeout}, {@code src}'s position says how much was taken.
     */
    default void writeAll(ByteBuffer src) throws IOException {
        while (src.hasRemaining()) {
            write(src);
        }
    }

    // ---------------------------------------------------------------- views

    /**
     * An {@link InputStream} over this connection ({@link ConnectionInputStream}): reads park the
     * calling fiber; {@code available()} is {@link #available()}; closing it closes the connection.
     * Nothing is buffered in it, so a new one per call costs nothing but the object.
     */
    default InputStream inputStream() {
        return new ConnectionInputStream(this);
    }

    /**
     * An {@link OutputStream} over this connection ({@link ConnectionOutputStream}): every write is a
     * {@link #writeAll}; nothing is buffered (wrap it in a {@link java.io.BufferedOutputStream} for
     * many small writes: over TLS each costs a record); closing it closes the connection.
     */
    default OutputStream outputStream() {
        return new ConnectionOutputStream(this);
    }

    // ---------------------------------------------------------------- settings

    /**
     * A limit for every later blocking call, as Python's {@code settimeout}: {@code null} for none (the
     * default); zero or negative: do not wait (a call that would block throws {@link
     * SocketTimeoutException} at once); any positive duration. A call already waiting keeps the limit it
     * started with.
     */
    void setTimeout(Duration timeout);

    /** The per-call limit as set, or null for none. */
    Duration timeout();

    /** Sets a socket option of the TCP connection underneath ({@link java.net.StandardSocketOptions}). */
    <T> Connection setOption(SocketOption<T> option, T value) throws IOException;

    /** Reads a socket option of the TCP connection underneath. */
    <T> T getOption(SocketOption<T> option) throws IOException;

    /** The options {@link #setOption} accepts here (SO_REUSEPORT only where the OS has it). */
    Set<SocketOption<?>> supportedOptions();

    // ---------------------------------------------------------------- closing

    /**
     * Half-close: the peer reads end of stream; this side may go on reading (TLS 1.2 has no
     * half-close: the peer answers with its own {@code close_notify}). A later write throws. TLS sends
     * {@code close_notify} first, parking the calling fiber until it is sent. Quiet if the peer has gone.
     *
     * @throws SocketTimeoutException if the timeout passes while {@code close_notify} waits for room
     * @throws SocketClosedException  if the connection is closed
     */
    void shutdownOutput() throws IOException;

    /** Stops reading: later reads return -1; what the peer still sends is discarded. Quiet if the peer has gone. */
    void shutdownInput() throws IOException;

    /**
     * Closes the connection; fibers blocked on it wake with a {@link SocketClosedException}. TLS first
     * sends {@code close_notify} (within a bounded time). Idempotent; never throws an I/O error. Hub
     * thread (from a fiber, or the hub itself when it closes).
     */
    @Override
    void close();

    /** Whether {@link #close()} has not been called and the TCP connection is open. Any thread. */
    @Override
    boolean isOpen();

    // ---------------------------------------------------------------- identity

    /** The local address. @throws IOException if the socket no longer knows it (closed) */
    InetSocketAddress localAddress() throws IOException;

    /** The peer's address. @throws IOException if the socket no longer knows it (closed) */
    InetSocketAddress remoteAddress() throws IOException;

    /** The negotiated TLS session (protocol, cipher suite, peer certificates), or null for plain TCP. */
    default SSLSession session() {
        return null;
    }

    /** The hub whose fibers may use this connection; what another thread hands a close to. Any thread. */
    Hub hub();
}
