package dev.weft.fibers;

import java.time.Duration;

/**
 * A mutual-exclusion lock for the fibers of one hub, owned by the fiber that holds it and
 * re-entrant for that fiber (gevent's {@code RLock}). Use it, not {@code synchronized} and not
 * {@link java.util.concurrent.locks.ReentrantLock}, around code that blocks:
 * <ul>
 * <li>{@code synchronized} held across a switch deadlocks the hub for good on JDK 24+: the fiber
 *     that holds the monitor is parked, a second fiber of the same hub that enters the monitor blocks
 *     the hub <em>thread</em>, and so the holder can never resume to release it (on JDK 21–23 the
 *     switch fails with {@link FiberPinnedException} instead). The hub watchdog reports it.</li>
 * <li>{@code ReentrantLock} (and every lock owned by a thread) is owned by the hub thread, which all
 *     fibers of a hub share: a second fiber "acquires" it re-entrantly while the first holds it, so it
 *     excludes nothing between fibers.</li>
 * </ul>
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
    /** The hub it belongs to (the semaphore's): a fiber of another hub is refused, naming both. */
    private final Hub hub = Hub.current();
    private Fiber<?> owner;
    private int depth;

    /**
     * One level of holding, returned by {@link #lock()}; closing it releases that level. Closing it
     * again has no effect (so a close in a {@code finally} after an explicit one releases nothing extra).
     */
    public final class Held implements AutoCloseable {
        private boolean released;

        private Held() {
        }

        @Override
        public void close() {
            if (!released) {
                unlock();
                released = true;
            }
        }
    }

    /** A lock bound to the current hub. Hub thread. */
    public Lock() {
    }

    /**
     * Takes the lock, waiting while another fiber holds it; returns at once if this fiber holds it
     * (and counts the nesting). Blocks as {@link Semaphore#acquire()} does.
     *
     * @return a {@link Held} that releases this level when closed (each call returns a new one)
     */
    public Held lock() {
        hub.checkThread("Lock.lock");
        Fiber<?> me = Fiber.current();
        if (owner == me) {
            depth++;
            return new Held();
        }
        semaphore.acquire();
        owner = me;
        depth = 1;
        return new Held();
    }

    /**
     * {@link #lock()} for at most {@code timeout} (package rule for durations: null = no limit, zero =
     * do not wait).
     *
     * @return the held lock, or null (and nothing held) if the timeout passed first
     */
    public Held tryLock(Duration timeout) {
        hub.checkThread("Lock.tryLock");
        Fiber<?> me = Fiber.current();
        if (owner == me) {
            depth++;
            return new Held();
        }
        if (!semaphore.tryAcquire(timeout)) {
            return null;
        }
        owner = me;
        depth = 1;
        return new Held();
    }

    /**
     * Releases one level of nesting; the lock is free (and the oldest waiter gets it) when the
     * outermost level is released.
     *
     * @throws IllegalStateException if the calling fiber does not hold it (naming who does)
     */
    public void unlock() {
        hub.checkThread("Lock.unlock");
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
