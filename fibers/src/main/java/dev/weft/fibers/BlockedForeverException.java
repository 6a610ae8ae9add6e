package dev.weft.fibers;

/**
 * Thrown into every waiting fiber when none of them can ever be woken: no fiber is runnable and no
 * timer, I/O wait, pending cross-thread task or {@linkplain Hub#keepAlive() keep-alive} exists.
 * Instead of a silent hang, each waiting fiber gets this exception; its message lists every live
 * fiber and what it waits on.
 *
 * <p>If another thread will wake the fiber (by {@code hub.execute}), hold a
 * {@link Hub#keepAlive()} while waiting, or wait on an {@link AsyncResult}, which counts as
 * wakeable from other threads.
 */
public final class BlockedForeverException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public BlockedForeverException(String message) {
        super(message);
    }
}
