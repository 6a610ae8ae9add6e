package dev.weft.websocket.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The XOR masking of RFC 6455 section 5.3: byte {@code i} of a payload is XORed with byte {@code i % 4}
 * of the 32-bit masking key (most significant byte first). Eight bytes at a time.
 */
public final class Masking {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private Masking() {
    }

    /**
     * XORs {@code b[off, off + len)} in place with {@code key}, starting at key byte {@code keyIndex}
     * (0–3: how many payload bytes of the frame came before {@code off}, modulo 4).
     */
    public static void apply(byte[] b, int off, int len, int key, int keyIndex) {
        int k = Integer.rotateLeft(key, 8 * (keyIndex & 3));
        int i = off;
        int end = off + len;
        if (len >= 16) {
            long wide = ((long) k << 32) | (k & 0xFFFFFFFFL);
            for (; i + 8 <= end; i += 8) {
                LONGS.set(b, i, (long) LONGS.get(b, i) ^ wide);
            }
            // i - off is a multiple of 8, so the key is back at the rotation it started with
        }
        for (int j = 0; i < end; i++, j++) {
            b[i] ^= (byte) (k >>> (24 - 8 * (j & 3)));
        }
    }
}
