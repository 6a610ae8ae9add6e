package dev.weft.tls;

import dev.weft.fibers.Event;
import dev.weft.fibers.Fiber;
import dev.weft.fibers.FiberTimeoutException;
import dev.weft.fibers.Hub;
import dev.weft.fibers.Lock;
import dev.weft.fibers.Timeout;
import dev.weft.sockets.SocketClosedException;
import dev.weft.sockets.TcpSocket;
import dev.weft.tls.internal.DelegatedTasks;
import dev.weft.tls.internal.HandshakeTurn;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.time.Duration;
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
 */
public final class TlsSocket implements ByteChannel {
    /** How long {@link #close()} waits for room to send close_notify. */
    static final long CLOSE_NOTIFY_MILLIS = 1000;
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    /** The first sizes of the input buffers (wire bytes, plaintext); they grow when a record needs more. */
    private static final int INITIAL_NET_IN = 4096;
    private static final int INITIAL_APP_IN = 2048;

    private final Hub hub;
    private final TcpSocket tcp;
    private final SSLEngine engine;
    private final Duration handshakeTimeout;
    private final DelegatedTasks tasks;
    private final String name;
    /** Wire bytes read, not yet unwrapped; write mode (position = end of data). */
    private ByteBuffer netIn;
    /** Wire bytes wrapped, not yet sent; read mode (position..limit = pending). */
    private ByteBuffer netOut;
    /** Plaintext unwrapped, not yet returned; read mode. */
    private ByteBuffer appIn;
    /** Held by whoever unwraps: the reader, the handshake, a writer helping a renegotiation. Taken before {@link #outbound}. */
    private final Lock inbound = new Lock();
    /** Held by whoever wraps and sends. */
    private final Lock outbound = new Lock();
    /** Set whenever an unwrap moved the handshake on; a writer waiting for the reader's progress waits on it. */
    private final Event inboundProgress = new Event();
    private Fiber<?> reader;
    private Fiber<?> writer;
    private boolean handshakeDone;
    private IOException handshakeFailure;
    private boolean inboundDone;
    private boolean closed;
    private InputStream in;
    private OutputStream out;

