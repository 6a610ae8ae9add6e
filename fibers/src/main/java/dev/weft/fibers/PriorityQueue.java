package dev.weft.fibers;

import java.util.Comparator;

/**
 * A {@link Queue} that hands out the smallest item first (gevent's {@code PriorityQueue}), by a
 * {@link Comparator} or by the items' natural order; items that compare equal come out in the order
 * they were put (gevent's heap does not promise that; here it costs one counter per item).
 * Everything else is {@link Queue}'s: waiting getters and putters are served in FIFO order, nothing
 * is lost on a timeout or a kill, {@code close} ends it.
 *
 * <p>A comparator that throws: the {@code put}, {@code offer}, {@code get} or {@code poll} that
 * called it throws its exception, having added or taken nothing; the queue stays as it was (nothing
 * lost or duplicated, unlike {@link java.util.PriorityQueue}, whose heap is not exception-safe), and
 * a waiting putter or getter whose turn it was passes it on. An inconsistent comparator may give a
 * wrong order, never a lost or duplicated item.
 *
 * <p>Not to be confused with {@link java.util.PriorityQueue}, which never waits.
 *
 * @param <T> the item type
 */
public final class PriorityQueue<T> extends Queue<T> {
    /**
     * An unbounded queue ordered by {@code order}. Hub thread.
     *
     * @throws NullPointerException if {@code order} is null
     */
    public PriorityQueue(Comparator<? super T> order) {
        super(Integer.MAX_VALUE, QueueStore.priority(order));
    }

    /**
     * A queue ordered by {@code order}, holding at most {@code capacity} items. Hub thread.
     *
     * @throws IllegalArgumentException if {@code capacity < 1}
     */
    public PriorityQueue(int capacity, Comparator<? super T> order) {
        super(checkCapacity(capacity), QueueStore.priority(order));
    }

    /**
     * An unbounded queue of {@link Comparable} items in their natural order. Hub thread.
     * Putting an item that is not {@code Comparable} throws {@link ClassCastException} (nothing added).
     */
    public static <T extends Comparable<? super T>> PriorityQueue<T> natural() {
        return new PriorityQueue<>(Comparator.<T>naturalOrder());
    }
}
