package dev.weft.websocket.internal;

import dev.weft.websocket.CloseCodes;
import dev.weft.websocket.Message;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Builds one data message from its frames' payloads as they arrive: checks the size limit before
 * anything is stored (a frame header that announces too much fails at once, with nothing allocated),
 * checks a text message's UTF-8 byte by byte (the first invalid byte fails the message, as Autobahn's
 * fail-fast cases expect, also across fragments and inside a compressed message), and inflates
 * compressed messages through a {@link MessageInflater}.
 *
 * <p>Memory: the buffer grows with what arrived (doubling, at most the limit); it is handed over with
 * the message when it is exactly the message's size, and dropped after each message otherwise.
 * Not thread-safe; one per connection.
 */
final class MessageAssembler implements MessageInflater.Sink {
    static final int TEXT = 1;
    static final int BINARY = 2;
    /** The first allocation for a message whose size is not known yet. */
    private static final int INITIAL = 1024;
    /** The most allocated ahead of what arrived for a message whose size is announced. */
    private static final int CHUNK = 64 * 1024;

    private final long maxSize;
    private final MessageInflater inflater;
    private final Utf8Validator utf8 = new Utf8Validator();
    /** TEXT, BINARY, or 0 between messages. */
    private int type;
    private boolean compressed;
    private byte[] buf;
    private int size;
    /** Compressed bytes taken for this message (bounded too: an endless stream that inflates to nothing). */
    private long compressedIn;
    /** How large the message can grow as far as its frames have announced (the growth cap). */
    private long end;

    MessageAssembler(long maxSize, MessageInflater inflater) {
        this.maxSize = maxSize;
        this.inflater = inflater;
    }

    boolean inProgress() {
        return type != 0;
    }

    /** Starts a message of {@code type}; {@code firstFrame} is its first frame's payload length, {@code fin} whether it is the only one. */
    void begin(int type, boolean compressed, long firstFrame, boolean fin) throws ProtocolViolation {
        this.type = type;
        this.compressed = compressed;
        this.size = 0;
        this.compressedIn = 0;
        utf8.reset();
        frame(firstFrame, fin);
        // Memory follows what arrived, not what a header announced: a peer that announces the limit and
        // sends one byte a second holds at most twice what it sent (and never more than the limit).
        buf = new byte[compressed ? INITIAL : (int) Math.min(firstFrame, fin ? CHUNK : Math.max(INITIAL, CHUNK))];
    }

    /** A frame of {@code length} payload bytes ({@code fin}: the message's last) is about to arrive. */
    void frame(long length, boolean fin) throws ProtocolViolation {
        if (compressed) {
            compressedIn += length;
            if (compressedIn > maxSize + (maxSize >> 3) + 1024) {
                throw tooBig(compressedIn, "compressed ");
            }
            end = maxSize + 1;
        } else if (size + length > maxSize) {
            throw tooBig(size + length, "");
        } else {
            // The last frame says exactly how large the message is: growing stops there, and the buffer
            // is handed over with the message without a copy.
            end = fin ? size + length : maxSize;
        }
    }

    private ProtocolViolation tooBig(long announced, String what) {
        return new ProtocolViolation(CloseCodes.MESSAGE_TOO_BIG, "message of at least " + announced + " " + what
                + "bytes is larger than the limit of " + maxSize + " bytes (WebSocketOptions.maxMessageSize)");
    }

    /** Payload bytes of the current frame, unmasked. */
    void append(byte[] b, int off, int len) throws ProtocolViolation {
        if (compressed) {
            inflater.input(b, off, len, this);
            return;
        }
        ensure(len);
        System.arraycopy(b, off, buf, size, len);
        accept(len);
    }

    /**
     * Room to read payload straight into (no copy through the connection's input buffer), for an
     * uncompressed frame with {@code payloadLeft} bytes to come; null when compressed.
     */
    ByteBuffer directTarget(long payloadLeft) {
        if (compressed) {
            return null;
        }
        if (size == buf.length) {
            ensure(1);
        }
        return ByteBuffer.wrap(buf, size, (int) Math.min(payloadLeft, buf.length - size));
    }

    /** {@code n} bytes were read into {@link #directTarget}'s buffer; {@code key}/{@code keyIndex} unmask them (key 0: not masked). */
    void directAppended(int n, int key, int keyIndex, boolean masked) throws ProtocolViolation {
        if (masked) {
            Masking.apply(buf, size, n, key, keyIndex);
        }
        accept(n);
    }

    /** {@code n} bytes at {@code size} are in: validate and count them. */
    private void accept(int n) throws ProtocolViolation {
        if (type == TEXT) {
            int bad = utf8.feed(buf, size, n);
            if (bad >= 0) {
                throw invalidUtf8(bad);
            }
        }
        size += n;
    }

    private static ProtocolViolation invalidUtf8(long at) {
        return new ProtocolViolation(CloseCodes.INVALID_PAYLOAD, "text message is not valid UTF-8 (byte " + at + ")");
    }

    /** Room for {@code more} bytes: doubling, capped by what the frames announced ({@link #end}). */
    private void ensure(int more) {
        long need = (long) size + more;
        if (need <= buf.length) {
            return;
        }
        long grown = Math.max(need, Math.min(Math.max((long) buf.length * 2, INITIAL), end));
        buf = Arrays.copyOf(buf, (int) Math.min(grown, Integer.MAX_VALUE - 16));
    }

    // ---------------------------------------------------------------- MessageInflater.Sink

    @Override
    public byte[] buffer() throws ProtocolViolation {
        if (size > maxSize) {
            throw tooBig(size, "decompressed ");
        }
        if (size == buf.length) {
            ensure(1);
        }
        return buf;
    }

    @Override
    public int offset() {
        return size;
    }

    @Override
    public int room() {
        // One byte beyond the limit may be written: that is how a decompression bomb is noticed.
        return (int) Math.min(buf.length - size, maxSize + 1 - size);
    }

    @Override
    public void written(int n) throws ProtocolViolation {
        accept(n);
        if (size > maxSize) {
            throw tooBig(size, "decompressed ");
        }
    }

    // ---------------------------------------------------------------- the end

    /** The last frame's payload is in: the whole message. */
    Message finish() throws ProtocolViolation {
        if (compressed) {
            inflater.endMessage(this);
        }
        if (type == TEXT && !utf8.isComplete()) {
            throw invalidUtf8(size);
        }
        Message m = type == TEXT ? new Message.Text(new String(buf, 0, size, StandardCharsets.UTF_8))
                : new Message.Binary(size == buf.length ? buf : Arrays.copyOf(buf, size));
        type = 0;
        buf = null;
        return m;
    }

    /** Drops a message in progress (the connection is closing). */
    void abandon() {
        type = 0;
        buf = null;
    }
}
