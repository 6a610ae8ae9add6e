package dev.weft.fibers;

/**
 * A one-shot hand-off between fibers of one hub: one fiber {@linkplain #get() waits}, another
 * {@linkplain #complete completes} it with a value or {@linkplain #fail fails} it with an exception.
 * Every blocking primitive (Event, AsyncResult, Queue, locks) parks on a waiter.
 *
 * <p>Completing does not switch at once: the waiting fiber becomes runnable and runs after the
 * completing fiber blocks or yields. Completing before anyone waits is fine: {@code get} then
 * returns at once.
 *
 * <p>Thread rule: hub thread only (complete from another thread through an {@link AsyncResult}).
 * At most one fiber may wait on a waiter.
 *
 * @param <T> the value type
 */
public final class Waiter<T> {
    private static final int EMPTY = 0;
    private static final int VALUE = 1;
    private static final int ERROR = 2;

    private final Hub hub;
    private final Object owner;
    private FiberCore fiber;
    private int outcome = EMPTY;
    private T value;
    private Throwable error;

    /** A waiter on the current hub. Hub thread. */
    public Waiter() {
        this(Hub.current(), null);
    }

    Waiter(Hub hub, Object owner) {
        this.hub = hub;
        this.owner = owner;
    }

    /**
     * Waits until the waiter is completed and returns the value, or throws the exception it was
     * failed with. Returns at once if it already is.
     *
     * @throws FiberKilledError as any blocking call; the waiter stays uncompleted from this fiber's
     *         view and can be completed later (also for the two below)
     * @throws FiberTimeoutException as any blocking call
     * @throws BlockedForeverException as any blocking call
     * @throws IllegalStateException if another fiber is already waiting on it
     */
    public T get() {
        awaitUntil(Long.MAX_VALUE);
        return result();
    }

    /**
     * Parks until completed or {@code deadline} ({@link System#nanoTime()}); true if completed.
     * Package-private building block of the timed waits.
     */
    boolean awaitUntil(long deadline) {
        if (outcome != EMPTY) {
            hub.checkThread("Waiter.get");
            return true;
        }
        FiberCore me = hub.runningFiber("Waiter.get");
        if (fiber != null) {
            throw new IllegalStateException("fiber " + fiber + " is already waiting on this waiter; fiber " + me
                    + " cannot wait on it too (a waiter is one-shot, for one fiber)");
        }
        fiber = me;
        try {
            while (outcome == EMPTY) {
                if (!me.parkUntil(owner != null ? owner : this, deadline) && outcome == EMPTY) {
                    return false;
                }
            }
            return true;
        } finally {
            fiber = null;
        }
    }

    T result() {
        if (outcome == ERROR) {
            Throwable t = error;
            if (t instanceof RuntimeException re) {
                throw re;
            }
            if (t instanceof Error e) {
                throw e;
            }
            throw new java.util.concurrent.CompletionException(t);
        }
        return value;
    }

    /**
     * Completes the waiter with {@code v} and makes the waiting fiber runnable. Hub thread.
     *
     * @throws IllegalStateException if it is already completed
     */
    public void complete(T v) {
        settle(VALUE, v, null);
    }

    /** Completes the waiter with an exception that {@link #get()} throws. Hub thread. */
    public void fail(Throwable t) {
        settle(ERROR, null, java.util.Objects.requireNonNull(t, "t"));
    }

    private void settle(int how, T v, Throwable t) {
        hub.checkThread("Waiter.complete");
        if (outcome != EMPTY) {
            throw new IllegalStateException("this waiter is already completed; a waiter is one-shot");
        }
        outcome = how;
        value = v;
        error = t;
        if (fiber != null) {
            fiber.unpark();
        }
    }

    /** Whether it has been completed or failed. */
    public boolean isReady() {
        return outcome != EMPTY;
    }

    /** Whether it was completed with a value (not failed). */
    boolean hasValue() {
        return outcome == VALUE;
    }

    /** The value it was completed with (null if none). */
    T value() {
        return value;
    }

    /** The fiber waiting on it now, or null. */
    FiberCore waitingFiber() {
        return fiber;
    }

    @Override
    public String toString() {
        return owner != null ? owner.toString() : "Waiter" + (outcome != EMPTY ? "(ready)" : "(empty)");
    }
}
