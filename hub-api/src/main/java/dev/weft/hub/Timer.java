package dev.weft.hub;

/**
 * A one-shot timer scheduled on an {@link EventLoop}. Its action runs on the loop thread, after
 * the deadline, from the loop itself (not from a fiber): it must not block or switch.
 * Timers with equal deadlines run in the order they were scheduled.
 *
 * <p>Thread rule: loop thread only.
 */
public final class Timer {
    final long deadline;
    final long sequence;
    Runnable action;
    /** Position in the heap; -1 when not scheduled (fired or cancelled). */
    int index = -1;

    Timer(long deadline, long sequence, Runnable action) {
        this.deadline = deadline;
        this.sequence = sequence;
        this.action = action;
    }

    /** The deadline, in the units of the loop's clock ({@link EventLoop#nanoTime()}). */
    public long deadline() {
        return deadline;
    }

    /** Whether the timer is still waiting to fire. */
    public boolean isPending() {
        return index >= 0;
    }

    /** True if {@code this} fires before {@code other}. */
    boolean before(Timer other) {
        long d = deadline - other.deadline;
        return d < 0 || (d == 0 && sequence < other.sequence);
    }
}
