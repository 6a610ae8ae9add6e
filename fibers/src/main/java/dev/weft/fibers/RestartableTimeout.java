package dev.weft.fibers;

import java.time.Duration;
import java.util.Objects;

/**
 * A timeout object that can be started, cancelled and started again (gevent's {@code Timeout}
 * used with {@code start()}, {@code cancel()} and {@code pending}), for limits that are reset as
 * work goes on, such as an idle timeout restarted at every message:
 *
 * <pre>{@code
 * RestartableTimeout idle = new RestartableTimeout(Duration.ofSeconds(30));
 * idle.start();
 * try {
 *     while ((line = in.readLine()) != null) {
 *         handle(line);
 *         idle.start();              // the 30 s begin again
 *     }
 * } catch (FiberTimeoutException e) {
 *     if (!idle.owns(e)) throw e;    // someone else's timeout
 * } finally {
 *     idle.cancel();
 * }
 * }</pre>
 *
 * <p>Each {@link #start()} opens a {@link Timeout} for the calling fiber, which then behaves as any
 * open Timeout (its blocking calls throw {@link FiberTimeoutException} once it expires). Timeouts
 * nest: start and cancel it outside any try-with-resources {@code Timeout} block that is open
 * between the two, or {@link IllegalStateException} says so.
 *
 * <p>Thread rule: the fiber that started it; one fiber at a time.
 */
public final class RestartableTimeout {
    private final Duration duration;
    /** The open Timeout of the current run; null when not started or cancelled. */
    private Timeout current;
    /** The Timeout of the latest run, for {@link #owns}. */
    private Timeout latest;

    /** A timeout of {@code duration}, not started. Any thread. */
    public RestartableTimeout(Duration duration) {
        this.duration = Objects.requireNonNull(duration, "duration");
    }

    /**
     * Starts it for the calling fiber; if it was running, it starts over (the time already spent
     * does not count).
     *
     * @throws NotInFiberException outside a fiber
     * @throws IllegalStateException if it runs in another fiber, or a Timeout opened after it is still open
     */
    public void start() {
        cancel();
        current = Timeout.after(duration);
        latest = current;
    }

    /** Stops it; later blocking calls are no longer limited by it. Idempotent. */
    public void cancel() {
        Timeout t = current;
        if (t != null) {
            t.close();
            current = null;
        }
    }

    /** Whether it was started and has neither expired nor been cancelled (gevent's {@code pending}). */
    public boolean isPending() {
        return current != null && !current.isExpired();
    }

    /** Whether {@code e} was thrown because this timeout expired (in its latest run). */
    public boolean owns(FiberTimeoutException e) {
        return latest != null && e.is(latest);
    }

    /**
     * Whether {@code failure} is, or wraps in its cause chain, this timeout's expiry (in its latest
     * run): a library that wrapped it, as pgjdbc's connect does (see {@link FiberTimeoutException#is(Throwable, Timeout)}).
     */
    public boolean owns(Throwable failure) {
        return latest != null && FiberTimeoutException.is(failure, latest);
    }

    /** The duration of every run. */
    public Duration duration() {
        return duration;
    }

    @Override
    public String toString() {
        return "RestartableTimeout(" + duration + (isPending() ? ", pending" : "") + ")";
    }
}
