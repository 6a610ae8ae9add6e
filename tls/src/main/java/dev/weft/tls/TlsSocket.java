package dev.weft.tls;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.FiberTimeoutException;
import dev.weft.fibers.Hub;
import dev.weft.fibers.Lock;
import dev.weft.fibers.Timeout;
import dev.weft.sockets.Connection;
import dev.weft.sockets.SocketClosedException;
import dev.weft.sockets.TcpSocket;
import dev.weft.tls.internal.DelegatedTasks;
import dev.weft.tls.internal.HandshakeTurn;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.net.SocketOption;
import java.nio.channels.ByteChannel;
import java.time.Duration;
import java.util.Set;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSession;

/**
 * A TLS connection for fibers over a {@link TcpSocket} and the JDK's {@link SSLEngine}: the same
 * {@code read}/{@code write}/{@code readFully}/stream/{@link ByteChannel} API as {@code TcpSocket},
 * with plaintext in and out and records on the wire. Blocking calls park only the calling fiber.
 *
 * <p>Made by {@link TlsClient#connect} / {@link TlsClient#wrap} (client) and {@link TlsServer#accept}
 * (server); both return after a complete handshake, so errors such as a wrong host name or an
 * untrusted certificate surface there, not at the first read.
 *
 * <p>Thread rule: fibers of the hub that opened the TCP socket. One fiber reads and one fiber writes
 * at a time; a second concurrent reader (or writer) gets an {@link IllegalStateException} naming the
 * owner. The reader and the writer may be different fibers: TLS messages that one direction needs
 * from the other (a TLS 1.3 key update, a TLS 1.2 renegotiation, a close_notify reply) are handed
 * over inside.
 *
 * <p>Timeouts: {@link #setTimeout} is the underlying socket's per-call limit ({@link
 * SocketTimeoutException}); enclosing {@link Timeout} blocks apply too. A read that times out has
 * taken nothing (bytes of a partial record stay buffered). A write that times out may have accepted
 * some plaintext ({@code src}'s position says how much): it is encrypted and queued, and goes out
 * before anything written later. The handshake has a limit of its own ({@link
 * TlsClient.Builder#handshakeTimeout}, {@link TlsServer.Builder#handshakeTimeout}).
 *
 * <p>Closing: {@link #close()} sends TLS {@code close_notify}, half-closes TCP and discards what the
 * peer still sends until it closes too (a lingering close, so that no reset destroys data the peer
 * has not read yet), waiting at most {@value #CLOSE_NOTIFY_MILLIS} ms in all, then closes the socket; fibers blocked on it wake
 * with {@link SocketClosedException}. {@link #shutdownOutput()} sends {@code close_notify} and
 * half-closes TCP: the peer reads end-of-stream and, on TLS 1.3, may still send. A {@code
 * close_notify} from the peer makes {@link #read} return -1; a peer that closes TCP without one makes
 * it throw {@link TlsTruncatedException} (the data may have been cut short by an attacker).
 *
 * <p>A {@link Connection}: code written against that contract (HTTP, WebSocket, {@code bridges}'
 * {@code FiberSocket}) takes a {@code TlsSocket} as it takes a {@link TcpSocket}; {@link #session()}
 * is the negotiated session. {@link #readFully} and {@link #writeAll(ByteBuffer)} are the contract's.
 */
public final class TlsSocket implements Connection {
    /** How long {@link #close()} waits for room to send close_notify. */
    static final long CLOSE_NOTIFY_MILLIS = 1000;

    private final Hub hub;
    private final TcpSocket tcp;
    private final SSLEngine engine;
    private final Duration handshakeTimeout;
    private final DelegatedTasks tasks;
    /** For messages; made at the first (a burst of handshakes would format every peer address for nothing). */
    private String name;
    /** The engine's buffers and the moves between them and the socket. */
    private final TlsRecords records;
    /** Held by whoever unwraps (see {@link TlsRecords#inbound}); taken before {@link #outbound}. */
    private final Lock inbound;
    /** Held by whoever wraps and sends. */
    private final Lock outbound;
    private Fiber<?> reader;
    private Fiber<?> writer;
    private IOException handshakeFailure;
    private boolean closed;

