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
 * one) throws {@link FiberTimeoutException}, <em>once</em>, as gevent's {@code Timeout} does: a
 * fiber that catches it and carries on inside the block blocks without this limit from then on
 * (so a catch-and-retry loop waits normally instead of spinning). {@link #sticky(Duration)} opts
 * into the other rule: once expired, every later blocking call inside the block throws again,
 * so catching it once cannot outlive the deadline; each of those later throws first switches
 * through the hub (timers, I/O and other fibers run), so a retry loop cannot freeze the hub.
 * Timeouts nest; when several have expired the outermost one is thrown. A timeout that expires
 * while the fiber runs without blocking does not interrupt it: its next blocking call throws.
 *
 * <p>Durations (the package rule): {@code null} never expires; zero or negative is expired at once
 * (the next blocking call throws); any positive duration works, however long.
 *
 * <p>Thread rule: a timeout belongs to the fiber that created it (and, inside a fiber that uses
 * {@link Greenlet}s, to the greenlet that created it); only that fiber (greenlet) may close it.
 */
public final class Timeout implements AutoCloseable {
    private final FiberCore fiber;
    private final Duration duration;
    private final Timeout outer;
    private final boolean sticky;
    /** What created it when it is not the user's own (Fiber.get, AsyncResult.get), for messages. */
    private final String owner;
    private Timer timer;
    /** The hub clock's reading ({@link Deadlines#now()}) at which it expires ({@link Deadlines#NONE}: never). */
    private final long deadline;
    private boolean expired;
    /** Whether its exception was thrown (a non-sticky timeout is then spent). */
    private boolean delivered;
    private boolean closed;

    private Timeout(FiberCore fiber, Duration duration, boolean sticky, String owner) {
        this.fiber = fiber;
        this.duration = duration;
        this.sticky = sticky;
        this.owner = owner;
        this.outer = fiber.timeouts;
        this.deadline = Deadlines.after(duration);
        fiber.timeouts = this;
    }

    /**
     * Starts a timeout of {@code duration} for the current fiber; it fires once (see the class comment).
     *
     * @throws NotInFiberException outside a fiber
     */
    public static Timeout after(Duration duration) {
        return start(duration, false, null, "Timeout.after");
    }

    /**
     * Starts a sticky timeout: once expired, every blocking call inside the block throws, each after
     * a switch through the hub, until the timeout is closed.
     *
     * @throws NotInFiberException outside a fiber
     */
    public static Timeout sticky(Duration duration) {
        return start(duration, true, null, "Timeout.sticky");
    }

    /** A timeout that limits one of Weft's own timed waits ({@code owner} names it in messages). */
    static Timeout internal(Duration duration, String owner) {
        return start(duration, false, owner, owner);
    }

    private static Timeout start(Duration duration, boolean sticky, String owner, String what) {
        FiberCore f = Hub.currentFiber(what);
        Timeout t = new Timeout(f, duration, sticky, owner);
        if (t.deadline == Deadlines.NONE) {
            return t;
        }
        long nanos = t.deadline - f.hub.loop.nanoTime();
        if (nanos <= 0) {
            t.expire();
        } else {
            t.timer = f.hub.loop.scheduleAt(t.deadline, t::expire);
        }
        return t;
    }

    private void expire() {
        timer = null;
        if (!closed) {
            expired = true;
            fiber.interrupt(FiberCore.TIMEOUT);
        }
    }

    /**
     * Expires every timeout in the chain whose deadline has passed although its timer has not run
     * yet (the fiber ran without blocking past it), so that the next blocking call throws even when
     * the hub has not had control since; and marks a pending re-delivery of a sticky timeout. Called
     * by the park point, only when timeouts are open.
     */
    static void expireDue(Timeout innermost) {
        long now = innermost.fiber.hub.loop.nanoTime();
        for (Timeout t = innermost; t != null; t = t.outer) {
            if (!t.expired && !t.delivered && t.deadline != Deadlines.NONE && t.deadline - now <= 0) {
                if (t.timer != null) {
                    t.fiber.hub.loop.cancel(t.timer);
                }
                t.expire();
            } else if (t.expired && t.delivered && t.sticky) {
                t.fiber.interrupts |= FiberCore.TIMEOUT | FiberCore.REDELIVER;
            }
        }
    }

    /** The exception for this expired timeout, marking it delivered (a non-sticky one is then spent). */
    FiberTimeoutException deliver() {
        delivered = true;
        if (!sticky) {
            expired = false; // spent: it no longer limits later calls
            if (outermostExpired(fiber.timeouts) == null) {
                fiber.interrupts &= ~FiberCore.TIMEOUT;
            }
        }
        return new FiberTimeoutException(this);
    }

    /**
     * Expires this timeout again after its exception was caught by a primitive whose wait had
     * completed meanwhile (see {@link FiberCore#interruptAgain}): the fiber's next blocking call throws
     * it. False if it is closed or belongs to another fiber (nothing to do).
     */
    boolean expireAgain(FiberCore f) {
        if (closed || fiber != f) {
            return false;
        }
        expired = true;
        f.interrupts |= FiberCore.TIMEOUT;
        return true;
    }

    /** Whether the deadline has passed (while open); stays true after its exception was thrown. */
    public boolean isExpired() {
        return expired || delivered;
    }

    /** Whether it re-throws at every blocking call once expired ({@link #sticky(Duration)}). */
    public boolean isSticky() {
        return sticky;
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
            boolean inChain = false;
            for (Timeout t = fiber.timeouts; t != null && !inChain; t = t.outer) {
                inChain = t == this;
            }
            throw new IllegalStateException(inChain
                    ? this + " was closed while a timeout opened inside it is still open; close timeouts innermost"
                            + " first (use try-with-resources)"
                    : this + " was opened in another greenlet of fiber " + fiber + "; only the greenlet that opened it"
                            + " may close it");
        }
        closed = true;
        if (timer != null) {
            fiber.hub.loop.cancel(timer);
            timer = null;
        }
        fiber.timeouts = outer;
        if (outermostExpired(fiber.timeouts) == null) {
            fiber.interrupts &= ~FiberCore.TIMEOUT;
        }
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
        return "Timeout(" + duration + (sticky ? ", sticky" : "") + (owner == null ? "" : ", of " + owner) + ")";
    }
}
