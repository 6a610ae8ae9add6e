package dev.weft.tls;

import dev.weft.fibers.Event;
import dev.weft.fibers.Lock;
import dev.weft.fibers.Timeout;
import dev.weft.tls.internal.HandshakeTurn;
import dev.weft.sockets.TcpSocket;
import dev.weft.tls.internal.DelegatedTasks;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * A TLS connection's records: its {@link SSLEngine} and three buffers (wire bytes read and not yet
 * unwrapped, wire bytes wrapped and not yet sent, plaintext unwrapped and not yet returned), the
 * wraps, unwraps, reads and writes that move bytes between them and the TCP socket, and what the
 * protocol makes of an unwrap (the handshake's steps, replies owed to the peer, a refused
 * renegotiation). {@link TlsSocket} is the API over it: ownership, timeouts, closing.
 *
 * <p>The input buffers start small and grow when a record needs more (most handshake and request
 * records are small; during a burst of new connections every live byte of them is copied by each
 * young collection, and 16 KiB of plaintext buffer per connection made those pauses 4x Netty's).
 * The plaintext buffer is allocated only after the handshake (which unwraps none), and a server's
 * wire buffer is the one its ClientHello was read into.
 * The engine wraps only into the room of a whole packet; the output buffer holds two, so that a
 * handshake flight's records go out in one write.
 *
 * <p>Thread rule: the connection's fibers, under {@link TlsSocket}'s locks: the reading side
 * ({@link #unwrap}, {@link #fill}, the plaintext) under its inbound lock, the writing side ({@link
 * #wrap}, {@link #wrapAndFlush}, {@link #flush}) under its outbound lock.
 */
final class TlsRecords {
    static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    /** The wire buffer's first size (also the server's ClientHello buffer, which becomes it). */
    static final int INITIAL_NET_IN = 4096;
    private static final int INITIAL_APP_IN = 2048;

    private final SSLEngine engine;
    private final TcpSocket tcp;
    private final DelegatedTasks tasks;
    /** Held by whoever unwraps: the reader, the handshake, a writer helping a renegotiation. Taken before {@link #outbound}. */
    final Lock inbound = new Lock();
    /** Held by whoever wraps and sends. */
    final Lock outbound = new Lock();
    /** Set whenever an unwrap moved the handshake on; a writer waiting for the reader's progress waits on it. */
    final Event inboundProgress = new Event();
    /** The handshake is complete (set by {@link TlsSocket}, under both locks). */
    boolean handshakeDone;
    /** The peer sent close_notify, or the stream ended. */
    boolean inboundDone;
    /** Wire bytes read, not yet unwrapped; write mode (position = end of data). */
    private ByteBuffer netIn;
    /** Wire bytes wrapped, not yet sent; read mode (position..limit = pending). */
    private ByteBuffer netOut;
    /** Plaintext unwrapped, not yet returned; read mode. */
    private ByteBuffer appIn;

    TlsRecords(SSLEngine engine, TcpSocket tcp, DelegatedTasks tasks, ByteBuffer alreadyRead) {
        this.engine = engine;
        this.tcp = tcp;
        this.tasks = tasks;
        if (alreadyRead != null && alreadyRead.isDirect() && alreadyRead.capacity() >= INITIAL_NET_IN) {
            this.netIn = alreadyRead.compact(); // the server's ClientHello buffer becomes the wire buffer: no copy
        } else {
            this.netIn = ByteBuffer.allocateDirect(Math.max(INITIAL_NET_IN, alreadyRead == null ? 0 : alreadyRead.remaining()));
            if (alreadyRead != null) {
                netIn.put(alreadyRead);
            }
        }
        this.netOut = ByteBuffer.allocateDirect(2 * engine.getSession().getPacketBufferSize()).flip();
        this.appIn = ByteBuffer.allocate(0); // the handshake unwraps no plaintext: allocated at the first record after it
    }

    // ---------------------------------------------------------------- inbound

    /** Plaintext bytes unwrapped and not yet returned. */
    int plaintext() {
        return appIn.remaining();
    }

    /** Moves buffered plaintext into {@code dst}; returns how much. */
    int drainPlaintext(ByteBuffer dst) {
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

    /** Whether part of a record has been read and not yet unwrapped. */
    boolean midRecord() {
        return netIn.position() > 0;
    }

    /** Makes room for a whole record's plaintext after what is buffered. */
    void ensurePlaintextRoom() {
        if (appIn.capacity() - appIn.remaining() < engine.getSession().getApplicationBufferSize()) {
            growAppIn();
        }
    }

    /**
     * One unwrap of what has been read into {@code dst}, or into the plaintext buffer when {@code dst}
     * is null. Grows the buffers when the engine asks (the caller then reads more or retries).
     *
     * @return the engine's result, or null when nothing has been read
     */
    SSLEngineResult unwrap(ByteBuffer dst) throws SSLException {
        if (netIn.position() == 0) {
            return null;
        }
        boolean intoAppIn = dst == null;
        if (intoAppIn && handshakeDone && appIn.capacity() == 0) {
            appIn = ByteBuffer.allocate(INITIAL_APP_IN).flip();
        }
        ByteBuffer target = intoAppIn ? appIn.compact() : dst;
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
        if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW) {
            int packet = engine.getSession().getPacketBufferSize();
            if (netIn.capacity() < packet) {
                netIn = ByteBuffer.allocateDirect(packet).put(netIn.flip());
            }
        } else if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW && intoAppIn) {
            growAppIn();
        }
        return r;
    }

    /** Reads more wire bytes; -1 at end of stream. Blocks the calling fiber until some arrive. */
    int fill() throws IOException {
        if (!netIn.hasRemaining()) {
            netIn = ByteBuffer.allocateDirect(netIn.capacity() * 2).put(netIn.flip());
        }
        return tcp.read(netIn);
    }

    /** Reads and drops what the peer sends until it closes (the lingering part of a close). */
    void discardUntilEnd() throws IOException {
        netIn.clear();
        while (tcp.read(netIn.clear()) >= 0) {
            // discard
        }
    }

    private void growAppIn() {
        ByteBuffer bigger = ByteBuffer.allocate(appIn.remaining() + engine.getSession().getApplicationBufferSize());
        appIn = bigger.put(appIn).flip();
    }

    // ---------------------------------------------------------------- outbound

    /** Whether wrapped bytes wait to be sent (what a timed-out write left). */
    boolean hasPendingOutput() {
        return netOut.hasRemaining();
    }

    /**
     * Sends the wrapped bytes that wait. During the handshake, if the peer does not take them at once
     * (its window is full), the hub's {@link HandshakeTurn} is given up while they wait: a peer that
     * does not read must not hold every other handshake of the hub back.
     */
    void flush() throws IOException {
        if (!netOut.hasRemaining()) {
            return;
        }
        HandshakeTurn turn = handshakeDone ? null : HandshakeTurn.ofThisHub();
        if (turn == null || !turn.isHeld()) {
            tcp.writeAll(netOut);
            return;
        }
        Duration own = tcp.timeout();
        tcp.setTimeout(Duration.ZERO); // zero = do not wait for the peer: what fits now, else SocketTimeoutException
        try {
            tcp.writeAll(netOut);
            return;
        } catch (SocketTimeoutException wouldWait) {
            // the rest waits for the peer, without the turn
        } finally {
            tcp.setTimeout(own);
        }
        turn.give();
        try {
            tcp.writeAll(netOut);
        } finally {
            turn.takeToContinue(); // the peer took our bytes: this handshake goes on
        }
    }

    /**
     * Wraps {@code src} behind what waits in the output buffer (a deferred session ticket), so that
     * both go out in one write; sends what waits first when a whole packet would not fit behind it.
     */
    SSLEngineResult wrapAfterPending(ByteBuffer src) throws IOException {
        if (netOut.hasRemaining() && netOut.capacity() - netOut.remaining() >= engine.getSession().getPacketBufferSize()) {
            SSLEngineResult r = wrapBehindPending(src);
            if (r.getStatus() != SSLEngineResult.Status.BUFFER_OVERFLOW) {
                return r;
            }
        }
        flush();
        return wrap(src);
    }

    /**
     * Sends what waits in the output buffer before the reader waits for input (a deferred session
     * ticket), unless a writer is sending: then it goes out with the writer's bytes. Holds {@link #inbound}.
     */
    void flushBeforeWaiting() throws IOException {
        if (!netOut.hasRemaining()) {
            return;
        }
        Lock.Held o = outbound.tryLock(Duration.ZERO);
        if (o != null) {
            try (o) {
                flush();
            }
        }
    }

    /** Wraps {@code src} into the output buffer, which must be empty, growing it if the engine asks. */
    SSLEngineResult wrap(ByteBuffer src) throws SSLException {
        while (true) {
            netOut.limit(0); // empty
            SSLEngineResult r = wrapBehindPending(src);
            if (r.getStatus() != SSLEngineResult.Status.BUFFER_OVERFLOW) {
                return r;
            }
            netOut = ByteBuffer.allocateDirect(Math.max(netOut.capacity() * 2, engine.getSession().getPacketBufferSize())).flip();
        }
    }

    /** One wrap of {@code src} behind what the output buffer holds. */
    private SSLEngineResult wrapBehindPending(ByteBuffer src) throws SSLException {
        netOut.compact();
        try {
            return engine.wrap(src, netOut);
        } finally {
            netOut.flip();
        }
    }

    /**
     * Wraps what the engine has to send (a handshake flight, a post-handshake reply) record after
     * record, running the tasks a wrap asks for ({@code handshaking}: where the policy says), and
     * sends it in one write: one TCP segment for a flight, not one per record (the peer then wakes
     * once).
     */
    SSLEngineResult wrapAndFlush(boolean handshaking) throws IOException {
        SSLEngineResult r = wrapAll(handshaking);
        flush();
        return r;
    }

    /** {@link #wrapAndFlush} without the final flush: what it wraps waits in the output buffer. */
    private SSLEngineResult wrapAll(boolean handshaking) throws IOException {
        SSLEngineResult r;
        do {
            r = wrapAppend();
            if (r.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
                tasks.runAll(engine, handshaking);
            }
        } while (r.getStatus() == SSLEngineResult.Status.OK && r.bytesProduced() > 0
                && engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP);
        return r;
    }

    /**
     * A TLS 1.3 server whose client has sent data right behind its Finished (the usual case: a
     * client sends its request without waiting for the server): what the engine wraps now (its
     * session tickets, which the client does not wait for) stays in the output buffer and goes out
     * with the first response, in one write, or before the connection waits for input or closes
     * ({@link #flushBeforeWaiting}, {@link #wrapAfterPending}, {@link #sendCloseNotify}).
     */
    private boolean ticketsBehindWhichDataWaits() {
        if (engine.getUseClientMode() || netIn.position() == 0) {
            return false;
        }
        javax.net.ssl.SSLSession hs = engine.getHandshakeSession();
        return "TLSv1.3".equals(hs != null ? hs.getProtocol() : engine.getSession().getProtocol());
    }

    /** Wraps after what the output buffer holds, sending that first if a whole packet would not fit. */
    private SSLEngineResult wrapAppend() throws IOException {
        int packet = engine.getSession().getPacketBufferSize();
        while (true) {
            if (netOut.capacity() - netOut.remaining() < packet) {
                flush();
                if (netOut.capacity() < packet) {
                    netOut = ByteBuffer.allocateDirect(packet).flip();
                }
            }
            SSLEngineResult r = wrapBehindPending(EMPTY);
            if (r.getStatus() != SSLEngineResult.Status.BUFFER_OVERFLOW) {
                return r;
            }
            if (netOut.hasRemaining()) {
                flush();
            } else {
                netOut = ByteBuffer.allocateDirect(Math.max(netOut.capacity() * 2, packet)).flip();
            }
        }
    }

    /** Sends what waits, then {@code close_notify}. Blocks the calling fiber until sent. */
    void sendCloseNotify() throws IOException {
        flush();
        engine.closeOutbound();
        while (!engine.isOutboundDone()) {
            SSLEngineResult r = wrap(EMPTY);
            flush();
            if (r.getStatus() == SSLEngineResult.Status.CLOSED && !netOut.hasRemaining() && r.bytesProduced() == 0) {
                break;
            }
        }
    }

    /**
     * After the engine refused the handshake it holds an alert for the peer (bad_certificate,
     * no_application_protocol, ...): sends it if that needs no waiting (100 ms at most), so the peer
     * learns why. Never throws.
     */
    void sendAlertQuietly() {
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

    // ---------------------------------------------------------------- the protocol, under the locks

    /** What one unwrap did. */
    enum Progress { MOVED, NEED_INPUT, CLOSED }

    /**
     * One unwrap of what has been read into {@code dst} (null: the plaintext buffer). Handles what the
     * engine then needs. Holds {@link #inbound}.
     */
    Progress unwrapOnce(ByteBuffer dst) throws IOException {
        SSLEngineResult r = unwrap(dst);
        if (r == null) {
            return Progress.NEED_INPUT;
        }
        if (r.bytesConsumed() > 0 && r.getHandshakeStatus() != HandshakeStatus.NOT_HANDSHAKING) {
            inboundProgress.set();
        }
        switch (r.getStatus()) {
            case BUFFER_UNDERFLOW -> {
                return Progress.NEED_INPUT;
            }
            case BUFFER_OVERFLOW -> {
                return Progress.MOVED; // the caller retries (into the plaintext buffer if it used its own)
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
                sendAlertQuietly();
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
                    SSLEngineResult r = wrapAndFlush(!handshakeDone);
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

    /** The handshake's steps, in the hub's {@link HandshakeTurn}, which is given up while the peer is waited for. */
    void driveHandshake(HandshakeTurn turn) throws IOException {
        while (true) {
            HandshakeStatus hs = engine.getHandshakeStatus();
            switch (hs) {
                case NEED_WRAP -> {
                    SSLEngineResult r = ticketsBehindWhichDataWaits() ? wrapAll(true) : wrapAndFlush(true);
                    if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                        throw new SSLHandshakeException("the TLS engine closed during the handshake with " + peer());
                    }
                }
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    Progress p = unwrapOnce(null);
                    if (p == Progress.CLOSED) {
                        throw new SSLHandshakeException("the peer " + peer() + " closed TLS (close_notify) during the handshake");
                    }
                    if (p == Progress.NEED_INPUT) {
                        int n;
                        turn.give();
                        try {
                            n = fill();
                        } finally {
                            turn.takeToContinue();
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
                    if (!ticketsBehindWhichDataWaits()) {
                        flush();
                    }
                    return;
                }
            }
        }
    }

    /** The peer's address, for messages ("?" once the socket no longer knows it). */
    String peer() {
        try {
            return String.valueOf(tcp.remoteAddress());
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }
}
