package dev.weft.websocket.internal;

import dev.weft.fibers.Deadlines;
import dev.weft.fibers.Event;
import dev.weft.fibers.Fiber;
import dev.weft.fibers.FiberTimeoutException;
import dev.weft.fibers.Timeout;
import dev.weft.sockets.Connection;
import dev.weft.websocket.CloseCodes;
import dev.weft.websocket.Message;
import dev.weft.websocket.WebSocketClosedException;
import dev.weft.websocket.WebSocketOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The machinery of one WebSocket connection behind {@code dev.weft.websocket.WebSocket}: the reader
 * (frames to messages, automatic pongs, keep-alive pings, the message deadline), the writer (frames
 * through {@link Output}) and the closing handshake, as one state machine: OPEN, CLOSING (a close frame
 * was sent, the peer's is awaited), CLOSED.
 *
 * <p>Thread rule: fibers of the hub that owns the stream. One fiber receives and one fiber sends at
 * a time (a second one gets an {@link IllegalStateException} naming the first); {@link #close} may be
 * called by any fiber, also while others receive and send.
 */
public final class Endpoint {
    private static final int OPEN = 0;
    private static final int CLOSING = 1;
    private static final int CLOSED = 2;
    private static final long NONE = Deadlines.NONE;
    private static final byte[] EMPTY = new byte[0];

    private final Connection stream;
    private final boolean client;
    private final WebSocketOptions options;
    private final FrameParser parser;
    private final FrameEncoder encoder;
    private final Output output;
    private final MessageDeflater deflater;
    private final MessageInflater inflater;
    private final long messageTimeoutNanos;
    private final long pingIntervalNanos;
    private final long pingTimeoutNanos;

    private int state = OPEN;
    /** Once CLOSED: how it ended (each throw is a fresh copy of it). */
    private WebSocketClosedException closed;
    /** The close frame we sent first (CLOSING), for messages. */
    private String closeSent;
    private Fiber<?> reader;
    private Fiber<?> writer;
    /** The fiber of close() while it reads the peer's answer itself (it is then {@link #reader} too). */
    private Fiber<?> closeReader;
    /** Set (and dropped) when the reader leaves receive() and when CLOSED; made when someone waits for that. */
    private Event readerLeft;
    private long lastHeard = Deadlines.now();
    private long pingSentAt = NONE;
    /** When the frame or message under way began to arrive; NONE between messages. */
    private long busySince = NONE;

    /**
     * @param deflate the agreed permessage-deflate parameters, or null when not agreed
     * @param alreadyRead bytes that came with the handshake (may be null)
     */
    public Endpoint(Connection stream, boolean client, WebSocketOptions options, DeflateParameters deflate,
                    ByteBuffer alreadyRead) {
        this.stream = stream;
        this.client = client;
        this.options = options;
        this.encoder = new FrameEncoder(client);
        this.output = new Output(stream);
        if (deflate != null) {
            boolean ourFresh = client ? deflate.clientNoContextTakeover() : deflate.serverNoContextTakeover();
            boolean peerFresh = client ? deflate.serverNoContextTakeover() : deflate.clientNoContextTakeover();
            this.deflater = new MessageDeflater(!ourFresh);
            this.inflater = new MessageInflater(!peerFresh);
        } else {
            this.deflater = null;
            this.inflater = null;
        }
        this.parser = new FrameParser(!client, deflate != null, options.maxMessageSize(), inflater, alreadyRead, 2048);
        this.messageTimeoutNanos = nanos(options.messageTimeout());
        this.pingIntervalNanos = nanos(options.pingInterval());
        this.pingTimeoutNanos = nanos(options.pingTimeout());
    }

    /** A limit in nanoseconds: -1 for none (null, or too long to count), at least 0. */
    private static long nanos(Duration d) {
        if (d == null) {
            return -1;
        }
        try {
            long n = d.toNanos();
            return n >= Long.MAX_VALUE / 4 ? -1 : Math.max(0, n);
        } catch (ArithmeticException tooLong) {
            return d.isNegative() ? 0 : -1;
        }
    }

    // ---------------------------------------------------------------- receiving

    /** {@code WebSocket.receive()}: see its contract. */
    public Message receive() throws IOException {
        while (closeReader != null && reader == closeReader && state != CLOSED) {
            readerLeftEvent().await(); // close() reads the peer's answer; it ends the connection one way or the other
        }
        Fiber<?> me = enterReader();
        try {
            return readLoop(false);
        } finally {
            leaveReader();
        }
    }

    private void leaveReader() {
        reader = null;
        wakeReaderWaiters();
    }

    /** Wakes the fibers waiting for the reader to leave (or the connection to close); the next waiter makes a new event. */
    private void wakeReaderWaiters() {
        Event e = readerLeft;
        if (e != null) {
            readerLeft = null;
            e.set();
        }
    }

    private Event readerLeftEvent() {
        if (readerLeft == null) {
            readerLeft = new Event();
        }
        return readerLeft;
    }

    private Fiber<?> enterReader() {
        Fiber<?> me = Fiber.current();
        if (reader != null && reader != me) {
            throw new IllegalStateException("fiber " + reader + " is already receiving on " + this + "; fiber " + me
                    + " cannot receive at the same time (messages would be split between them). Let one fiber"
                    + " receive and hand the messages on through a Queue.");
        }
        reader = me;
        return me;
    }

    /** Reads until a data message arrives (returned; dropped when {@code discard}) or the connection ends (thrown). */
    private Message readLoop(boolean discard) throws IOException {
        while (true) {
            if (state == CLOSED) {
                throw closedAgain();
            }
            long deadline = deadline();
            Timeout t = deadline == NONE ? null : Timeout.after(Duration.ofNanos(Math.max(0, deadline - Deadlines.now())));
            try {
                Message m = step();
                if (m != null && !discard) {
                    return m;
                }
            } catch (FiberTimeoutException e) {
                if (t == null || !e.is(t)) {
                    throw e;
                }
                onDeadline();
            } finally {
                if (t != null) {
                    t.close();
                }
            }
        }
    }

    /** Works through what is buffered and reads more once; a message, or null to go round again. */
    private Message step() throws IOException {
        try {
            output.flushIfIdle(); // a pong or keep-alive ping that no writer took along yet
        } catch (IOException e) {
            throw lost(e);
        }
        try {
            while (true) {
                int event = parser.next();
                switch (event) {
                    case FrameParser.MESSAGE:
                        busySince = parser.busy() ? Deadlines.now() : NONE;
                        return parser.message();
                    case FrameParser.PING:
                        pong(parser.controlPayload());
                        break;
                    case FrameParser.PONG:
                        break; // liveness was noted when its bytes arrived
                    case FrameParser.CLOSE:
                        throw onCloseFrame(parser.controlPayload());
                    default:
                        if (readMore() == FrameParser.MESSAGE) {
                            busySince = NONE;
                            return parser.message();
                        }
                        return null;
                }
            }
        } catch (ProtocolViolation v) {
            throw fail(v.code(), v.getMessage());
        }
    }

    /** One read: straight into the message for a large payload, else into the input buffer. */
    private int readMore() throws IOException, ProtocolViolation {
        ByteBuffer direct = parser.directTarget();
        int n;
        try {
            if (direct != null) {
                n = stream.read(direct);
            } else {
                ByteBuffer in = parser.input();
                try {
                    n = stream.read(in);
                } finally {
                    parser.inputDone();
                }
            }
        } catch (IOException e) {
            throw lost(e);
        }
        if (n < 0) {
            throw lost(null);
        }
        long now = Deadlines.now();
        lastHeard = now;
        pingSentAt = NONE;
        if (busySince == NONE) {
            busySince = now;
        }
        return direct != null ? parser.directDone(n) : FrameParser.NEED_INPUT;
    }

    private void pong(byte[] payload) throws IOException {
        if (state != OPEN) {
            return; // after our close frame nothing more is sent
        }
        output.commit(encoder.frame(FrameParser.OP_PONG, false, ByteBuffer.wrap(payload), true));
        try {
            output.flushIfIdle();
        } catch (IOException e) {
            throw lost(e);
        }
    }

    /** The earliest of: the message deadline, the next keep-alive ping, the pong deadline. */
    private long deadline() {
        if (!parser.busy()) {
            busySince = NONE;
        }
        long d = NONE;
        if (messageTimeoutNanos >= 0 && busySince != NONE) {
            d = busySince + messageTimeoutNanos;
        }
        if (pingIntervalNanos >= 0) {
            long k = pingSentAt != NONE ? pingSentAt + pingTimeoutNanos : lastHeard + pingIntervalNanos;
            if (d == NONE || k - d < 0) {
                d = k;
            }
        }
        return d;
    }

    private void onDeadline() throws IOException {
        long now = Deadlines.now();
        if (busySince != NONE && messageTimeoutNanos >= 0 && now - (busySince + messageTimeoutNanos) >= 0) {
            throw fail(CloseCodes.POLICY_VIOLATION, "a frame or message did not arrive completely within "
                    + millis(messageTimeoutNanos) + " ms of its first byte (WebSocketOptions.messageTimeout)");
        }
        if (pingIntervalNanos < 0) {
            return;
        }
        if (pingSentAt != NONE) {
            if (now - (pingSentAt + pingTimeoutNanos) >= 0) {
                throw abort("nothing arrived within " + millis(pingTimeoutNanos) + " ms of a keep-alive ping"
                        + " (WebSocketOptions.pingTimeout): the peer or the network is gone; the connection was dropped");
            }
        } else if (now - (lastHeard + pingIntervalNanos) >= 0) {
            pingSentAt = now;
            if (state == OPEN) {
                output.commit(encoder.frame(FrameParser.OP_PING, false, ByteBuffer.wrap(EMPTY), true));
            }
        }
    }

    private static long millis(long nanos) {
        return nanos / 1_000_000;
    }

    /** The peer's close frame: validate it, answer it (if we did not close first), end the connection. */
    private WebSocketClosedException onCloseFrame(byte[] payload) throws IOException {
        int code = CloseCodes.NO_STATUS;
        String reason = "";
        if (payload.length == 1) {
            throw fail(CloseCodes.PROTOCOL_ERROR, "close frame with a 1-byte payload (a code takes 2)");
        }
        if (payload.length >= 2) {
            code = ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
            if (!CloseCodes.isValidOnTheWire(code)) {
                throw fail(CloseCodes.PROTOCOL_ERROR, "close frame with code " + code + ", which is not valid on the wire");
            }
            if (!Utf8Validator.isValid(payload, 2, payload.length - 2)) {
                throw fail(CloseCodes.INVALID_PAYLOAD, "close frame whose reason is not valid UTF-8");
            }
            reason = new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8);
        }
        String status = code + " (" + CloseCodes.describe(code) + ")" + (reason.isEmpty() ? "" : ": " + reason);
        if (state == OPEN) {
            // Echo the code (RFC 6455 section 5.5.1); a close without a code is answered without one.
            byte[] echo = payload.length >= 2 ? new byte[] {payload[0], payload[1]} : EMPTY;
            output.commit(encoder.frame(FrameParser.OP_CLOSE, false, ByteBuffer.wrap(echo), true));
            state = CLOSING;
            return finish(new WebSocketClosedException(code, reason, true, "closed by the peer with " + status, null));
        }
        return finish(new WebSocketClosedException(code, reason, false, "closed: the peer answered our " + closeSent
                + " with " + status, null));
    }

    /** Fails the connection (RFC 6455 section 7.1.7): our close frame with {@code code}, then the end. */
    private WebSocketClosedException fail(int code, String why) throws IOException {
        if (state == OPEN) {
            output.commit(encoder.frame(FrameParser.OP_CLOSE, false, ByteBuffer.wrap(closePayload(code, why)), true));
            state = CLOSING;
        }
        return finish(new WebSocketClosedException(code, "", false, "closed by us with " + code + " ("
                + CloseCodes.describe(code) + "): " + why, null));
    }

    /** Ends the connection after the close frames: flushes ours, lets the peer close, closes. Returns the exception to throw. */
    private WebSocketClosedException finish(WebSocketClosedException how) {
        closed = how;
        state = CLOSED;
        parser.abandon();
        try (Timeout t = Timeout.after(options.closeTimeout())) {
            output.flush();
            // Half-close, then read (and drop) until the peer closes: closing with unread bytes would
            // make the kernel send a reset, which can destroy our close frame before the peer reads it.
            // A server closes first (RFC 6455 section 7.1.1); a client waits for it here.
            stream.shutdownOutput();
            ByteBuffer scratch = parser.input();
            while (stream.read(scratch.clear()) >= 0) {
                // discard
            }
        } catch (FiberTimeoutException | IOException peerSlowOrGone) {
            // the close limit passed, or the peer went: close anyway
        } finally {
            release();
        }
        return closedAgain();
    }

    /** Drops the connection without a close frame (keep-alive failure): 1006. */
    private WebSocketClosedException abort(String why) {
        if (closed == null) {
            closed = new WebSocketClosedException(CloseCodes.ABNORMAL, "", false, why, null);
        }
        state = CLOSED;
        release();
        return closedAgain();
    }

    /** The stream failed or ended without a close frame: 1006 (unless we had closed it ourselves). */
    private WebSocketClosedException lost(IOException cause) {
        if (closed == null) {
            closed = new WebSocketClosedException(CloseCodes.ABNORMAL, "", true, cause == null
                    ? "the peer closed the connection without a close frame (1006, abnormal closure)"
                    : "the connection failed without a close frame (1006, abnormal closure): " + cause, cause);
        }
        state = CLOSED;
        release();
        return closedAgain();
    }

    private void release() {
        stream.close();
        if (deflater != null) {
            deflater.end();
        }
        if (inflater != null) {
            inflater.end();
        }
        wakeReaderWaiters();
    }

    private WebSocketClosedException closedAgain() {
        WebSocketClosedException c = closed;
        return new WebSocketClosedException(c.code(), c.reason(), c.byPeer(), c.getMessage(), c.getCause());
    }

    // ---------------------------------------------------------------- sending

    /** {@code WebSocket.send}: a data message (text: {@code payload} is its UTF-8). {@code owned}: the payload is ours to keep. */
    public void sendData(boolean text, ByteBuffer payload, boolean owned) throws IOException {
        Fiber<?> me = enterWriter();
        try {
            ensureOpen();
            write(List.of(dataFrame(text, payload, owned)));
        } finally {
            writer = null;
        }
    }

    /**
     * {@code WebSocket.send(List<PreparedMessage>)}: the prepared frames as they are on a server
     * connection without compression, each message encoded here otherwise; all committed, then written.
     */
    public void sendPrepared(List<PreparedFrame> messages) throws IOException {
        Fiber<?> me = enterWriter();
        try {
            ensureOpen();
            List<FrameEncoder.Frame> frames = new ArrayList<>(messages.size());
            for (PreparedFrame m : messages) {
                frames.add(client || deflater != null ? dataFrame(m.text(), m.payload().duplicate(), true)
                        : new FrameEncoder.Frame(m.serverFrame().duplicate(), null, false));
            }
            write(frames);
        } finally {
            writer = null;
        }
    }

    /** The frame of one data message, compressed when permessage-deflate was agreed. */
    private FrameEncoder.Frame dataFrame(boolean text, ByteBuffer payload, boolean owned) {
        int opcode = text ? FrameParser.OP_TEXT : FrameParser.OP_BINARY;
        if (deflater != null) {
            return encoder.frame(opcode, true, deflater.compress(payload), true);
        }
        return encoder.frame(opcode, false, payload, owned);
    }

    /** {@code WebSocket.sendPing}. */
    public void sendControl(boolean ping, byte[] payload) throws IOException {
        Fiber<?> me = enterWriter();
        try {
            ensureOpen();
            write(List.of(encoder.frame(ping ? FrameParser.OP_PING : FrameParser.OP_PONG, false, ByteBuffer.wrap(payload.clone()), true)));
        } finally {
            writer = null;
        }
    }

    private void write(List<FrameEncoder.Frame> frames) throws IOException {
        try {
            output.send(frames);
        } catch (IOException e) {
            throw lost(e);
        }
    }

    private Fiber<?> enterWriter() {
        Fiber<?> me = Fiber.current();
        if (writer != null && writer != me) {
            throw new IllegalStateException("fiber " + writer + " is already sending on " + this + "; fiber " + me
                    + " cannot send at the same time. Let one fiber send and hand it the messages through a Queue.");
        }
        writer = me;
        return me;
    }

    private void ensureOpen() throws WebSocketClosedException {
        if (state == CLOSED) {
            throw closedAgain();
        }
        if (state == CLOSING) {
            throw new WebSocketClosedException(CloseCodes.NO_STATUS, "", false, "the connection is closing ("
                    + (closeSent != null ? closeSent + " was sent" : "the peer's close frame arrived")
                    + "); nothing more can be sent", null);
        }
    }

    // ---------------------------------------------------------------- closing

    /** {@code WebSocket.close(code, reason)}: see its contract. {@code reasonUtf8}: at most 123 bytes. */
    public void close(int code, byte[] reasonUtf8) {
        if (state == CLOSED) {
            return;
        }
        boolean done = false;
        try (Timeout t = Timeout.after(options.closeTimeout())) {
            try {
                if (state == OPEN) {
                    byte[] p = new byte[2 + reasonUtf8.length];
                    p[0] = (byte) (code >>> 8);
                    p[1] = (byte) code;
                    System.arraycopy(reasonUtf8, 0, p, 2, reasonUtf8.length);
                    output.commit(encoder.frame(FrameParser.OP_CLOSE, false, ByteBuffer.wrap(p), true));
                    state = CLOSING;
                    closeSent = "close(" + code + ")";
                }
                output.flush();
                awaitPeerClose();
                done = true;
            } catch (WebSocketClosedException ended) {
                done = true;
            } catch (IOException e) {
                lost(e);
                done = true;
            } catch (FiberTimeoutException e) {
                if (!e.is(t)) {
                    throw e;
                }
                abort("closed by us: the peer did not answer " + closeSent + " within "
                        + options.closeTimeout().toMillis() + " ms (WebSocketOptions.closeTimeout); the connection was dropped");
                done = true;
            }
        } finally {
            if (!done && state != CLOSED) {
                abort("close() was interrupted (a kill or an outer Timeout); the connection was dropped");
            }
        }
    }

    /**
     * Until the connection is CLOSED: while another fiber is in receive(), it reads (the peer's close
     * frame ends its receive and the connection); whenever no one is, this fiber reads, dropping data
     * messages. A reader that returns a message and does not come back (its answer was refused: the
     * connection is closing) must not leave the peer's close frame unread until the close limit.
     */
    private void awaitPeerClose() throws IOException {
        Fiber<?> me = Fiber.current();
        while (state != CLOSED) {
            if (reader != null && reader != me) {
                readerLeftEvent().await();
            } else {
                reader = me;
                closeReader = me;
                try {
                    readLoop(true); // ends only by an exception: the connection ended, or a Timeout or kill
                } finally {
                    closeReader = null;
                    leaveReader();
                }
            }
        }
    }

    /** The close payload for failing with {@code code}: the code and as much of {@code why} as fits in 123 bytes of UTF-8. */
    private static byte[] closePayload(int code, String why) {
        byte[] reason = truncateUtf8(why, 123);
        byte[] p = new byte[2 + reason.length];
        p[0] = (byte) (code >>> 8);
        p[1] = (byte) code;
        System.arraycopy(reason, 0, p, 2, reason.length);
        return p;
    }

    /** {@code s} in UTF-8, cut at a character boundary to at most {@code max} bytes. */
    public static byte[] truncateUtf8(String s, int max) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length <= max) {
            return b;
        }
        int end = max;
        while (end > 0 && (b[end] & 0xC0) == 0x80) {
            end--; // do not cut a character
        }
        return java.util.Arrays.copyOf(b, end);
    }

    // ---------------------------------------------------------------- state

    public boolean isOpen() {
        return state == OPEN;
    }

    /** How the connection ended, or null while it has not. */
    public WebSocketClosedException closeStatus() {
        return closed == null ? null : closedAgain();
    }

    public Connection stream() {
        return stream;
    }

    public boolean isClient() {
        return client;
    }

    public boolean compressed() {
        return deflater != null;
    }

    @Override
    public String toString() {
        return "WebSocket(" + (client ? "client" : "server") + ", " + stream + ")";
    }
}
