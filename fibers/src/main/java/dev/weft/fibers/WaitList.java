package dev.weft.fibers;

import java.util.ArrayDeque;

/**
 * The FIFO line of fibers waiting on one primitive (the getters and putters of a {@link Queue}, a
 * {@link Semaphore}). The first waiter is kept in a field and the rest in a deque made on first
 * need, so that the common case, one waiter, touches one small object instead of a deque and its
 * array: with thousands of active fibers, every object a wake-up touches is a likely cache miss.
 * {@link Event} and {@link AsyncResult} <em>extend</em> it, for the same reason: their waiters live
 * in the object that a set or a wait touches anyway. A fiber is in a line at most once. Hub
 * thread; not thread-safe.
 */
class WaitList {
    /** The oldest waiter; null only when the line is empty. */
    private Fiber<?> first;
    /** The waiters after {@link #first}, oldest first; null until a second waiter comes. */
    private ArrayDeque<Fiber<?>> rest;

    boolean isEmpty() {
        return first == null;
    }

    int size() {
        return first == null ? 0 : 1 + (rest == null ? 0 : rest.size());
    }

    void addLast(Fiber<?> f) {
        if (first == null) {
            first = f;
        } else {
            if (rest == null) {
                rest = new ArrayDeque<>(4);
            }
            rest.addLast(f);
        }
    }

    /** Puts {@code f} at the head of the line (a waiter that must keep its turn). */
    void addFirst(Fiber<?> f) {
        if (first != null) {
            if (rest == null) {
                rest = new ArrayDeque<>(4);
            }
            rest.addFirst(first);
        }
        first = f;
    }

    /** Removes and returns the oldest waiter; null if none. */
    Fiber<?> pollFirst() {
        Fiber<?> f = first;
        if (f != null) {
            first = rest == null ? null : rest.pollFirst();
        }
        return f;
    }

    /** Makes every waiter runnable, leaving them in the line (each removes itself as it resumes). */
    void unparkAll() {
        if (first != null) {
            first.unpark();
            if (rest != null) {
                for (Fiber<?> f : rest) {
                    f.unpark();
                }
            }
        }
    }

    /** Removes {@code f} if it waits here; true if it did. */
    boolean remove(Fiber<?> f) {
        if (first == f && f != null) {
            pollFirst();
            return true;
        }
        return rest != null && rest.remove(f);
    }
}
