package dev.weft.websocket.internal;

import java.nio.ByteBuffer;

/**
 * A data message encoded once for many connections: {@code payload} (a text message's UTF-8, or the
 * bytes) and {@code serverFrame}, the whole frame a server sends for it (final, unmasked, uncompressed),
 * both read-only and shared: every user takes a {@link ByteBuffer#duplicate()}. Immutable; any thread.
 */
public record PreparedFrame(boolean text, ByteBuffer payload, ByteBuffer serverFrame) {
    /** Prepares {@code payload} (the array is kept, not copied: the caller gives it up). */
    public static PreparedFrame of(boolean text, byte[] payload) {
        int opcode = text ? FrameParser.OP_TEXT : FrameParser.OP_BINARY;
        return new PreparedFrame(text, ByteBuffer.wrap(payload).asReadOnlyBuffer(),
                FrameEncoder.serverFrame(opcode, payload).asReadOnlyBuffer());
    }
}
