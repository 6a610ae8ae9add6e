package dev.weft.hub;

import java.nio.ByteBuffer;

/**
 * One reusable operation slot of a {@link CompletionStreamHandle}: at most one operation in flight
 * per slot. From its submit until the kernel's completion for it, the operation owns the buffer it
 * was given (the kernel may write into it or read from it at any moment); {@link #inFlight()} says
 * when that ends. A cancelled operation still completes: with {@code -ECANCELED}, or with its own
 * result if it won the race (a cancelled read may have read, a cancelled write may have written).
 *
 * <p>Thread rule: the handle's loop thread only; no checks here (the handle and the hub make them).
 * {@link #begin} and {@link #complete} are for backends; users read {@link #inFlight()} and {@link
 * #result()}.
 */
public final class PendingIo {
    /** {@code -ECANCELED}: the result of an operation that a cancel stopped before it moved anything. */
    public static final int CANCELLED = -125;

    private boolean inFlight;
    private int result;
    private ByteBuffer buffer;
    private Runnable waiter;

    /** True from the submit until the operation's own completion. */
    public boolean inFlight() {
        return inFlight;
    }

    /**
     * The result once complete: bytes moved ({@code >= 0}; 0 for a read is the end of the stream) or a
     * negative errno ({@code -125} ECANCELED for a cancelled operation). Meaningless while in flight.
     */
    public int result() {
        return result;
    }

    /**
     * Sets what runs (on the loop thread, from inside the poll) when the operation completes: a fiber's
     * wake-up. Replaces the one set before; null for none.
     */
    public void waiter(Runnable waiter) {
        this.waiter = waiter;
    }

    /**
     * For backends: the operation on {@code buffer} was submitted; the slot keeps a strong reference
     * to the buffer until {@link #complete}, so a direct buffer cannot be freed while the kernel owns it.
     *
     * @throws IllegalStateException if an operation is in flight already (one per slot)
     */
    public void begin(ByteBuffer buffer) {
        if (inFlight) {
            throw new IllegalStateException("an operation is already in flight in this slot: one reader and one writer"
                    + " at a time");
        }
        this.buffer = buffer;
        this.inFlight = true;
    }

    /** For backends: the kernel's completion arrived with {@code result}; releases the buffer and runs the waiter. */
    public void complete(int result) {
        this.result = result;
        this.inFlight = false;
        this.buffer = null;
        Runnable w = waiter;
        if (w != null) {
            w.run();
        }
    }

    @Override
    public String toString() {
        return inFlight ? "PendingIo(in flight on " + buffer + ")" : "PendingIo(done: " + result + ")";
    }
}
