package dev.weft.hub;

/**
 * The two one-shot readiness callbacks of a handle, one per direction, as every backend keeps them
 * (see {@link IoHandle#await}): arming a direction that is armed already is refused (one reader
 * and one writer at a time), and firing a direction disarms it before its callback runs.
 *
 * <p>Thread rule: the handle's loop thread only; no checks here, the handle makes them.
 */
public final class ReadinessCallbacks {
    private Runnable onRead;
    private Runnable onWrite;

    /**
     * Arms {@code callback} for {@code op}.
     *
     * @throws IllegalStateException    if {@code op} is armed already
     * @throws IllegalArgumentException if {@code op} is not {@link Ops#READ} or {@link Ops#WRITE}
     */
    public void arm(int op, Runnable callback) {
        if (op == Ops.READ) {
            if (onRead != null) {
                throw new IllegalStateException("a READ callback is already armed on this socket: one reader at a time");
            }
            onRead = callback;
        } else if (op == Ops.WRITE) {
            if (onWrite != null) {
                throw new IllegalStateException("a WRITE callback is already armed on this socket: one writer at a time");
            }
            onWrite = callback;
        } else {
            throw new IllegalArgumentException("await takes Ops.READ or Ops.WRITE, not " + Ops.toString(op));
        }
    }

    /** Disarms {@code op}; true if it was armed. */
    public boolean cancel(int op) {
        if (op == Ops.READ && onRead != null) {
            onRead = null;
            return true;
        }
        if (op == Ops.WRITE && onWrite != null) {
            onWrite = null;
            return true;
        }
        return false;
    }

    /** Whether {@code op} is armed. */
    public boolean armed(int op) {
        return op == Ops.READ ? onRead != null : onWrite != null;
    }

    /** Disarms and runs the callbacks of the directions that may be ready; returns how many ran. */
    public int fire(boolean readable, boolean writable) {
        Runnable r = readable ? onRead : null;
        Runnable w = writable ? onWrite : null;
        if (r != null) {
            onRead = null;
        }
        if (w != null) {
            onWrite = null;
        }
        int ran = 0;
        if (r != null) {
            r.run();
            ran++;
        }
        if (w != null) {
            w.run();
            ran++;
        }
        return ran;
    }
}
