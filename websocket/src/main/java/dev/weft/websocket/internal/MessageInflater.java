package dev.weft.websocket.internal;

import dev.weft.websocket.CloseCodes;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Decompresses incoming permessage-deflate messages (RFC 7692 section 7.2.2) as their bytes arrive:
 * each piece of a compressed frame's payload goes in, what it inflates to goes to the {@link Sink} at
 * once (so that a text message's UTF-8 is checked while it arrives, and a decompression bomb is stopped
 * at the size limit, never allocated); at the end of the message the removed {@code 00 00 ff ff} goes
 * in too.
 *
 * <p>The zlib state (about 40 KiB of native memory) is made at the first compressed message and freed
 * by {@link #end()}. Not thread-safe.
 */
public final class MessageInflater {
    private static final byte[] TAIL = {0, 0, (byte) 0xff, (byte) 0xff};

    /** Where inflated bytes go: it lends its buffer, and is told how much was written into it. */
    public interface Sink {
        /** A buffer with room for at least one more byte; {@link #room()} says how much. May fail the message (size limit). */
        byte[] buffer() throws ProtocolViolation;

        /** Where in {@link #buffer()} the next byte goes. */
        int offset();

        /** How many bytes may be written from {@link #offset()}. */
        int room();

        /** {@code n} bytes were written at {@link #offset()}. */
        void written(int n) throws ProtocolViolation;
    }

    private final boolean peerContextTakeover;
    private Inflater inflater;
    /** Whether the current message had any compressed bytes. */
    private boolean input;

    /** {@code peerContextTakeover}: false when the peer agreed to start each message with a fresh window. */
    public MessageInflater(boolean peerContextTakeover) {
        this.peerContextTakeover = peerContextTakeover;
    }

    /** Inflates the compressed bytes {@code b[off, off + len)} of the current message into {@code sink}. */
    public void input(byte[] b, int off, int len, Sink sink) throws ProtocolViolation {
        if (inflater == null) {
            inflater = new Inflater(true);
        }
        if (inflater.finished()) {
            // The peer ended the DEFLATE stream (BFINAL) in this message; anything after it is not ours.
            return;
        }
        if (len > 0) {
            input = true;
            inflater.setInput(b, off, len);
            drain(sink);
        }
    }

    /** The message is complete: inflates what the removed tail releases, and prepares for the next message. */
    public void endMessage(Sink sink) throws ProtocolViolation {
        if (inflater == null) {
            inflater = new Inflater(true);
        }
        if (!inflater.finished() && input) {
            // A compressed message with no payload at all (some senders make one for an empty message) is
            // empty: appending the tail alone would start a stored block and break the stream.
            inflater.setInput(TAIL);
            drain(sink);
        }
        input = false;
        if (!peerContextTakeover || inflater.finished()) {
            inflater.reset();
        }
    }

    private void drain(Sink sink) throws ProtocolViolation {
        try {
            while (!inflater.finished()) {
                byte[] buf = sink.buffer();
                int n = inflater.inflate(buf, sink.offset(), sink.room());
                if (n > 0) {
                    sink.written(n);
                } else if (inflater.needsInput() || inflater.needsDictionary()) {
                    if (inflater.needsDictionary()) {
                        throw new ProtocolViolation(CloseCodes.INVALID_PAYLOAD,
                                "compressed message asks for a preset dictionary, which permessage-deflate does not have");
                    }
                    return;
                }
            }
        } catch (DataFormatException e) {
            throw new ProtocolViolation(CloseCodes.INVALID_PAYLOAD, "compressed message is not valid DEFLATE data: "
                    + e.getMessage());
        }
    }

    /** Frees the native state; idempotent. */
    public void end() {
        if (inflater != null) {
            inflater.end();
            inflater = null;
        }
    }
}