    TlsSocket(TcpSocket tcp, SSLEngine engine, ByteBuffer alreadyRead, Duration handshakeTimeout, DelegatedTasks tasks) {
        this.hub = Hub.current();
        this.tcp = tcp;
        this.engine = engine;
        this.handshakeTimeout = handshakeTimeout;
        this.tasks = tasks;
        this.records = new TlsRecords(engine, tcp, tasks, alreadyRead);
        this.inbound = records.inbound;
        this.outbound = records.outbound;
    }

    // ---------------------------------------------------------------- handshake

    /**
     * Performs the TLS handshake if it has not been done; {@link TlsClient} and {@link TlsServer}
     * call it before they hand the socket out. Blocks the calling fiber until the handshake is
     * complete, or fails, or the handshake timeout passes. A handshake that fails for any reason
     * (including a timeout or a kill) closes the socket; later calls throw the same failure.
     *
     * @throws SSLHandshakeException  if the peer's certificate, host name, protocol or ALPN is refused
     *                                (the message says which), or the peer is not speaking TLS
     * @throws SocketTimeoutException if the handshake timeout passed first
     * @throws IOException            on a network error
     */
    public void handshake() throws IOException {
        if (records.handshakeDone) {
            return;
        }
        Timeout limit = handshakeTimeout == null ? null : Timeout.after(handshakeTimeout);
        try {
            handshakeWithin(limit);
        } finally {
            if (limit != null) {
                limit.close();
            }
        }
    }

    /** {@link #handshake()} inside a caller's handshake {@link Timeout} (the server's covers the ClientHello too). */
    void handshakeWithin(Timeout limit) throws IOException {
        if (records.handshakeDone) {
            return;
        }
        if (handshakeFailure != null) {
            throw handshakeFailure;
        }
        try (Lock.Held i = inbound.lock(); Lock.Held o = outbound.lock()) {
            if (records.handshakeDone) {
                return;
            }
            if (handshakeFailure != null) {
                throw handshakeFailure;
            }
            boolean ok = false;
            HandshakeTurn turn = HandshakeTurn.ofThisHub();
            boolean took = turn.take();
            try {
                engine.beginHandshake();
                records.driveHandshake(turn);
                if (records.inboundDone || engine.isInboundDone() || engine.isOutboundDone()
                        || "SSL_NULL_WITH_NULL_NULL".equals(engine.getSession().getCipherSuite())) {
                    // The engine reports NOT_HANDSHAKING once closed, e.g. by the peer's alert.
                    throw new SSLHandshakeException("the peer " + peer() + " ended the TLS handshake before it completed"
                            + " (an alert or close_notify): it may have refused our certificate (not trusted, or"
                            + " issued for another host name than the one it asked for)");
                }
                records.handshakeDone = true;
                ok = true;
            } catch (FiberTimeoutException e) {
                if (limit == null || !e.is(limit)) {
                    throw e;
                }
                handshakeFailure = new SocketTimeoutException("TLS handshake with " + peer() + " did not finish within "
                        + handshakeTimeout.toMillis() + " ms (the handshake timeout); the connection was closed");
                throw handshakeFailure;
            } catch (SSLException e) {
                handshakeFailure = HandshakeErrors.explain(e, engine, peer());
                records.sendAlertQuietly();
                throw handshakeFailure;
            } catch (IOException e) {
                handshakeFailure = e;
                throw e;
            } finally {
                if (took) {
                    turn.give();
                }
                if (!ok) {
                    engine.closeOutbound();
                    tcp.close();
                }
            }
        }
    }

    // ---------------------------------------------------------------- reading

