package dev.weft.fibers;

import java.time.Duration;

/** Deadline arithmetic in {@link System#nanoTime()} units, saturating instead of overflowing. */
final class Deadlines {
    private Deadlines() {
    }

    /** The deadline {@code timeout} from now; {@link Long#MAX_VALUE} (none) if that is out of range. */
    static long after(Duration timeout) {
        long nanos;
        try {
            nanos = timeout.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
        long now = System.nanoTime();
        long deadline = now + nanos;
        if (nanos > 0 && deadline - now < 0) {
            return Long.MAX_VALUE;
        }
        return deadline == Long.MAX_VALUE ? Long.MAX_VALUE - 1 : deadline;
    }
}
