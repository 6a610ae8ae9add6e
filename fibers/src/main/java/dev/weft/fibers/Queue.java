package dev.weft.fibers;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;

/**
 * A FIFO queue between fibers of one hub, unbounded or bounded. {@link #get()} blocks while it is
 * empty, {@link #put} while a bounded queue is full; waiting getters are served in the order they
 * started waiting, and so are waiting putters.
 *
 * <p><b>Nothing is lost or duplicated.</b> A get that times out, is killed or hits an enclosing
 * {@link Timeout} has taken nothing: the item it might have received stays in the queue for the
 * next getter. A put that times out, is killed or fails has added nothing; a put that returned
 * normally added its item exactly once.
 *
 * <p>{@link #close()} ends the queue: later puts throw {@link QueueClosedException}; getters take
 * what is left, then get throws {@link QueueClosedException} (and poll returns null). Waiting
 * putters wake at once with that exception, their items not added.
 *
 * <p>Thread rule: fibers of the hub that created it, and that hub's thread
 * ({@link dev.weft.hub.WrongThreadException} otherwise). Other threads hand items over through
 * {@link Hub#execute}. Null items are not allowed.
 *
 * @param <T> the item type
 */
public final class Queue<T> {
    /* Implementation notes.
     *
     * Items never leave `items` except in take(), which runs in the fiber that returns the item.
     * A waiting getter is not handed an item; it is *signalled*: one item in `items` is reserved
     * for it (reservedItems counts signalled getters that have not resumed yet). Invariants:
     *   - getters wait only while items.size() <= reservedItems (no unreserved item exists);
     *   - a non-waiting get may take only an unreserved item (items.size() > reservedItems), so
     *     newcomers never overtake waiting getters (FIFO);
     *   - a signalled getter that resumes takes one item; one that instead leaves by an exception
     *     (kill, Timeout, close) or whose deadline won gives its reservation back and passes it to
     *     the next waiting getter. The item itself never moved, so nothing is lost.
     * Putters mirror this with free slots: reservedSlots counts signalled putters, and a putter
     * adds its item only when it resumes, so a putter that times out or is killed added nothing.
     */

    private final Hub hub;
    private final int capacity;
    private final ArrayDeque<T> items = new ArrayDeque<>();
    private final ArrayDeque<Waiting> getters = new ArrayDeque<>();
    private final ArrayDeque<Waiting> putters = new ArrayDeque<>();
    private int reservedItems;
    private int reservedSlots;
    private boolean closed;

    /** A fiber waiting in get or put, and whether a reservation was made for it. */
    private static final class Waiting {
        final Fiber<?> fiber;
        boolean signalled;

        Waiting(Fiber<?> fiber) {
            this.fiber = fiber;
        }
    }

    /** An unbounded queue on the current hub. Hub thread. */
    public Queue() {
        this(Integer.MAX_VALUE);
    }