    /**
     * Reads plaintext into {@code dst}, waiting until at least one byte is available.
     *
     * @return bytes read (&gt; 0), -1 once the peer sent {@code close_notify}, 0 only if {@code dst}
     *         has no room
     * @throws TlsTruncatedException  if the peer closed TCP without {@code close_notify}
     * @throws SocketTimeoutException if the socket's timeout passes first (nothing was read)
     * @throws SocketClosedException  if the socket is or gets closed
     * @throws SSLException           if the peer sent something that is not valid TLS (the connection
     *                                cannot go on; close it)
     */
    @Override
    public int read(ByteBuffer dst) throws IOException {
        Fiber<?> me = enter(true);
        try {
            handshake();
            if (!dst.hasRemaining()) {
                return 0;
            }
            // Before taking anything (a kill here loses nothing): a peer that always has data must not
            // starve the hub's other fibers (the cooperative budget; yields every 128 calls that did not park).
            hub.spendBudget();
            try (Lock.Held i = inbound.lock()) {
                while (true) {
                    if (records.plaintext() > 0) {
                        return records.drainPlaintext(dst);
                    }
                    if (records.inboundDone) {
                        return -1;
                    }
                    boolean direct = dst.remaining() >= engine.getSession().getApplicationBufferSize();
                    int before = dst.position();
                    TlsRecords.Progress p = records.unwrapOnce(direct ? dst : null);
                    if (direct && dst.position() > before) {
                        return dst.position() - before;
                    }
                    if (p == TlsRecords.Progress.NEED_INPUT) {
                        records.flushBeforeWaiting();
                        if (records.fill() < 0) {
                            return endOfStream();
                        }
                    }
                }
            }
        } finally {
            exit(true, me);
        }
    }

