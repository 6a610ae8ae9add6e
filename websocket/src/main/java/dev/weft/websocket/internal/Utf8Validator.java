package dev.weft.websocket.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A streaming UTF-8 validator (RFC 3629, as RFC 6455 requires for text messages and close reasons):
 * bytes arrive in pieces (fragments, and parts of one frame as the socket delivers them), and the first
 * byte that cannot be part of valid UTF-8 is reported at once, before the rest of the message arrives.
 * Rejects overlong forms, UTF-16 surrogates (U+D800–U+DFFF), code points above U+10FFFF and stray or
 * missing continuation bytes; a message that ends inside a sequence is caught by {@link #isComplete()}.
 *
 * <p>Not thread-safe; one per message stream.
 */
public final class Utf8Validator {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH_BITS = 0x8080808080808080L;

    /** Continuation bytes still expected for the current sequence. */
    private int need;
    /** The range the next continuation byte must fall in (narrower after E0, ED, F0, F4). */
    private int low = 0x80;
    private int high = 0xBF;
    private boolean failed;

    /**
     * Feeds {@code b[off, off + len)}.
     *
     * @return -1 if everything so far is valid UTF-8 (possibly ending inside a sequence), else the
     *         index in {@code b} of the first invalid byte (the validator then stays failed)
     */
    public int feed(byte[] b, int off, int len) {
        if (failed) {
            return off;
        }
        int i = off;
        int end = off + len;
        while (i < end) {
            if (need == 0) {
                // ASCII runs, eight bytes at a time.
                while (i + 8 <= end && ((long) LONGS.get(b, i) & HIGH_BITS) == 0) {
                    i += 8;
                }
                if (i == end) {
                    break;
                }
                int c = b[i] & 0xff;
                if (c < 0x80) {
                    i++;
                    continue;
                }
                if (c < 0xC2) {
                    return fail(i); // a stray continuation byte, or C0/C1 (always overlong)
                } else if (c < 0xE0) {
                    need = 1;
                } else if (c < 0xF0) {
                    need = 2;
                    low = c == 0xE0 ? 0xA0 : 0x80; // E0 80..9F would be overlong
                    high = c == 0xED ? 0x9F : 0xBF; // ED A0..BF are the UTF-16 surrogates
                } else if (c < 0xF5) {
                    need = 3;
                    low = c == 0xF0 ? 0x90 : 0x80; // F0 80..8F would be overlong
                    high = c == 0xF4 ? 0x8F : 0xBF; // F4 90.. is above U+10FFFF
                } else {
                    return fail(i); // F5..FF never appear in UTF-8
                }
                i++;
            } else {
                int c = b[i] & 0xff;
                if (c < low || c > high) {
                    return fail(i);
                }
                need--;
                low = 0x80;
                high = 0xBF;
                i++;
            }
        }
        return -1;
    }

    private int fail(int at) {
        failed = true;
        return at;
    }

    /** Whether what was fed so far is complete, valid UTF-8 (no sequence left open). */
    public boolean isComplete() {
        return !failed && need == 0;
    }

    /** Forgets everything fed so far (the next message). */
    public void reset() {
        need = 0;
        low = 0x80;
        high = 0xBF;
        failed = false;
    }

    /** Whether {@code b[off, off + len)} alone is complete, valid UTF-8. */
    public static boolean isValid(byte[] b, int off, int len) {
        Utf8Validator v = new Utf8Validator();
        return v.feed(b, off, len) < 0 && v.isComplete();
    }
}