    TlsSocket(TcpSocket tcp, SSLEngine engine, ByteBuffer alreadyRead, Duration handshakeTimeout, DelegatedTasks tasks) {
        this.hub = Hub.current();
        this.tcp = tcp;
        this.engine = engine;
        this.handshakeTimeout = handshakeTimeout;
        this.tasks = tasks;
        SSLSession session = engine.getSession();
        // The input buffers start small and grow to the record sizes when a record needs it: most
        // handshake and request records are small, and during a burst of new connections every
        // live byte here is copied by each young collection (16 KiB of plaintext buffer per
        // connection made those pauses 4x Netty's). The engine wraps only into a whole packet's room.
        this.netIn = ByteBuffer.allocateDirect(Math.max(INITIAL_NET_IN, alreadyRead == null ? 0 : alreadyRead.remaining()));
        if (alreadyRead != null) {
            netIn.put(alreadyRead);
        }
        this.netOut = ByteBuffer.allocateDirect(2 * session.getPacketBufferSize()).flip(); // a flight's records, then one write
        this.appIn = ByteBuffer.allocate(INITIAL_APP_IN).flip();
        this.name = "TlsSocket(" + (engine.getUseClientMode() ? "client" : "server") + ", " + tcp + ")";
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
        if (handshakeDone) {
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
        if (handshakeDone) {
            return;
        }
        if (handshakeFailure != null) {
            throw handshakeFailure;
        }
        try (Lock.Held i = inbound.lock(); Lock.Held o = outbound.lock()) {
            if (handshakeDone) {
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
                driveHandshake(turn);
                if (inboundDone || engine.isInboundDone() || engine.isOutboundDone()
                        || "SSL_NULL_WITH_NULL_NULL".equals(engine.getSession().getCipherSuite())) {
                    // The engine reports NOT_HANDSHAKING once closed, e.g. by the peer's alert.
                    throw new SSLHandshakeException("the peer " + peer() + " ended the TLS handshake before it completed"
                            + " (an alert or close_notify): it may have refused our certificate (not trusted, or"
                            + " issued for another host name than the one it asked for)");
                }
                handshakeDone = true;
                ok = true;
            } catch (FiberTimeoutException e) {
                if (limit == null || !e.is(limit)) {
                    throw e;
                }
                handshakeFailure = new SocketTimeoutException("TLS handshake with " + peer() + " did not finish within "
                        + handshakeTimeout.toMillis() + " ms (the handshake timeout); the connection was closed");
                throw handshakeFailure;
            } catch (SSLException e) {
                handshakeFailure = explain(e);
                sendAlert();
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

    /** The handshake's steps, in the hub's {@link HandshakeTurn}, which is given up while the peer is waited for. */
    private void driveHandshake(HandshakeTurn turn) throws IOException {
        while (true) {
            HandshakeStatus hs = engine.getHandshakeStatus();
            switch (hs) {
                case NEED_WRAP -> {
                    if (wrapAndFlush(EMPTY).getStatus() == SSLEngineResult.Status.CLOSED) {
                        throw new SSLHandshakeException("the TLS engine closed during the handshake with " + peer());
                    }
                }
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    Progress p = unwrapOnce(appInForWriting());
                    if (p == Progress.CLOSED) {
                        throw new SSLHandshakeException("the peer " + peer() + " closed TLS (close_notify) during the handshake");
                    }
                    if (p == Progress.NEED_INPUT) {
                        int n;
                        turn.give();
                        try {
                            n = fill();
                        } finally {
                            turn.take();
                        }
                        if (n < 0) {
                            throw new SSLHandshakeException("the peer " + peer()
                                    + " closed the connection during the TLS handshake (it may have refused our"
                                    + " certificate, protocol versions or cipher suites; see its logs)");
                        }
                    }
                }
                case NEED_TASK -> tasks.runAll(engine, true);
                case FINISHED, NOT_HANDSHAKING -> {
                    if (netOut.hasRemaining()) {
                        tcp.writeAll(netOut);
                    }
                    return;
                }
            }
        }
    }

    /**
     * After the engine refused the handshake it holds an alert for the peer (bad_certificate,
     * no_application_protocol, ...): send it if that needs no waiting, so the peer learns why.
     */
    private void sendAlert() {
        try {
            engine.closeOutbound();
            for (int i = 0; i < 4 && !engine.isOutboundDone(); i++) {
                if (netOut.hasRemaining()) {
                    break;
                }
                wrap(EMPTY);
                if (netOut.hasRemaining()) {
                    try (Timeout t = Timeout.after(Duration.ofMillis(100))) {
                        tcp.writeAll(netOut);
                    }
                }
            }
        } catch (IOException | RuntimeException bestEffort) {
            // the peer sees the connection close without the alert
        }
    }

    private SSLHandshakeException explain(SSLException e) {
        String msg = e.getMessage() == null ? e.toString() : e.getMessage();
        String hint = "";
        if (msg.contains("No subject alternative") || msg.contains("No name matching")) {
            hint = " (the certificate does not name the host we connected to: connect with the name it was issued"
                    + " for, or fix the certificate's subjectAltName)";
        } else if (msg.contains("PKIX path") || msg.contains("unable to find valid certification path")) {
            hint = " (the peer's certificate is not trusted: give the SSLContext a trust store holding its CA)";
        } else if (msg.contains("Unsupported or unrecognized SSL message")) {
            hint = " (the peer is not speaking TLS: a plaintext client or server on this port?)";
        } else if (msg.contains("no_application_protocol") || msg.contains("No matching application protocol")) {
            hint = " (ALPN: no application protocol in common; we offered "
                    + java.util.Arrays.toString(engine.getSSLParameters().getApplicationProtocols()) + ")";
        } else if (msg.contains("protocol") && msg.contains("not") || msg.contains("No appropriate protocol")) {
            hint = " (no TLS version in common: check both sides' enabled protocols)";
        }
        SSLHandshakeException x = new SSLHandshakeException("TLS handshake with " + peer() + " failed: " + msg + hint);
        x.initCause(e);
        return x;
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
                    if (appIn.hasRemaining()) {
                        return drainAppIn(dst);
                    }
                    if (inboundDone) {
                        return -1;
                    }
                    boolean direct = dst.remaining() >= engine.getSession().getApplicationBufferSize();
                    int before = dst.position();
                    Progress p = unwrapOnce(direct ? dst : appInForWriting());
                    if (direct && dst.position() > before) {
                        return dst.position() - before;
                    }
                    if (p == Progress.NEED_INPUT && fill() < 0) {
                        return endOfStream();
                    }
                }
            }
        } finally {
            exit(true, me);
        }
    }

    /** {@link #read(ByteBuffer)} into an array. */
    public int read(byte[] b, int off, int len) throws IOException {
        return read(ByteBuffer.wrap(b, off, len));
    }

