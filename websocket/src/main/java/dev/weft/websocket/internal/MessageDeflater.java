package dev.weft.websocket.internal;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.Deflater;

/**
 * Compresses outgoing messages for permessage-deflate (RFC 7692 section 7.2.1): raw DEFLATE, flushed
 * with {@code SYNC_FLUSH} at the end of each message, the final empty block's {@code 00 00 ff ff}
 * removed. With context takeover the compressor's window carries over from message to message; without
 * it, it starts afresh each time.
 *
 * <p>The zlib state (about 256 KiB of native memory for a 32 KiB window) is made at the first message
 * and freed by {@link #end()}. Not thread-safe.
 */
public final class MessageDeflater {
    private final boolean contextTakeover;
    private Deflater deflater;

    public MessageDeflater(boolean contextTakeover) {
        this.contextTakeover = contextTakeover;
    }

    /** {@code data[off, off + len)} compressed, as the payload of one message (exactly sized). */
    /** {@link #compress(byte[], int, int)} of {@code payload}'s remaining bytes (not consumed), wrapped. */
    public ByteBuffer compress(ByteBuffer payload) {
        int len = payload.remaining();
        if (payload.hasArray()) {
            return ByteBuffer.wrap(compress(payload.array(), payload.arrayOffset() + payload.position(), len));
        }
        byte[] plain = new byte[len];
        payload.duplicate().get(plain);
        return ByteBuffer.wrap(compress(plain, 0, len));
    }

    public byte[] compress(byte[] data, int off, int len) {
        if (deflater == null) {
            deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        }
        deflater.setInput(data, off, len);
        byte[] out = new byte[Math.max(64, len / 2 + 64)];
        int size = 0;
        while (true) {
            int n = deflater.deflate(out, size, out.length - size, Deflater.SYNC_FLUSH);
            size += n;
            if (size < out.length) {
                break; // SYNC_FLUSH: a call that did not fill the buffer has written everything
            }
            out = Arrays.copyOf(out, out.length * 2);
        }
        if (!contextTakeover) {
            deflater.reset();
        }
        // A sync flush ends with an empty stored block: 00 00 ff ff, which the receiver adds back.
        if (size >= 4 && out[size - 4] == 0 && out[size - 3] == 0 && out[size - 2] == (byte) 0xff && out[size - 1] == (byte) 0xff) {
            size -= 4;
        }
        if (size == 0) {
            // An empty message after a flush makes zlib write nothing at all (a second flush with no input is a
            // no-op). An empty payload is not valid here: with the receiver's 00 00 ff ff appended it would be
            // read as a stored block of 0xff00 bytes, and the receiver's stream would be broken from then on
            // (Python's websockets and Node's ws fail the next message). One 00 byte is an empty stored block's
            // header: with the tail appended, a complete empty block (RFC 7692 section 7.2.3.6).
            return new byte[] {0};
        }
        return Arrays.copyOf(out, size);
    }

    /** Frees the native state; idempotent. */
    public void end() {
        if (deflater != null) {
            deflater.end();
            deflater = null;
        }
    }
}
