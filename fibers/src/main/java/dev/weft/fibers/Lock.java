package dev.weft.fibers;

import java.time.Duration;

/**
 * A mutual-exclusion lock for the fibers of one hub, owned by the fiber that holds it and
 * re-entrant for that fiber (gevent's {@code RLock}). Use it, not {@code synchronized}, around code
 * that blocks: a fiber that switches while holding a Java monitor blocks the whole hub.
 *
 * <pre>{@code
 * try (Lock.Held held = lock.lock()) {
 *     ... // blocking fiber calls are fine here
 * }
 * }</pre>
 *
 * <p>Waiters get the lock in FIFO order; a lock attempt that times out or is killed holds nothing.
 * Thread rule: hub thread, from fibers.
 */
public final class Lock {
    private final Semaphore semaphore = Semaphore.bounded(1);
    private Fiber<?> owner;
    private int depth;
    private final Held held = new Held();

    /** Unlocks when closed; returned by {@link #lock()}. */
    public final class Held implements AutoCloseable {
        private Held() {
        }

        @Override
        public void close() {
            unlock();
        }
    }

    /** A lock bound to the current hub. Hub thread. */
    public Lock() {
    }

    /**
     * Takes the lock, waiting while another fiber holds it; returns at once if this fiber holds it
     * (and counts the nesting). Blocks as {@link Semaphore#acquire()} does.
     */
    public Held lock() {
        Fiber<?> me = Fiber.current();
        if (owner == me) {
            depth++;
            return held;
        }
        semaphore.acquire();
        owner = me;
        depth = 1;
        return held;
    }

    /**
     * {@link #lock()} for at most {@code timeout}.
     *
     * @return the held lock, or null (and nothing held) if the timeout passed first
     */
    public Held tryLock(Duration timeout) {
        Fiber<?> me = Fiber.current();
        if (owner == me) {
            depth++;
            return held;
        }
        if (!semaphore.tryAcquire(timeout)) {
            return null;
        }
        owner = me;
        depth = 1;
        return held;
    }

    /**
     * Releases one level of nesting; the lock is free (and the oldest waiter gets it) when the
     * outermost level is released.
     *
     * @throws IllegalStateException if the calling fiber does not hold it (naming who does)
     */
    public void unlock() {
        Fiber<?> me = Fiber.current();
        if (owner != me) {
            throw new IllegalStateException("fiber " + me + " cannot unlock " + this + ": "
                    + (owner == null ? "nobody holds it" : "fiber " + owner + " holds it"));
        }
        if (--depth == 0) {
            owner = null;
            semaphore.release();
        }
    }

    /** Whether any fiber holds it. */
    public boolean isLocked() {
        return owner != null;
    }

    @Override
    public String toString() {
        return "Lock(" + (owner == null ? "free" : "held by " + owner) + ", " + semaphore.waiting() + " waiting)";
    }
}