    /**
     * Reads until {@code dst} is full.
     *
     * @throws EOFException if the stream ends first (what was read stays in {@code dst})
     */
    public void readFully(ByteBuffer dst) throws IOException {
        while (dst.hasRemaining()) {
            if (read(dst) < 0) {
                throw new EOFException("end of stream after " + dst.position() + " bytes, " + dst.remaining()
                        + " more expected, on " + this);
            }
        }
    }

    /** Plaintext bytes already decrypted and buffered: a read of this many returns without waiting. */
    public int available() {
        return appIn.remaining();
    }

    private int drainAppIn(ByteBuffer dst) {
        int n = Math.min(dst.remaining(), appIn.remaining());
        if (n == appIn.remaining()) {
            dst.put(appIn);
        } else {
            int limit = appIn.limit();
            appIn.limit(appIn.position() + n);
            dst.put(appIn);
            appIn.limit(limit);
        }
        return n;
    }

    private int endOfStream() throws IOException {
        if (inboundDone) {
            return -1;
        }
        try {
            engine.closeInbound();
        } catch (SSLException expected) {
            // "closing inbound before receiving peer's close_notify": that is what we report below
        }
        inboundDone = true;
        throw new TlsTruncatedException("the peer " + peer() + " closed the TCP connection without TLS close_notify"
                + (netIn.position() > 0 ? ", in the middle of a record" : "")
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
                    if (netOut.hasRemaining()) {
                        tcp.writeAll(netOut); // what a timed-out write left
                    }
                    SSLEngineResult r = wrap(src);
                    consumed = r.bytesConsumed();
                    if (r.getStatus() == SSLEngineResult.Status.CLOSED && consumed == 0) {
                        throw new TlsClosedException(this + ": TLS output is closed (close_notify was sent); cannot write");
                    }
                    if (netOut.hasRemaining()) {
                        tcp.writeAll(netOut);
                    }
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

    /**
     * Writes all of {@code src}. The socket's timeout applies to each wait, not to the whole call;
     * on a timeout, {@code src}'s position says how much was taken.
     */
    public void writeAll(ByteBuffer src) throws IOException {
        while (src.hasRemaining()) {
            write(src);
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
            inboundProgress.clear();
            inboundProgress.await();
            return;
        }
        try (Lock.Held i = inbound.lock()) {
            if (appIn.capacity() - appIn.remaining() < engine.getSession().getApplicationBufferSize()) {
                growAppIn();
            }
            if (unwrapOnce(appInForWriting()) == Progress.NEED_INPUT && fill() < 0) {
                endOfStream();
            }
        }
    }

    // ---------------------------------------------------------------- the engine, under the locks

    private enum Progress { MOVED, NEED_INPUT, CLOSED }

    /**
     * One unwrap of what {@code netIn} holds into {@code target} (write mode for this call; appIn's
     * read mode is restored). Handles what the engine then needs. Holds {@link #inbound}.
     */
    private Progress unwrapOnce(ByteBuffer target) throws IOException {
        boolean intoAppIn = target == appIn;
        if (netIn.position() == 0) {
            if (intoAppIn) {
                appIn.flip();
            }
            return Progress.NEED_INPUT;
        }
        SSLEngineResult r;
        netIn.flip();
        try {
            r = engine.unwrap(netIn, target);
        } finally {
            netIn.compact();
            if (intoAppIn) {
                appIn.flip();
            }
        }
        if (r.bytesConsumed() > 0 && r.getHandshakeStatus() != HandshakeStatus.NOT_HANDSHAKING) {
            inboundProgress.set();
        }
        switch (r.getStatus()) {
            case BUFFER_UNDERFLOW -> {
                int packet = engine.getSession().getPacketBufferSize();
                if (netIn.capacity() < packet) {
                    netIn = ByteBuffer.allocateDirect(packet).put(netIn.flip());
                }
                return Progress.NEED_INPUT;
            }
            case BUFFER_OVERFLOW -> {
                if (intoAppIn) {
                    growAppIn();
                }
                return Progress.MOVED; // the caller retries (into appIn if it used its own buffer)
            }
            case CLOSED -> {
                inboundDone = true;
                inboundProgress.set();
                afterUnwrap(r.getHandshakeStatus(), true);
                return Progress.CLOSED;
            }
            default -> {
                if (handshakeDone && r.getHandshakeStatus() != HandshakeStatus.NOT_HANDSHAKING && renegotiationRefused()) {
                    throw refuseRenegotiation();
                }
                afterUnwrap(r.getHandshakeStatus(), false);
                return Progress.MOVED;
            }
        }
    }

    /**
     * A server refuses a TLS 1.2 renegotiation the client starts (a ClientHello after the handshake):
     * each one is a full handshake, and its tasks would run on the hub after the first handshake. A
     * TLS 1.3 peer's post-handshake messages (KeyUpdate) are no handshake and are answered.
     */
    private boolean renegotiationRefused() {
        return !engine.getUseClientMode() && !"TLSv1.3".equals(engine.getSession().getProtocol());
    }

    /** Closes the connection (with close_notify when the writer side is free) and says why. Holds {@link #inbound}. */
    private SSLException refuseRenegotiation() {
        Lock.Held o = outbound.tryLock(Duration.ZERO);
        if (o != null) {
            try (o) {
                sendAlert();
            }
        }
        tcp.close();
        return new SSLException("the client " + peer() + " started a TLS " + engine.getSession().getProtocol()
                + " renegotiation; this server refuses client-initiated renegotiation (a full handshake each time,"
                + " a way to spend the server's CPU) and closed the connection");
    }

    /** What an unwrap left for us to do: delegated tasks, or messages to send back (key update, close_notify reply). */
    private void afterUnwrap(HandshakeStatus hs, boolean closing) throws IOException {
        if (hs == HandshakeStatus.NEED_TASK) {
            tasks.runAll(engine, !handshakeDone);
            hs = engine.getHandshakeStatus();
        }
        if (hs == HandshakeStatus.NEED_WRAP && handshakeDone) {
            // A reply the engine owes the peer. The writer may hold outbound while it is parked in a
            // send; then its next wrap carries the reply, and we must not wait for it here.
            Lock.Held o = closing ? outbound.tryLock(Duration.ZERO) : outbound.lock();
            if (o == null) {
                return;
            }
            try (o) {
                while (engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
                    SSLEngineResult r = wrapAndFlush(EMPTY);
                    if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                        break;
                    }
                }
            } catch (IOException e) {
                if (!closing) {
                    throw e;
                }
                // the close_notify reply could not be sent: the peer is gone, nothing to lose
            }
        }
    }

    /** Wraps {@code src} into {@code netOut} (which must be empty), growing it if the engine asks. Holds {@link #outbound}. */
    private SSLEngineResult wrap(ByteBuffer src) throws SSLException {
        while (true) {
            netOut.clear();
            SSLEngineResult r;
            try {
                r = engine.wrap(src, netOut);
            } finally {
                netOut.flip();
            }
            if (r.getStatus() != SSLEngineResult.Status.BUFFER_OVERFLOW) {
                return r;
            }
            netOut = ByteBuffer.allocateDirect(Math.max(netOut.capacity() * 2, engine.getSession().getPacketBufferSize())).flip();
        }
    }

    /**
     * Wraps what the engine has to send (a handshake flight, a post-handshake reply) record after
     * record into {@code netOut}, running the tasks a wrap asks for, and sends it in one write: one
     * TCP segment for a flight, not one per record (the peer then wakes once). Holds {@link #outbound}.
     */
    private SSLEngineResult wrapAndFlush(ByteBuffer src) throws IOException {
        SSLEngineResult r;
        do {
            r = wrapAppend(src);
            if (r.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
                tasks.runAll(engine, !handshakeDone);
            }
        } while (r.getStatus() == SSLEngineResult.Status.OK && r.bytesProduced() > 0
                && engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP);
        if (netOut.hasRemaining()) {
            tcp.writeAll(netOut);
        }
        return r;
    }

    /** Wraps {@code src} after what {@code netOut} holds, sending that first if a whole packet would not fit. Holds {@link #outbound}. */
    private SSLEngineResult wrapAppend(ByteBuffer src) throws IOException {
        int packet = engine.getSession().getPacketBufferSize();
        while (true) {
            if (netOut.capacity() - netOut.remaining() < packet) {
                if (netOut.hasRemaining()) {
                    tcp.writeAll(netOut);
                }
                if (netOut.capacity() < packet) {
                    netOut = ByteBuffer.allocateDirect(packet).flip();
                }
            }
            netOut.compact();
            SSLEngineResult r;
            try {
                r = engine.wrap(src, netOut);
            } finally {
                netOut.flip();
            }
            if (r.getStatus() != SSLEngineResult.Status.BUFFER_OVERFLOW) {
                return r;
            }
            if (!netOut.hasRemaining()) {
                netOut = ByteBuffer.allocateDirect(Math.max(netOut.capacity() * 2, packet)).flip();
            } else {
                tcp.writeAll(netOut);
            }
        }
    }

    /** Reads more wire bytes into netIn; -1 at end of stream. Holds {@link #inbound}. */
    private int fill() throws IOException {
        if (!netIn.hasRemaining()) {
            netIn = ByteBuffer.allocateDirect(netIn.capacity() * 2).put(netIn.flip());
        }
        return tcp.read(netIn);
    }

    /** appIn switched to write mode for an unwrap; {@link #unwrapOnce} flips it back. */
    private ByteBuffer appInForWriting() {
        appIn.compact();
        return appIn;
    }

    private void growAppIn() {
        ByteBuffer bigger = ByteBuffer.allocate(appIn.remaining() + engine.getSession().getApplicationBufferSize());
        appIn = bigger.put(appIn).flip();
    }

    // ---------------------------------------------------------------- closing

    /**
     * Sends {@code close_notify} and half-closes the TCP connection: the peer reads end-of-stream.
     * On TLS 1.3 the peer may go on sending and this side may go on reading; TLS 1.2 has no
     * half-close (the peer answers with its own close_notify). Blocks the calling fiber until sent.
     *
     * @throws SocketTimeoutException if the socket's timeout passes first
     */
    public void shutdownOutput() throws IOException {
        Fiber<?> me = enter(false);
        try (Lock.Held o = outbound.lock()) {
            ensureOpen();
            sendCloseNotify();
            tcp.shutdownOutput();
        } finally {
            exit(false, me);
        }
    }

    private void sendCloseNotify() throws IOException {
        if (netOut.hasRemaining()) {
            tcp.writeAll(netOut);
        }
        engine.closeOutbound();
        while (!engine.isOutboundDone()) {
            SSLEngineResult r = wrap(EMPTY);
            if (netOut.hasRemaining()) {
                tcp.writeAll(netOut);
            }
            if (r.getStatus() == SSLEngineResult.Status.CLOSED && !netOut.hasRemaining() && r.bytesProduced() == 0) {
                break;
            }
        }
    }

    /**
     * Sends {@code close_notify} (when the handshake was done and this fiber can send without waiting
     * for another writer), half-closes TCP and discards what the peer still sends until it closes,
     * at most {@value #CLOSE_NOTIFY_MILLIS} ms in all; then closes the TCP socket; fibers blocked on this socket wake with {@link SocketClosedException}.
     * Idempotent; never throws an {@link IOException} (there is nothing to do about a peer that is
     * gone). A kill that arrives while close_notify is being sent still closes the socket, then
     * propagates. Hub thread; outside a fiber it closes without close_notify.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (handshakeDone && tcp.isOpen() && !engine.isOutboundDone() && inFiber()) {
                Lock.Held o = outbound.tryLock(Duration.ZERO);
                if (o != null) {
                    try (o; Timeout t = Timeout.after(Duration.ofMillis(CLOSE_NOTIFY_MILLIS))) {
                        sendCloseNotify();
                        lingerUntilThePeerCloses();
                    } catch (IOException | RuntimeException peerGoneOrTooSlow) {
                        // the peer sees a TCP close without close_notify, or we stop waiting for its close
                    }
                }
            }
        } finally {
            tcp.close();
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
            netIn.clear();
            while (tcp.read(netIn.clear()) >= 0) {
                // discard
            }
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

    // ---------------------------------------------------------------- views and state

    /** An {@link InputStream} over this socket ({@code available()} counts decrypted bytes; closing it closes the socket). Fibers only. */
    public InputStream inputStream() {
        if (in == null) {
            in = new TlsInputStream(this);
        }
        return in;
    }

    /** An {@link OutputStream} over this socket; writes are {@link #writeAll}; closing it closes the socket. */
    public OutputStream outputStream() {
        if (out == null) {
            out = new TlsOutputStream(this);
        }
        return out;
    }

    /** The underlying TCP socket (for options such as TCP_NODELAY; reading or writing it directly corrupts the TLS stream). */
    public TcpSocket tcp() {
        return tcp;
    }

    /** The negotiated session: protocol ({@code TLSv1.3}), cipher suite, peer certificates. */
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
    public void setTimeout(Duration timeout) {
        tcp.setTimeout(timeout);
    }

    /** The per-call limit, or null. */
    public Duration timeout() {
        return tcp.timeout();
    }

    /** The peer's address. */
    public InetSocketAddress remoteAddress() throws IOException {
        return tcp.remoteAddress();
    }

    /** The local address. */
    public InetSocketAddress localAddress() throws IOException {
        return tcp.localAddress();
    }

    /** Whether the peer has sent close_notify (reads return -1). */
    public boolean isInputShutdown() {
        return inboundDone;
    }

    @Override
    public boolean isOpen() {
        return !closed && tcp.isOpen();
    }

    private String peer() {
        try {
            return String.valueOf(tcp.remoteAddress());
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
