package dev.weft.fibers;

import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Objects;

/**
 * Where a {@link Queue} keeps its items, and so in which order they come out: first in first out
 * ({@link Queue}, {@link JoinableQueue}), last in first out ({@link LifoQueue}), or smallest first
 * ({@link PriorityQueue}). The waiting and hand-off logic is the queue's and does not depend on the
 * order: a getter is promised "one item", never a particular one. Hub thread, not thread-safe.
 *
 * @param <T> the item type
 */
interface QueueStore<T> {
    void add(T item);

    /** Removes and returns the next item; null if empty. */
    T poll();

    /** The next item without removing it; null if empty. */
    T peek();

    int size();

    /** First in, first out. */
    static <T> QueueStore<T> fifo() {
        return new Deque<>(true);
    }

    /** Last in, first out. */
    static <T> QueueStore<T> lifo() {
        return new Deque<>(false);
    }

    /** Smallest first by {@code order}; items that compare equal come out in the order they were added. */
    static <T> QueueStore<T> priority(Comparator<? super T> order) {
        return new Heap<>(Objects.requireNonNull(order, "order"));
    }

    /** An {@link ArrayDeque} read from the head (FIFO) or from the tail (LIFO). */
    final class Deque<T> implements QueueStore<T> {
        private final ArrayDeque<T> items = new ArrayDeque<>();
        private final boolean fifo;

        Deque(boolean fifo) {
            this.fifo = fifo;
        }

        @Override
        public void add(T item) {
            items.addLast(item);
        }

        @Override
        public T poll() {
            return fifo ? items.pollFirst() : items.pollLast();
        }

        @Override
        public T peek() {
            return fifo ? items.peekFirst() : items.peekLast();
        }

        @Override
        public int size() {
            return items.size();
        }
    }

    /**
     * A binary heap of (item, arrival number) pairs: the arrival number breaks ties, so that equal
     * items keep their order (java.util.PriorityQueue alone does not promise that).
     */
    final class Heap<T> implements QueueStore<T> {
        private record Entry<T>(T item, long seq) {
        }

        private final java.util.PriorityQueue<Entry<T>> heap;
        private long nextSeq;

        Heap(Comparator<? super T> order) {
            Comparator<Entry<T>> byItem = (a, b) -> order.compare(a.item, b.item);
            this.heap = new java.util.PriorityQueue<>(byItem.thenComparingLong(Entry::seq));
        }

        @Override
        public void add(T item) {
            heap.add(new Entry<>(item, nextSeq++));
        }

        @Override
        public T poll() {
            Entry<T> e = heap.poll();
            return e == null ? null : e.item;
        }

        @Override
        public T peek() {
            Entry<T> e = heap.peek();
            return e == null ? null : e.item;
        }

        @Override
        public int size() {
            return heap.size();
        }
    }
}
