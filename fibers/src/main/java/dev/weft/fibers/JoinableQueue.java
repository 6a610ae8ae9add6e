package dev.weft.fibers;

import java.time.Duration;

/**
 * A FIFO {@link Queue} that counts unfinished tasks (gevent's {@code JoinableQueue}): every item
 * put adds one; a consumer calls {@link #taskDone()} when it has finished with an item it got; and
 * {@link #join()} waits until the count is back to zero — every item put has been got and handled.
 *
 * <pre>{@code
 * for (T item : queue) {           // until the queue is closed
 *     try { handle(item); } finally { queue.taskDone(); }
 * }
 * }</pre>
 *
 * <p>Everything else is {@link Queue}'s (FIFO waiters, nothing lost on a timeout or a kill). An
 * item that a timed-out or killed put did not add is not counted. Thread rule: hub thread.
 *
 * @param <T> the item type
 */
public final class JoinableQueue<T> extends Queue<T> {
    private long unfinished;
    /** Set while nothing is unfinished; {@link #join} waits on it (one park point: Event's). */
    private final Event allDone = new Event();

    /** An unbounded joinable queue on the current hub. Hub thread. */
    public JoinableQueue() {
        super(Integer.MAX_VALUE, QueueStore.fifo());
        allDone.set();
    }

    /**
     * A joinable queue holding at most {@code capacity} items. Hub thread.
     *
     * @throws IllegalArgumentException if {@code capacity < 1}
     */
    public JoinableQueue(int capacity) {
        super(checkCapacity(capacity), QueueStore.fifo());
        allDone.set();
    }

    @Override
    void added() {
        if (unfinished++ == 0) {
            allDone.clear();
        }
    }

    /**
     * Marks one item got earlier as handled; when none is left unfinished, every fiber in
     * {@link #join()} wakes. Hub thread.
     *
     * @throws IllegalStateException if called more times than items were put
     */
    public void taskDone() {
        checkThread("JoinableQueue.taskDone");
        if (unfinished == 0) {
            throw new IllegalStateException("taskDone() called more times than items were put into " + this);
        }
        if (--unfinished == 0) {
            allDone.set();
        }
    }

    /**
     * Waits until every item put has been marked {@linkplain #taskDone() done}; returns at once if
     * none is unfinished. Blocks the calling fiber until one of these happens: the count reaches zero,
     * the fiber is killed ({@link FiberKilledError}), an enclosing {@link Timeout} expires
     * ({@link FiberTimeoutException}), or no fiber could ever finish the tasks
     * ({@link BlockedForeverException}).
     */
    public void join() {
        checkThread("JoinableQueue.join");
        while (unfinished > 0) {
            allDone.await();
        }
    }

    /**
     * {@link #join()} for at most {@code timeout}.
     *
     * @return true if no task is unfinished, false if the timeout passed first
     */
    public boolean join(Duration timeout) {
        checkThread("JoinableQueue.join");
        long deadline = Deadlines.after(timeout);
        while (unfinished > 0) {
            if (!allDone.await(Duration.ofNanos(Deadlines.remaining(deadline))) && unfinished > 0) {
                return false;
            }
        }
        return true;
    }

    /** Items put and not yet marked done. */
    public long unfinishedTasks() {
        return unfinished;
    }
}