    /** {@link #read(ByteBuffer)} into an array. */
    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        return read(ByteBuffer.wrap(b, off, len));
    }

    /** Plaintext bytes already decrypted and buffered: a read of this many returns without waiting. */
    @Override
    public int available() {
        return records.plaintext();
    }

    private int endOfStream() throws IOException {
        if (records.inboundDone) {
            return -1;
        }
        try {
            engine.closeInbound();
        } catch (SSLException expected) {
            // "closing inbound before receiving peer's close_notify": that is what we report below
        }
        records.inboundDone = true;
        throw new TlsTruncatedException("the peer " + peer() + " closed the TCP connection without TLS close_notify"
                + (records.midRecord() ? ", in the middle of a record" : "")
                + ": the data may have been cut short. If the protocol on top frames its messages (HTTP with a"
                + " length), treat this as end of stream between messages");
    }

    // ---------------------------------------------------------------- writing

    /**
     * Encrypts and sends plaintext from {@code src}: at most one TLS record (16 KiB) per call, waiting
     * until it is sent.
     *
     * @return plaintext bytes taken from {@code src} (&gt; 0 unless it is empty)
     * @throws SocketTimeoutException if the socket's timeout passes first; {@code src}'s position
     *                                says what was taken (and will be sent before later data)
     * @throws SocketClosedException  if the socket is closed, or this side sent close_notify
     */
    @Override
    public int write(ByteBuffer src) throws IOException {
        Fiber<?> me = enter(false);
        try {
            handshake();
            if (!src.hasRemaining()) {
                return 0;
            }
            hub.spendBudget(); // before taking anything, as in read
            while (true) {
                boolean needUnwrap;
                int consumed;
                try (Lock.Held o = outbound.lock()) {
                    SSLEngineResult r = records.wrapAfterPending(src); // behind what a timed-out write or the handshake left
                    consumed = r.bytesConsumed();
                    if (r.getStatus() == SSLEngineResult.Status.CLOSED && consumed == 0) {
                        throw new TlsClosedException(this + ": TLS output is closed (close_notify was sent); cannot write");
                    }
                    records.flush();
                    HandshakeStatus hs = r.getHandshakeStatus();
                    if (hs == HandshakeStatus.NEED_TASK) {
                        tasks.runAll(engine, false);
                    }
                    needUnwrap = consumed == 0 && (hs == HandshakeStatus.NEED_UNWRAP || hs == HandshakeStatus.NEED_UNWRAP_AGAIN);
                }
                if (consumed > 0) {
                    return consumed;
                }
                if (needUnwrap) {
                    helpInbound(); // a renegotiation waits for the peer's messages
                }
            }
        } finally {
            exit(false, me);
        }
    }

    /** {@link #writeAll} of an array. */
    public void writeAll(byte[] b) throws IOException {
        writeAll(ByteBuffer.wrap(b));
    }

    /**
     * The writer needs inbound handshake messages (a TLS 1.2 renegotiation). If no fiber is reading,
     * unwrap here (application data that arrives meanwhile is kept for the next read); otherwise
     * wait until the reader has moved the handshake on. Called without {@link #outbound} held (the
     * lock order is inbound, then outbound).
     */
    private void helpInbound() throws IOException {
        if (inbound.isLocked()) {
            records.inboundProgress.clear();
            records.inboundProgress.await();
            return;
        }
        try (Lock.Held i = inbound.lock()) {
            records.ensurePlaintextRoom();
            if (records.unwrapOnce(null) == TlsRecords.Progress.NEED_INPUT && records.fill() < 0) {
                endOfStream();
            }
        }
    }

    // ---------------------------------------------------------------- closing

    /**
     * Sends {@code close_notify} and half-closes the TCP connection: the peer reads end-of-stream.
     * On TLS 1.3 the peer may go on sending and this side may go on reading; TLS 1.2 has no
     * half-close (the peer answers with its own close_notify). Blocks the calling fiber until sent.
     *
     * @throws SocketTimeoutException if the socket's timeout passes first
     */
    @Override
    public void shutdownOutput() throws IOException {
        Fiber<?> me = enter(false);
        try (Lock.Held o = outbound.lock()) {
            ensureOpen();
            records.sendCloseNotify();
            tcp.shutdownOutput();
        } finally {
            exit(false, me);
        }
    }

    /**
     * Sends {@code close_notify} (when the handshake was done and this fiber can send without waiting
     * for another writer), half-closes TCP and discards what the peer still sends until it closes,
     * at most {@value #CLOSE_NOTIFY_MILLIS} ms in all; then closes the TCP socket; fibers blocked on this socket wake with {@link SocketClosedException}.
     * Idempotent; never throws an {@link IOException} (there is nothing to do about a peer that is
     * gone). A kill, or an enclosing {@link Timeout} of the caller, that arrives while close_notify is
     * being sent or the peer's close awaited still closes the socket, then propagates. Hub thread; outside a fiber it closes without close_notify.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (Thread.currentThread() != hub.thread()) { // refused before it marks anything closed: the hub can still close it
            throw new dev.weft.hub.WrongThreadException(toString(), hub.thread(), Thread.currentThread(),
                    "Close a socket in a fiber of the hub that opened it (or on that hub's thread).");
        }
        closed = true;
        FiberTimeoutException callers = null; // an enclosing Timeout of the caller: theirs, after the close
        try {
            if (records.handshakeDone && tcp.isOpen() && !engine.isOutboundDone() && inFiber()) {
                Lock.Held o = outbound.tryLock(Duration.ZERO);
                if (o != null) {
                    try (o; Timeout t = Timeout.after(Duration.ofMillis(CLOSE_NOTIFY_MILLIS))) {
                        try {
                            records.sendCloseNotify();
                            lingerUntilThePeerCloses();
                        } catch (FiberTimeoutException e) {
                            if (!e.is(t)) {
                                callers = e;
                            }
                        }
                    } catch (IOException | RuntimeException peerGoneOrTooSlow) {
                        // the peer sees a TCP close without close_notify, or we stop waiting for its close
                    }
                }
            }
        } finally {
            tcp.close();
        }
        if (callers != null) {
            throw callers;
        }
    }

    /**
     * After close_notify: half-close TCP and discard what the peer still sends until it closes (or
     * the close limit passes). Closing with unread bytes in the kernel's receive queue makes Linux
     * answer with a reset, and a reset makes the peer's kernel drop what it had received but not yet
     * read: the tail of our last response would be lost (seen with curl, whose answers to our TLS 1.3
     * KeyUpdates were still arriving). Skipped when another fiber is reading: it sees the close.
     */
    private void lingerUntilThePeerCloses() throws IOException {
        Lock.Held i = inbound.tryLock(Duration.ZERO);
        if (i == null) {
            return;
        }
        try (i) {
            tcp.shutdownOutput();
            records.discardUntilEnd();
        }
    }

    private static boolean inFiber() {
        try {
            Fiber.current();
            return true;
        } catch (IllegalStateException notInAFiber) {
            return false;
        }
    }

    private void ensureOpen() throws TlsClosedException {
        if (closed || !tcp.isOpen()) {
            throw new TlsClosedException(this + " is closed");
        }
    }

    // ---------------------------------------------------------------- one reader, one writer

    private Fiber<?> enter(boolean reading) throws TlsClosedException {
        if (Thread.currentThread() != hub.thread()) { // first: from another hub's fiber, touch nothing (issue 23, item 3)
            throw new dev.weft.hub.WrongThreadException(toString(), hub.thread(), Thread.currentThread(),
                    "Use a socket only in fibers of the hub that opened it.");
        }
        Fiber<?> me = Fiber.current();
        Fiber<?> owner = reading ? reader : writer;
        if (owner != null && owner != me) {
            String doing = reading ? "reading" : "writing";
            throw new IllegalStateException("fiber " + owner + " is already " + doing + " " + this + "; fiber " + me
                    + " cannot " + (reading ? "read" : "write") + " it at the same time (data would interleave)."
                    + " Let one fiber own each direction and hand it work through a Queue.");
        }
        if (closed) {
            throw new TlsClosedException(this + " is closed");
        }
        if (reading) {
            reader = me;
        } else {
            writer = me;
        }
        return owner;
    }

    private void exit(boolean reading, Fiber<?> previous) {
        if (reading) {
            reader = previous;
        } else {
            writer = previous;
        }
    }

    // ---------------------------------------------------------------- state

    /** The underlying TCP socket (for options such as TCP_NODELAY; reading or writing it directly corrupts the TLS stream). */
    public TcpSocket tcp() {
        return tcp;
    }

    /** The negotiated session: protocol ({@code TLSv1.3}), cipher suite, peer certificates. */
    @Override
    public SSLSession session() {
        return engine.getSession();
    }

    /** The engine (for what this class does not expose); do not wrap or unwrap with it. */
    public SSLEngine engine() {
        return engine;
    }

    /** The protocol ALPN agreed on ({@code "h2"}, {@code "http/1.1"}), or null if none was negotiated. */
    public String applicationProtocol() {
        String p = engine.getApplicationProtocol();
        return p == null || p.isEmpty() ? null : p;
    }

    /** The negotiated TLS version, {@code "TLSv1.3"} or {@code "TLSv1.2"}. */
    public String protocol() {
        return engine.getSession().getProtocol();
    }

    /** The per-call limit of the underlying socket; null or zero for none. */
    @Override
    public void setTimeout(Duration timeout) {
        tcp.setTimeout(timeout);
    }

    /** The per-call limit, or null. */
    @Override
    public Duration timeout() {
        return tcp.timeout();
    }

    /** The peer's address. */
    @Override
    public InetSocketAddress remoteAddress() throws IOException {
        return tcp.remoteAddress();
    }

    /** The local address. */
    @Override
    public InetSocketAddress localAddress() throws IOException {
        return tcp.localAddress();
    }

    /**
     * Stops reading: later reads return what was already decrypted, then -1; what the peer still
     * sends is not decrypted. TLS has no message for it: the TCP input is shut down and the peer
     * learns nothing until it writes.
     */
    @Override
    public void shutdownInput() throws IOException {
        Fiber<?> me = enter(true);
        try (Lock.Held i = inbound.lock()) {
            ensureOpen();
            records.inboundDone = true;
            tcp.shutdownInput();
        } finally {
            exit(true, me);
        }
    }

    /** Sets an option of the TCP socket underneath (TCP_NODELAY, SO_KEEPALIVE ...). */
    @Override
    public <T> TlsSocket setOption(SocketOption<T> option, T value) throws IOException {
        tcp.setOption(option, value);
        return this;
    }

    /** Reads an option of the TCP socket underneath. */
    @Override
    public <T> T getOption(SocketOption<T> option) throws IOException {
        return tcp.getOption(option);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return tcp.supportedOptions();
    }

    /** The hub that opened the TCP socket: its fibers may use this one. Any thread. */
    @Override
    public Hub hub() {
        return hub;
    }

    /** Whether wrapped bytes wait to be sent (session tickets held back for the first response); for tests. */
    boolean outputWaiting() {
        return records.hasPendingOutput();
    }

    /** Whether the peer has sent close_notify, or {@link #shutdownInput()} was called (reads return -1). */
    public boolean isInputShutdown() {
        return records.inboundDone;
    }

    @Override
    public boolean isOpen() {
        return !closed && tcp.isOpen();
    }

    private String peer() {
        return records.peer();
    }

    @Override
    public String toString() {
        if (name == null) {
            name = "TlsSocket(" + (engine.getUseClientMode() ? "client" : "server") + ", " + tcp + ")";
        }
        return name;
    }
}
