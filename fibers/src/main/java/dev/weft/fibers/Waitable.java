package dev.weft.fibers;

import java.time.Duration;
import java.util.Collection;
import java.util.List;

/**
 * Something a fiber can wait for together with others: a {@link Fiber} (ready once it has ended),
 * an {@link Event} (ready while set, or once set since the wait began) and an {@link AsyncResult}
 * (ready once completed). The static methods are gevent's {@code wait} and {@code iwait}: wait for
 * any, for all, for a count of them, or iterate over them as they become ready.
 *
 * <p>Every wait here parks the calling fiber once, at the fiber's one park point, and wakes when
 * one of the objects becomes ready; waiting takes nothing from them (a fiber's failure is still
 * reported to whoever {@linkplain Fiber#get() gets} it, or to the hub's uncaught handler). Thread
 * rule: fibers of the hub the objects belong to ({@link IllegalArgumentException} for an object of
 * another hub).
 */
public sealed interface Waitable permits Fiber, Event, AsyncResult {

    /** Whether waiting for it would return at once: the fiber ended, the event is set, the result is in. Hub thread. */
    boolean isReady();

    /**
     * Waits until at least one of {@code objects} is ready and returns it (the first ready one in
     * the collection's order). Blocks the calling fiber until one of these happens: one is ready,
     * the fiber is killed ({@link FiberKilledError}), an enclosing {@link Timeout} expires
     * ({@link FiberTimeoutException}), or nothing could ever make one ready
     * ({@link BlockedForeverException}).
     *
     * @throws IllegalArgumentException if {@code objects} is empty (it would wait forever)
     */
    static <W extends Waitable> W waitAny(Collection<? extends W> objects) {
        List<W> ready = WaitMany.await(objects, 1, Deadlines.NONE, "Waitable.waitAny");
        return ready.get(0);
    }

    /**
     * {@link #waitAny(Collection)} for at most {@code timeout}.
     *
     * @return a ready object, or null if the timeout passed first
     */
    static <W extends Waitable> W waitAny(Collection<? extends W> objects, Duration timeout) {
        List<W> ready = WaitMany.await(objects, 1, Deadlines.after(timeout), "Waitable.waitAny");
        return ready.isEmpty() ? null : ready.get(0);
    }

    /**
     * Waits until every one of {@code objects} is ready (gevent's {@code wait(objects)}); blocks as
     * {@link #waitAny(Collection)} does. Returns at once for an empty collection.
     */
    static void waitAll(Collection<? extends Waitable> objects) {
        WaitMany.await(objects, Integer.MAX_VALUE, Deadlines.NONE, "Waitable.waitAll");
    }

    /**
     * {@link #waitAll(Collection)} for at most {@code timeout}.
     *
     * @return the objects ready when it returned, in the collection's order: all of them unless the
     *         timeout passed first
     */
    static <W extends Waitable> List<W> waitAll(Collection<? extends W> objects, Duration timeout) {
        return WaitMany.await(objects, Integer.MAX_VALUE, Deadlines.after(timeout), "Waitable.waitAll");
    }

    /**
     * Waits until {@code count} of {@code objects} are ready, or {@code timeout} (null: no limit)
     * passes (gevent's {@code wait(objects, timeout, count)}); a count above the collection's size
     * means all of them.
     *
     * @return the objects ready when it returned, in the collection's order (at least {@code count},
     *         or all, unless the timeout passed first)
     * @throws IllegalArgumentException if {@code count < 1}
     */
    static <W extends Waitable> List<W> waitAll(Collection<? extends W> objects, int count, Duration timeout) {
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1, not " + count);
        }
        return WaitMany.await(objects, count, Deadlines.after(timeout), "Waitable.waitAll");
    }

    /**
     * Iterates over {@code objects} in the order they become ready (gevent's {@code iwait}): each
     * {@code hasNext()} waits, as {@link #waitAny(Collection)} does, until one not yet returned is
     * ready; the iteration ends when all were returned or once {@code timeout} (null: no limit,
     * counted from this call) has passed. Objects ready together come in the collection's order. An
     * {@link Event} counts as ready once it has been set since the iteration began ({@code
     * iterator()}), even if it was cleared again while the consumer handled an earlier object.
     */
    static <W extends Waitable> Iterable<W> iwait(Collection<? extends W> objects, Duration timeout) {
        long deadline = Deadlines.after(timeout);
        return () -> new WaitMany.Iwait<>(objects, deadline);
    }
}
