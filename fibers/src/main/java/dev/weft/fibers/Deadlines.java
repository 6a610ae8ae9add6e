package dev.weft.fibers;

import java.time.Duration;

/**
 * The one rule for every {@link Duration} Weft takes (see the package documentation, "Durations"):
 * {@code null} means no limit; zero or negative means do not wait (the call times out at once unless
 * it can complete without waiting); any positive duration works, however long — one of about 146 years or more means no limit, never an
 * {@link ArithmeticException}. Deadlines are values of {@link #now()} (the hub's clock);
 * {@link #NONE} ({@link Long#MAX_VALUE}) is "no deadline".
 */
public final class Deadlines {
    /** The deadline that never comes. */
    public static final long NONE = Long.MAX_VALUE;

    /**
     * Waits at least this long (about 146 years) count as no limit: beyond it, differences of
     * {@link System#nanoTime()} values could no longer tell a deadline from a past one.
     */
    static final long FOREVER_NANOS = Long.MAX_VALUE / 2;

    private Deadlines() {
    }

    /**
     * The deadline {@code timeout} from now: {@link #NONE} for {@code null} or a duration too long to
     * represent; now (already passed) for zero or negative. Any thread.
     */
    public static long after(Duration timeout) {
        if (timeout == null) {
            return NONE;
        }
        long nanos;
        try {
            nanos = timeout.toNanos();
        } catch (ArithmeticException tooLong) {
            return timeout.isNegative() ? now() : NONE;
        }
        long now = now();
        if (nanos <= 0) {
            return now;
        }
        if (nanos >= FOREVER_NANOS) {
            return NONE;
        }
        // may wrap around as a number; nanoTime deadlines are only ever compared by difference
        long deadline = now + nanos;
        return deadline == NONE ? NONE - 1 : deadline;
    }

    /** Nanoseconds left until {@code deadline}, 0 if it passed, {@link Long#MAX_VALUE} for {@link #NONE}. Any thread. */
    public static long remaining(long deadline) {
        if (deadline == NONE) {
            return Long.MAX_VALUE;
        }
        return Math.max(0, deadline - now());
    }

    /**
     * The clock deadlines are made of: the calling thread's hub's ({@link Hub#nanoTime()}, virtual time
     * under the {@code sim} backend), or {@link System#nanoTime()} on a thread without a hub. Code
     * that measures elapsed time for a deadline, a timeout or an idle limit reads this, never
     * {@code System.nanoTime()}, so that it follows a simulation's clock. Any thread.
     */
    public static long now() {
        Hub h = Hub.currentOrNull();
        return h == null ? System.nanoTime() : h.nanoTime();
    }

    /**
     * The wall clock in milliseconds since the epoch: the calling thread's hub's ({@link
     * Hub#currentTimeMillis()}), or {@link System#currentTimeMillis()} on a thread without a hub. Any thread.
     */
    public static long currentTimeMillis() {
        Hub h = Hub.currentOrNull();
        return h == null ? System.currentTimeMillis() : h.currentTimeMillis();
    }
}
