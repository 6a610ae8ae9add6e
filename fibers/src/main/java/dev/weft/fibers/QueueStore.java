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
     *
     * <p>Exception-safe whatever the comparator does (throws, or is inconsistent): {@link #add} and
     * {@link #poll} first find where the entries go, comparing without moving anything, and only
     * then move them, which cannot fail. A comparator that throws leaves the heap as it was (the
     * exception reaches the caller: nothing added, nothing taken); one that is inconsistent may give
     * a wrong order, never a lost or duplicated item. (java.util.PriorityQueue moves entries while
     * it compares: a throwing comparator loses one item and duplicates another.)
     */
    final class Heap<T> implements QueueStore<T> {
        private record Entry<T>(T item, long seq) {
        }

        private final Comparator<? super T> order;
        private Object[] heap = new Object[16];
        private int size;
        private long nextSeq;

        Heap(Comparator<? super T> order) {
            this.order = order;
        }

        @SuppressWarnings("unchecked")
        private Entry<T> at(int i) {
            return (Entry<T>) heap[i];
        }

        /** Whether {@code a} comes out before {@code b}; may throw (the comparator's exception). */
        private boolean before(Entry<T> a, Entry<T> b) {
            int c = order.compare(a.item, b.item);
            return c < 0 || (c == 0 && a.seq < b.seq);
        }

        @Override
        public void add(T item) {
            Entry<T> e = new Entry<>(item, nextSeq);
            int pos = size;
            while (pos > 0 && before(e, at((pos - 1) >>> 1))) { // compares only
                pos = (pos - 1) >>> 1;
            }
            if (size == heap.length) {
                heap = java.util.Arrays.copyOf(heap, size * 2);
            }
            for (int i = size; i > pos; i = (i - 1) >>> 1) { // moves only: the parents on the path down one level
                heap[i] = heap[(i - 1) >>> 1];
            }
            heap[pos] = e;
            size++;
            nextSeq++;
        }

        @Override
        public T poll() {
            if (size == 0) {
                return null;
            }
            Entry<T> head = at(0);
            int last = size - 1;
            Entry<T> x = at(last);
            int pos = 0;
            while (true) { // where the last entry goes once the head is gone: compares only
                int child = 2 * pos + 1;
                if (child >= last) {
                    break;
                }
                if (child + 1 < last && before(at(child + 1), at(child))) {
                    child++;
                }
                if (!before(at(child), x)) {
                    break;
                }
                pos = child;
            }
            // moves only: each entry on the path from the root to pos up one level (the path is pos's ancestors)
            int depth = 31 - Integer.numberOfLeadingZeros(pos + 1);
            for (int level = 1; level <= depth; level++) {
                int node = ((pos + 1) >>> (depth - level)) - 1;
                heap[(node - 1) >>> 1] = heap[node];
            }
            heap[pos] = x;
            heap[last] = null;
            size = last;
            return head.item;
        }

        @Override
        public T peek() {
            return size == 0 ? null : at(0).item;
        }

        @Override
        public int size() {
            return size;
        }
    }
}
