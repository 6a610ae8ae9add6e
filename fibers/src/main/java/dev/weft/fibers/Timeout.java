package dev.weft.fibers;

import dev.weft.hub.Timer;
import java.time.Duration;

/**
 * A deadline for the blocking calls of the current fiber inside a try-with-resources block:
 *
 * <pre>{@code
 * try (Timeout t = Timeout.after(Duration.ofSeconds(2))) {
 *     line = socket.readLine();
 * } catch (FiberTimeoutException e) {
 *     if (!e.is(t)) throw e;   // an outer timeout: not ours to handle
 * }
 * }</pre>
 *
 * <p>When the deadline passes, the fiber's current blocking call (or, if it is running, its next
 * one) throws {@link FiberTimeoutException}. Once expired, <em>every</em> later blocking call inside
 * the block throws again, so catching it once cannot outlive the deadline; {@link #close()} ends
 * that. Timeouts nest; when several have expired the outermost one is thrown. A zero or negative
 * duration is already expired. A timeout that expires while the fiber runs without blocking does
 * not interrupt it.
 *
 * <p>Thread rule: a timeout belongs to the fiber that created it; only that fiber may close it.
 */
public final class Timeout implements AutoCloseable {
    private final Fiber<?> fiber;
    private final Duration duration;
    private final Timeout outer;
    private Timer timer;
    /** {@link System#nanoTime()} at which it expires. */
    private final long deadline;
    private boolean expired;
    private boolean closed;

    private Timeout(Fiber<?> fiber, Duration duration) {
        this.fiber = fiber;
        this.duration = duration;
        this.outer = fiber.timeouts;
        this.deadline = System.nanoTime() + duration.toNanos();
        fiber.timeouts = this;
    }

    /**
     * Starts a timeout of {@code duration} for the current fiber.
     *
     * @throws NotInFiberException outside a fiber
     */
    public static Timeout after(Duration duration) {
        Fiber<?> f = Hub.currentFiber("Timeout.after");
        Timeout t = new Timeout(f, duration);
        long nanos = duration.toNanos();
        if (nanos <= 0) {
            t.expire();
        } else {
            t.timer = f.hub.loop.schedule(nanos, t::expire);
        }
        return t;
    }

    private void expire() {
        timer = null;
        if (!closed) {
            expired = true;
            fiber.interrupt(Fiber.TIMEOUT);
        }
    }

    /**
     * Expires every timeout in the chain whose deadline has passed although its timer has not run
     * yet (the fiber ran without blocking past it), so that the next blocking call throws even when
     * the hub has not had control since. Called by the park point, only when timeouts are open.
     */
    static void expireDue(Timeout innermost) {
        long now = System.nanoTime();
        for (Timeout t = innermost; t != null; t = t.outer) {
            if (!t.expired && t.deadline - now <= 0) {
                if (t.timer != null) {
                    t.fiber.hub.loop.cancel(t.timer);
                }
                t.expire();
            }
        }
    }

    /** Whether the deadline has passed (while open). */
    public boolean isExpired() {
        return expired;
    }

    /** The duration it was started with. */
    public Duration duration() {
        return duration;
    }

    /** Cancels the timeout; later blocking calls are no longer limited by it. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (fiber.hub.current != fiber) {
            throw new IllegalStateException(this + " belongs to fiber " + fiber + "; only that fiber may close it");
        }
        if (fiber.timeouts != this) {
            throw new IllegalStateException(this + " was closed while a timeout opened inside it is still open;"
                    + " close timeouts innermost first (use try-with-resources)");
        }
        closed = true;
        if (timer != null) {
            fiber.hub.loop.cancel(timer);
            timer = null;
        }
        fiber.timeouts = outer;
        if (outermostExpired(fiber.timeouts) == null) {
            fiber.interrupts &= ~Fiber.TIMEOUT;
        }
    }

    FiberTimeoutException newException() {
        return new FiberTimeoutException(this);
    }

    /** The outermost expired, open timeout in the chain starting at {@code innermost}, or null. */
    static Timeout outermostExpired(Timeout innermost) {
        Timeout found = null;
        for (Timeout t = innermost; t != null; t = t.outer) {
            if (t.expired) {
                found = t;
            }
        }
        return found;
    }

    @Override
    public String toString() {
        return "Timeout(" + duration + ")";
    }
}
