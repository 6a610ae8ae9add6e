package dev.weft.fibers;

/**
 * A {@link Queue} that hands out the newest item first (gevent's {@code LifoQueue}): a stack that
 * fibers can wait on. Everything else is {@link Queue}'s: waiting getters and putters are served in
 * FIFO order, nothing is lost on a timeout or a kill, {@code close} ends it.
 *
 * @param <T> the item type
 */
public final class LifoQueue<T> extends Queue<T> {
    /** An unbounded LIFO queue on the current hub. Hub thread. */
    public LifoQueue() {
        super(Integer.MAX_VALUE, QueueStore.lifo());
    }

    /**
     * A LIFO queue holding at most {@code capacity} items. Hub thread.
     *
     * @throws IllegalArgumentException if {@code capacity < 1}
     */
    public LifoQueue(int capacity) {
        super(checkCapacity(capacity), QueueStore.lifo());
    }
}
