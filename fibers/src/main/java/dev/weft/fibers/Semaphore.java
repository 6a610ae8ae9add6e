package dev.weft.fibers;

import java.time.Duration;

/**
 * A counting semaphore for the fibers of one hub (gevent's {@code Semaphore} and, with {@link
 * #bounded}, {@code BoundedSemaphore}): {@link #acquire()} takes a permit, waiting while there is
 * none; {@link #release()} returns one.
 *
 * <p>Fairness: waiters are served in FIFO order, and a released permit goes straight to the oldest
 * waiter, so a newcomer cannot take it first. Nothing is lost: an acquire that times out or is
 * killed holds no permit afterwards (a permit handed to it just before is passed on). An acquire
 * that completes at once spends one unit of the fiber's cooperative budget ({@link Hub#spendBudget()}),
 * so a loop of uncontended acquires still lets timers and I/O in; {@link #tryAcquire()} never switches.
 *
 * <p>Thread rule: hub thread only; {@code acquire} from fibers.
 */
public final class Semaphore {
    private final Hub hub;
    private final int bound;
    private int permits;
    /** Permits held now (acquired and not released), for the bounded check. */
    private int held;
    /** Waiting fibers; a fiber's {@link FiberCore#signalled} says a permit was granted to it. */
    private final WaitList waiters = new WaitList();

    /** A waiting fiber and whether a permit was handed to it. */
    /** A semaphore with {@code permits} permits; {@link #release()} may add more. Hub thread. */
    public Semaphore(int permits) {
        this(permits, -1);
    }

    private Semaphore(int permits, int bound) {
        if (permits < 0) {
            throw new IllegalArgumentException("permits must not be negative: " + permits);
        }
        this.hub = Hub.current();
        this.permits = permits;
        this.bound = bound;
    }

    /**
     * A semaphore whose {@link #release()} fails with {@link IllegalStateException} when it would
     * release more than was acquired (gevent's {@code BoundedSemaphore}). Hub thread.
     */
    public static Semaphore bounded(int permits) {
        return new Semaphore(permits, permits);
    }

    /**
     * Takes a permit, waiting until one is free. Blocks the calling fiber until one of these
     * happens: a permit is handed to it, the fiber is killed ({@link FiberKilledError}), an enclosing
     * {@link Timeout} expires ({@link FiberTimeoutException}), or no fiber could ever release one
     * ({@link BlockedForeverException}). On any exception it holds no permit.
     */
    public void acquire() {
        acquireUntil(Long.MAX_VALUE);
    }

    /**
     * {@link #acquire()} for at most {@code timeout}.
     *
     * @return true with a permit taken, false (and none taken) if the timeout passed first
     */
    public boolean tryAcquire(Duration timeout) {
        return acquireUntil(Deadlines.after(timeout));
    }

    /** Takes a permit if one is free now and nobody waits for one; never blocks. Hub thread. */
    public boolean tryAcquire() {
        hub.checkThread("Semaphore.tryAcquire");
        if (permits > 0 && waiters.isEmpty()) {
            permits--;
            held++;
            return true;
        }
        return false;
    }

    private boolean acquireUntil(long deadline) {
        FiberCore me = hub.runningFiber("Semaphore.acquire");
        hub.spendBudget(); // an acquire that completes at once counts (the cooperative budget), before it takes anything
        if (permits > 0 && waiters.isEmpty()) {
            permits--;
            held++;
            return true;
        }
        try {
            return waiters.awaitSignal(me, this, deadline);
        } catch (Throwable t) {
            if (me.signalled) {
                release(); // granted, then killed or timed out before it resumed: pass it on
            }
            throw t;
        }
    }

    /**
     * Returns a permit: the oldest waiter gets it (and becomes runnable), or it becomes free. Hub
     * thread; any fiber may release, as in gevent.
     *
     * @throws IllegalStateException on a {@link #bounded} semaphore, when nothing is held
     */
    public void release() {
        hub.checkThread("Semaphore.release");
        if (bound >= 0 && held == 0) {
            throw new IllegalStateException("release() of a bounded semaphore (" + bound
                    + " permits) that holds none: more releases than acquires");
        }
        held = Math.max(0, held - 1);
        if (waiters.signalFirst() != null) {
            held++;
        } else {
            permits++;
        }
    }

    /** Permits free now. */
    public int available() {
        return permits;
    }

    /** Fibers waiting for a permit. */
    public int waiting() {
        return waiters.size();
    }

    @Override
    public String toString() {
        return "Semaphore(" + permits + " free, " + waiters.size() + " waiting)";
    }
}
