package dev.weft.fibers;

import dev.weft.hub.EventLoop;
import dev.weft.hub.Timer;

/**
 * The deadline timer of one fiber's timed parks ({@link FiberCore#parkUntil}), kept armed from one
 * park to the next and re-checked when it fires, as Netty's {@code IdleStateHandler} does: a fiber
 * that parks again and again with a deadline a fixed time ahead (a socket timeout on every read that
 * waits) arms one timer per timeout period, instead of arming and cancelling one per park (a sift
 * through the hub's timer heap each way, a measured 5 % of an HTTP server's CPU per request).
 *
 * <p>When the timer fires: if the fiber is in a timed park whose deadline has passed, it is woken
 * with {@link #passed} set; if the deadline is later, the timer is armed again for it; if the fiber
 * is not in a timed park, the timer is dropped. A park with an earlier deadline than the armed timer
 * re-arms it earlier. A park without a deadline and the fiber's end cancel it ({@link #drop()}), so
 * that a kept timer never keeps the loop awake or delays the hub's blocked-forever report beyond a
 * deadline the fiber is not waiting for.
 *
 * <p>Thread rule: the hub thread.
 */
final class ParkDeadline implements Runnable {
    private final FiberCore fiber;
    private final EventLoop loop;
    /** The armed timer, or null. */
    private Timer timer;
    /** The deadline of the timed park under way ({@link System#nanoTime()}), or {@link Long#MAX_VALUE}. */
    private long deadline = Long.MAX_VALUE;
    /** Set when the deadline of the park under way woke the fiber. */
    boolean passed;

    ParkDeadline(FiberCore fiber, EventLoop loop) {
        this.fiber = fiber;
        this.loop = loop;
    }

    /** A timed park until {@code deadline} begins: makes sure a timer fires by then. */
    void begin(long deadline) {
        this.deadline = deadline;
        passed = false;
        Timer t = timer;
        if (t == null || t.deadline() - deadline > 0) {
            if (t != null) {
                loop.cancel(t);
            }
            timer = loop.scheduleAt(deadline, this);
        }
    }

    /** The timed park is over (woken, timed out or interrupted); the timer stays armed for the next one. */
    void end() {
        deadline = Long.MAX_VALUE;
    }

    /** Cancels the armed timer, if any: no timed park follows soon (an untimed park, the fiber's end). */
    void drop() {
        Timer t = timer;
        if (t != null) {
            timer = null;
            loop.cancel(t);
        }
    }

    @Override
    public void run() {
        timer = null;
        long d = deadline;
        if (d == Long.MAX_VALUE || fiber.state != FiberState.WAITING) {
            return; // not in a timed park: nothing to wake; the next timed park arms a timer again
        }
        if (loop.nanoTime() - d >= 0) {
            passed = true;
            fiber.unpark();
        } else {
            timer = loop.scheduleAt(d, this); // a later park moved the deadline: check again then
        }
    }
}
