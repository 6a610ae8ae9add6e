package dev.weft.hub.iouring;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * The direct chunks one poller lends to receives and sends of heap buffers in flight: the kernel
 * needs memory that does not move, a heap array may move with the garbage collector. A heap read
 * receives into a chunk and the bytes are copied into the heap buffer at the completion; a heap
 * write copies into a chunk and sends from it. A chunk goes back only at its operation's own
 * completion (also after a cancel, a kill or a close): until then the kernel owns it.
 *
 * <p>Capped: at most {@link #max()} chunks of {@value #CHUNK_BYTES} bytes lent at once (the system
 * property {@value #MAX_PROPERTY}; default {@value #DEFAULT_MAX}, heap buffers by completion off;
 * 1,024 is 16 MiB per hub). When none is left, or direct memory is exhausted, {@link #lend()}
 * returns null and the caller takes the readiness path (a poll, then the system call through the
 * poller's scratch buffer): nothing waits for a chunk. A chunk given back is kept for the next
 * lend, so no more than {@code max} are ever allocated.
 *
 * <p>Thread rule: the poller's loop thread only.
 */
final class LentChunks {
    /** Bytes per chunk: the most one heap receive or send by completion moves. */
    static final int CHUNK_BYTES = 16 * 1024;
    /** System property: how many chunks one poller lends at most (read when the poller opens). */
    static final String MAX_PROPERTY = "weft.iouring.lentChunks";
    static final int DEFAULT_MAX = 0;

    private final int max;
    private final ArrayDeque<ByteBuffer> free = new ArrayDeque<>();
    private int lent;

    LentChunks(int max) {
        if (max < 0) {
            throw new IllegalArgumentException(MAX_PROPERTY + " must be 0 or more, not " + max);
        }
        this.max = max;
    }

    /** A cap from {@value #MAX_PROPERTY}, else {@value #DEFAULT_MAX}. */
    static LentChunks fromProperty() {
        String v = System.getProperty(MAX_PROPERTY);
        if (v == null) {
            return new LentChunks(DEFAULT_MAX);
        }
        try {
            return new LentChunks(Integer.parseInt(v.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + MAX_PROPERTY + " must be a number of chunks (0 or more), not '" + v
                    + "'", e);
        }
    }

    /** A cleared chunk now owned by the caller, or null when the cap is reached or direct memory is exhausted. */
    ByteBuffer lend() {
        if (lent >= max) {
            return null;
        }
        ByteBuffer chunk = free.poll();
        if (chunk == null) {
            try {
                chunk = ByteBuffer.allocateDirect(CHUNK_BYTES);
            } catch (OutOfMemoryError directMemoryExhausted) {
                return null; // -XX:MaxDirectMemorySize reached: the readiness path needs none
            }
        }
        lent++;
        return chunk.clear();
    }

    /** Takes back a chunk {@link #lend()} gave (its operation has completed). */
    void giveBack(ByteBuffer chunk) {
        lent--;
        free.push(chunk);
    }

    /** Chunks lent now (operations in flight on heap buffers). */
    int lent() {
        return lent;
    }

    int max() {
        return max;
    }

    @Override
    public String toString() {
        return "LentChunks(" + lent + " of " + max + " lent, " + free.size() + " free)";
    }
}
