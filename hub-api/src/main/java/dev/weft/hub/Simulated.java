package dev.weft.hub;

import java.util.concurrent.RejectedExecutionException;

/**
 * Implemented by a {@link Poller} that simulates its loop's world (the backend {@code hub-sim}): it
 * owns the clock, chooses the order of ready callbacks and refuses input from real threads. The
 * {@link EventLoop} asks {@code poller instanceof Simulated} once, when it is made; real backends do
 * not implement it and the loop keeps the system clocks, its FIFO queue and time-bounded batches.
 *
 * <p>Thread rule: loop thread, except {@link #refuseForeignTask}.
 */
public interface Simulated {
    /** The loop's monotonic time in nanoseconds (only differences are meaningful). */
    long nanoTime();

    /** The loop's wall-clock time in milliseconds since the epoch (what {@link System#currentTimeMillis()} is on a real loop). */
    long currentTimeMillis();

    /**
     * Whether anything outside the loop's callbacks, timers and tasks can still wake it (a simulated
     * network delivery is pending). When the loop has only references ({@link EventLoop#ref()}) left and
     * this says false, nothing can ever happen again: the loop stalls (its stall handler fails the
     * waiting fibers) instead of waiting forever.
     */
    boolean canWake();

    /** The order of the loop's ready callbacks; called once, when the loop is made. */
    ReadyOrder readyOrder();

    /**
     * A thread other than the loop's handed the loop a task ({@link EventLoop#execute}): input from
     * outside the simulation, which no seed can reproduce. Records it (the simulation then fails at
     * its next step) and returns the exception the caller gets. Any thread.
     */
    RejectedExecutionException refuseForeignTask(Thread from);
}