    /**
     * A queue holding at most {@code capacity} items on the current hub. Hub thread.
     *
     * @throws IllegalArgumentException if {@code capacity < 1}
     */
    public Queue(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, not " + capacity);
        }
        this.hub = Hub.current();
        this.capacity = capacity;
    }

    // ---------------------------------------------------------------- put side

    /**
     * Adds {@code item} at the tail, waiting while the queue is full. Blocks the calling fiber until
     * one of these happens: there is room (the item is added), the queue is closed
     * ({@link QueueClosedException}), the fiber is killed ({@link FiberKilledError}), an enclosing
     * {@link Timeout} expires ({@link FiberTimeoutException}), or nothing could ever make room
     * ({@link BlockedForeverException}). In every exceptional case the item was not added.
     */
    public void put(T item) {
        putUntil(item, Long.MAX_VALUE, "Queue.put");
    }

    /**
     * Adds {@code item} if there is room now; never blocks.
     *
     * @return false if the queue is full
     * @throws QueueClosedException if the queue is closed
     */
    public boolean offer(T item) {
        Objects.requireNonNull(item, "item");
        hub.checkThread("Queue.offer");
        ensureOpen();
        if (hasFreeSlot()) {
            add(item);
            return true;
        }
        return false;
    }

    /**
     * {@link #put} for at most {@code timeout}.
     *
     * @return true if the item was added, false if the timeout passed first (it was not added)
     */
    public boolean offer(T item, Duration timeout) {
        return putUntil(item, Deadlines.after(timeout), "Queue.offer");
    }

    private boolean putUntil(T item, long deadline, String what) {
        Objects.requireNonNull(item, "item");
        hub.checkThread(what);
        ensureOpen();
        if (hasFreeSlot()) {
            add(item);
            return true;
        }
        Fiber<?> me = hub.runningFiber(what);
        Waiting w = new Waiting(me);
        putters.addLast(w);
        boolean added = false;
        try {
            while (true) {
                boolean woken = me.parkUntil(this, deadline);
                if (w.signalled) {
                    w.signalled = false;
                    reservedSlots--;
                    ensureOpen();
                    add(item);
                    added = true;
                    return true;
                }
                ensureOpen();
                if (!woken) {
                    return false;
                }
            }
        } finally {
            if (!added) {
                leave(w, putters, false);
            }
        }
    }

    private boolean hasFreeSlot() {
        return capacity == Integer.MAX_VALUE || items.size() + reservedSlots < capacity;
    }

    private void add(T item) {
        items.addLast(item);
        signalGetterIfItemFree();
    }

    // ---------------------------------------------------------------- get side

    /**
     * Removes and returns the head item, waiting while the queue is empty. Blocks the calling fiber
     * until one of these happens: an item is available, the queue is closed and empty
     * ({@link QueueClosedException}), the fiber is killed ({@link FiberKilledError}), an enclosing
     * {@link Timeout} expires ({@link FiberTimeoutException}), or nothing could ever put an item
     * ({@link BlockedForeverException}). In every exceptional case nothing was taken.
     */
    public T get() {
        return getUntil(Long.MAX_VALUE, true, "Queue.get");
    }

    /** Removes and returns the head item if there is one now; null if empty (or closed and empty). Never blocks. */
    public T poll() {
        hub.checkThread("Queue.poll");
        return items.size() > reservedItems ? take() : null;
    }

    /**
     * {@link #get()} for at most {@code timeout}.
     *
     * @return the item, or null if the timeout passed first (or the queue is closed and empty)
     */
    public T poll(Duration timeout) {
        return getUntil(Deadlines.after(timeout), false, "Queue.poll");
    }

    private T getUntil(long deadline, boolean throwIfClosed, String what) {
        hub.checkThread(what);
        if (items.size() > reservedItems) {
            return take();
        }
        if (closed) {
            return closedAndEmpty(throwIfClosed);
        }
        Fiber<?> me = hub.runningFiber(what);
        Waiting w = new Waiting(me);
        getters.addLast(w);
        boolean took = false;
        try {
            while (true) {
                boolean woken = me.parkUntil(this, deadline);
                if (w.signalled) {
                    w.signalled = false;
                    reservedItems--;
                    took = true;
                    return take();
                }
                if (closed) {
                    return closedAndEmpty(throwIfClosed);
                }
                if (!woken) {
                    return null;
                }
            }
        } finally {
            if (!took) {
                leave(w, getters, true);
            }
        }
    }

    private T take() {
        T item = items.pollFirst();
        signalPutterIfSlotFree();
        return item;
    }

    private T closedAndEmpty(boolean throwIfClosed) {
        if (throwIfClosed) {
            throw new QueueClosedException("the queue was closed and every item in it has been taken;"
                    + " no more items will come (stop consuming)");
        }
        return null;
    }

    // ---------------------------------------------------------------- signalling

    private void signalGetterIfItemFree() {
        if (!getters.isEmpty() && items.size() > reservedItems) {
            Waiting g = getters.pollFirst();
            g.signalled = true;
            reservedItems++;
            g.fiber.unpark();
        }
    }

    private void signalPutterIfSlotFree() {
        if (!putters.isEmpty() && hasFreeSlot()) {
            Waiting p = putters.pollFirst();
            p.signalled = true;
            reservedSlots++;
            p.fiber.unpark();
        }
    }

    /** A waiter leaves without completing: drop it, or hand its reservation to the next in line. */
    private void leave(Waiting w, ArrayDeque<Waiting> line, boolean getter) {
        if (!w.signalled) {
            line.remove(w);
            return;
        }
        w.signalled = false;
        if (getter) {
            reservedItems--;
            signalGetterIfItemFree();
        } else {
            reservedSlots--;
            if (!closed) {
                signalPutterIfSlotFree();
            }
        }
    }

    // ---------------------------------------------------------------- closing and queries

    /**
     * Closes the queue: no more puts; getters drain what is left. Wakes every waiting fiber:
     * putters and getters of an empty queue throw {@link QueueClosedException}. Idempotent. Hub thread.
     */
    public void close() {
        hub.checkThread("Queue.close");
        if (closed) {
            return;
        }
        closed = true;
        for (Waiting p : putters) {
            p.fiber.unpark();
        }
        for (Waiting g : getters) {
            g.fiber.unpark();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new QueueClosedException("put on a closed queue: the item was not added");
        }
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    /** Items in the queue now (including those reserved for getters about to resume). */
    public int size() {
        return items.size();
    }

    /** Whether no item is in the queue. */
    public boolean isEmpty() {
        return items.isEmpty();
    }

    /** The capacity; {@link Integer#MAX_VALUE} for an unbounded queue. */
    public int capacity() {
        return capacity;
    }

    @Override
    public String toString() {
        return "Queue(size " + items.size() + (capacity == Integer.MAX_VALUE ? "" : " of " + capacity)
                + (closed ? ", closed" : "") + ", " + getters.size() + " getters and " + putters.size()
                + " putters waiting)";
    }
}
