package dev.weft.websocket.internal;

import java.nio.ByteBuffer;
import java.security.SecureRandom;

/**
 * Writes frames (RFC 6455 section 5.2): the header, and for a client the payload masked with a fresh
 * key per frame from a {@link SecureRandom} (section 10.3: the key must not be predictable). A server's
 * large payloads are not copied: the frame is the header plus the caller's buffer.
 */
public final class FrameEncoder {
    /** Payloads up to this size are copied behind the header, so that a frame is one write. */
    private static final int COPY_LIMIT = 8 * 1024;
    private static final SecureRandom KEYS = new SecureRandom();

    private final boolean client;

    public FrameEncoder(boolean client) {
        this.client = client;
    }

    /** One encoded frame: {@code header} then {@code payload} (either may be null); {@code borrowed} when payload is the caller's memory. */
    public record Frame(ByteBuffer header, ByteBuffer payload, boolean borrowed) {
        long size() {
            return (header == null ? 0 : header.remaining()) + (payload == null ? 0 : payload.remaining());
        }
    }

    /**
     * The whole final frame a server sends for {@code payload} (unmasked, no extension bits), header and
     * payload in one buffer whatever its size: for a {@link PreparedFrame}, written as it is on many
     * connections.
     */
    static ByteBuffer serverFrame(int opcode, byte[] payload) {
        Frame f = new FrameEncoder(false).frame(opcode, false, ByteBuffer.wrap(payload), true);
        if (f.payload() == null) {
            return f.header();
        }
        ByteBuffer whole = ByteBuffer.allocate(f.header().remaining() + payload.length);
        return whole.put(f.header()).put(payload).flip();
    }

    /**
     * A final frame of {@code opcode} ({@code rsv1}: a compressed message) carrying {@code payload}'s
     * remaining bytes (not consumed). {@code owned}: the payload is ours to keep (no copy needed when
     * it is large); otherwise, a large payload is borrowed and the caller must not change it until the
     * frame is written (or detached, see {@link Output}).
     */
    public Frame frame(int opcode, boolean rsv1, ByteBuffer payload, boolean owned) {
        int len = payload.remaining();
        int b0 = 0x80 | (rsv1 ? 0x40 : 0) | opcode;
        int lengthBytes = len <= 125 ? 0 : len <= 0xffff ? 2 : 8;
        int headerSize = 2 + lengthBytes + (client ? 4 : 0);
        boolean together = client || len <= COPY_LIMIT;
        ByteBuffer out = ByteBuffer.allocate(headerSize + (together ? len : 0));
        out.put((byte) b0);
        int maskBit = client ? 0x80 : 0;
        if (lengthBytes == 0) {
            out.put((byte) (maskBit | len));
        } else if (lengthBytes == 2) {
            out.put((byte) (maskBit | 126)).putShort((short) len);
        } else {
            out.put((byte) (maskBit | 127)).putLong(len);
        }
        int key = 0;
        if (client) {
            key = KEYS.nextInt();
            out.putInt(key);
        }
        if (!together) {
            return new Frame(out.flip(), payload.slice(), !owned);
        }
        int at = out.position();
        out.put(payload.duplicate());
        if (client) {
            Masking.apply(out.array(), at, len, key, 0);
        }
        return new Frame(out.flip(), null, false);
    }
}
