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
    private FiberCore first;
    /** The waiters after {@link #first}, oldest first; null until a second waiter comes. */
    private ArrayDeque<FiberCore> rest;

    boolean isEmpty() {
        return first == null;
    }

    int size() {
        return first == null ? 0 : 1 + (rest == null ? 0 : rest.size());
    }

    void addLast(FiberCore f) {
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
    void addFirst(FiberCore f) {
        if (first != null) {
            if (rest == null) {
                rest = new ArrayDeque<>(4);
            }
            rest.addFirst(first);
        }
        first = f;
    }

    /** The oldest waiter, left in the line; null if none. */
    FiberCore peekFirst() {
        return first;
    }

    /** Removes and returns the oldest waiter; null if none. */
    FiberCore pollFirst() {
        FiberCore f = first;
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
                for (FiberCore f : rest) {
                    f.unpark();
                }
            }
        }
    }

    /**
     * Parks {@code me} at the end of this line until {@link #signalFirst} takes it off (true) or
     * {@code deadline} passes (false); {@code blocker} is what reports say it waits on. The fiber is
     * its own node (a wait allocates nothing) and is off the line however the wait ends. A fiber
     * signalled and then killed or timed out before it resumed throws with {@link FiberCore#signalled}
     * still set, so a caller that was granted something can pass it on. Hub thread, in fiber {@code me}.
     */
    final boolean awaitSignal(FiberCore me, Object blocker, long deadline) {
        me.signalled = false;
        addLast(me);
        try {
            while (!me.signalled) {
                if (!me.parkUntil(blocker, deadline) && !me.signalled) {
                    return false;
                }
            }
            return true;
        } finally {
            if (!me.signalled) {
                remove(me);
            }
        }
    }

    /**
     * Takes the oldest waiter off the line, marks it {@link FiberCore#signalled} and makes it runnable;
     * null if none. A fiber that has ended while in the line (one the hub abandoned, see
     * {@link FiberCore#park}: its own clean-up never ran) is dropped, never granted anything.
     */
    final FiberCore signalFirst() {
        FiberCore f;
        while ((f = pollFirst()) != null && f.state.isDone()) {
            // abandoned: skip it
        }
        if (f != null) {
            f.signalled = true;
            f.unpark();
        }
        return f;
    }

    /** Removes {@code f} if it waits here; true if it did. */
    boolean remove(FiberCore f) {
        if (first == f && f != null) {
            pollFirst();
            return true;
        }
        return rest != null && rest.remove(f);
    }
}
