package dev.weft.fibers;

import java.time.Duration;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * A FIFO queue between fibers of one hub, unbounded or bounded. {@link #get()} blocks while it is
 * empty, {@link #put} while a bounded queue is full; waiting getters are served in the order they
 * started waiting, and so are waiting putters.
 *
 * <p><b>Nothing is lost or duplicated.</b> A get that times out, is killed or hits an enclosing
 * {@link Timeout} has taken nothing: the item it might have received stays in the queue for the
 * next getter. A put that times out, is killed or fails has added nothing; a put that returned
 * normally added its item exactly once. (A {@link PriorityQueue} whose comparator throws: the put or
 * get that called it throws that exception having added or taken nothing, and the slot or item it
 * was given passes to the next waiter.)
 *
 * <p>{@link #close()} ends the queue: later puts throw {@link QueueClosedException}; getters take
 * what is left, then get throws {@link QueueClosedException} (and poll returns null). Waiting
 * putters wake at once with that exception, their items not added.
 *
 * <p>Fairness: a blocking call ({@code put}, {@code get}, {@code peek} and their timed forms) that
 * completes without waiting spends one unit of the fiber's cooperative budget
 * ({@link Hub#spendBudget()}) before it moves anything, so a fiber that drains a full queue (or fills
 * an unbounded one) yields every 128 calls and timers, I/O and other fibers get their turn. The
 * non-blocking forms ({@code poll()}, {@code offer(item)}, {@code getNowait}) never switch.
 *
 * <p>Thread rule: fibers of the hub that created it, and that hub's thread
 * ({@link dev.weft.hub.WrongThreadException} otherwise). Other threads hand items over through
 * {@link Hub#execute}. Null items are not allowed.
 *
 * <p>The family: {@link LifoQueue} (newest first), {@link PriorityQueue} (smallest first),
 * {@link JoinableQueue} (with {@code taskDone}/{@code join}) share this class's waiting and hand-off
 * logic, so the guarantees above hold for each; {@link Channel} is the rendezvous form.
 *
 * @param <T> the item type
 */
public sealed class Queue<T> implements Iterable<T> permits LifoQueue, PriorityQueue, JoinableQueue {
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
     * Only the store knows which item comes out next; the counting above never depends on it.
     *
     * Capacity 0 (Channel, rendezvous): a free slot exists only while getters wait that no item or
     * signalled putter covers yet (demand = waiting + signalled getters, supply = items + signalled
     * putters). A getter that starts waiting therefore signals a putter. A signalled putter that
     * resumes after the demand vanished (its getter timed out) does not add; it waits again at the
     * head of the line. A signalled getter that leaves passes its item on; if no getter is left, the
     * item stays for the next get: nothing is lost, though the channel then briefly holds an item.
     */

    private final Hub hub;
    private final int capacity;
    private final QueueStore<T> items;
    /** Waiting getters and putters; a fiber's {@link FiberCore#signalled} says a reservation was made for it. */
    private final WaitList getters = new WaitList();
    private final WaitList putters = new WaitList();
    private int reservedItems;
    private int reservedSlots;
    private boolean closed;
    /**
     * Capacity 0 only: the items of the waiting putters, so that a non-blocking get can take one
     * straight from its putter (gevent's channel does); a putter whose entry is gone was handed over.
     */
    private final java.util.IdentityHashMap<FiberCore, T> offered;

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
        this(checkCapacity(capacity), QueueStore.fifo());
    }

    /** The family's constructor: {@code capacity} 0 is a rendezvous channel. Hub thread. */
    Queue(int capacity, QueueStore<T> store) {
        this.hub = Hub.current();
        this.capacity = capacity;
        this.items = store;
        this.offered = capacity == 0 ? new java.util.IdentityHashMap<>() : null;
    }

    static int checkCapacity(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, not " + capacity);
        }
        return capacity;
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
        hub.spendBudget(); // before anything moves: a put that completes at once counts (issue 23, item 11)
        ensureOpen();
        if (hasFreeSlot()) {
            add(item);
            return true;
        }
        FiberCore me = hub.runningFiber(what);
        me.signalled = false; // the fiber is its own node in the line
        putters.addLast(me);
        if (offered != null) {
            offered.put(me, item);
        }
        boolean added = false;
        try {
            while (true) {
                boolean woken;
                try {
                    woken = me.parkUntil(this, deadline);
                } catch (RuntimeException | Error interrupted) {
                    if (handedOver(me)) { // a poll took the item just before the kill or Timeout: the put is done
                        added = true;
                        me.interruptAgain(interrupted);
                        return true;
                    }
                    throw interrupted;
                }
                if (handedOver(me)) {
                    added = true;
                    return true;
                }
                if (me.signalled) {
                    me.signalled = false;
                    reservedSlots--;
                    ensureOpen();
                    if (capacity == 0 && !hasFreeSlot()) {
                        putters.addFirst(me); // rendezvous: the getter it was signalled for left; wait again
                        continue;
                    }
                    try {
                        add(item); // a PriorityQueue's comparator may throw: nothing added
                    } catch (Throwable t) {
                        signalPutterIfSlotFree(); // the slot it was given goes to the next putter
                        throw t;
                    }
                    added = true;
                    return true;
                }
                ensureOpen();
                if (!woken) {
                    return false;
                }
            }
        } finally {
            if (offered != null && !added) {
                offered.remove(me);
            }
            if (!added) {
                leave(me, putters, false);
            }
        }
    }

    /** Capacity 0: whether a non-blocking get took {@code putter}'s item while it waited. */
    private boolean handedOver(FiberCore putter) {
        return offered != null && !offered.containsKey(putter);
    }

    /**
     * Capacity 0: takes the item of the oldest waiting putter, if it is parked (a putter already woken
     * by its deadline or a kill keeps its item: its put reports what happened), and wakes it; its put
     * then returns normally. Null if there is none.
     */
    private T takeFromWaitingPutter() {
        FiberCore p = putters.peekFirst();
        if (p == null || p.state != FiberState.WAITING) {
            return null;
        }
        T item = offered.remove(p);
        if (item != null) {
            putters.remove(p);
            p.unpark();
        }
        return item;
    }

    private boolean hasFreeSlot() {
        if (capacity == 0) {
            return items.size() + reservedSlots < getters.size() + reservedItems;
        }
        return capacity == Integer.MAX_VALUE || items.size() + reservedSlots < capacity;
    }

    private void add(T item) {
        items.add(item);
        added();
        signalGetterIfItemFree();
        wakePeekers();
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

    /**
     * Removes and returns the head item if there is one now; null if empty (or closed and empty). Never
     * blocks. On a {@link Channel}, the item of a putter waiting now (its put then returns).
     */
    public T poll() {
        hub.checkThread("Queue.poll");
        if (items.size() > reservedItems) {
            return take();
        }
        return offered != null ? takeFromWaitingPutter() : null;
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
        hub.spendBudget(); // before anything is taken: draining a full queue lets timers and I/O in
        if (items.size() > reservedItems) {
            return take();
        }
        if (closed) {
            return closedAndEmpty(throwIfClosed);
        }
        FiberCore me = hub.runningFiber(what);
        me.signalled = false; // the fiber is its own node in the line
        getters.addLast(me);
        if (capacity == 0) {
            signalPutterIfSlotFree(); // rendezvous: a waiting getter is what lets a putter in
        }
        boolean took = false;
        try {
            while (true) {
                boolean woken = me.parkUntil(this, deadline);
                if (me.signalled) {
                    me.signalled = false;
                    reservedItems--;
                    took = true;
                    try {
                        return take();
                    } catch (Throwable t) { // a PriorityQueue's comparator threw: nothing taken
                        signalGetterIfItemFree(); // the item it was given goes to the next getter
                        throw t;
                    }
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
                leave(me, getters, true);
            }
        }
    }

    private T take() {
        T item = items.poll();
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
        if (!getters.isEmpty() && items.size() > reservedItems && getters.signalFirst() != null) {
            reservedItems++;
        }
    }

    private void signalPutterIfSlotFree() {
        if (!putters.isEmpty() && hasFreeSlot() && putters.signalFirst() != null) {
            reservedSlots++;
        }
    }

    /** A waiter leaves without completing: drop it, or hand its reservation to the next in line. */
    private void leave(FiberCore w, WaitList line, boolean getter) {
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
        putters.unparkAll();
        getters.unparkAll();
        wakePeekers();
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
        return items.size() == 0;
    }

    /** Throws {@link dev.weft.hub.WrongThreadException} unless the caller runs on this queue's hub. */
    final void checkThread(String what) {
        hub.checkThread(what);
    }

    /** The capacity; {@link Integer#MAX_VALUE} for an unbounded queue, 0 for a {@link Channel}. */
    public int capacity() {
        return capacity;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(size " + items.size() + (capacity == Integer.MAX_VALUE ? "" : " of " + capacity)
                + (closed ? ", closed" : "") + ", " + getters.size() + " getters and " + putters.size()
                + " putters waiting)";
    }

    // ---------------------------------------------------------------- the family's additions (gevent names)

    /** Fibers waiting in {@link #peek}; all of them wake at every add and at close. */
    private final WaitList peekers = new WaitList();

    /** Called after every item is added, before any getter is signalled; {@link JoinableQueue} counts tasks. */
    void added() {
    }

    private void wakePeekers() {
        FiberCore f;
        while ((f = peekers.pollFirst()) != null) {
            f.unpark();
        }
    }

    /**
     * Returns the item a get would return next, without taking it, waiting while the queue is empty
     * (gevent's {@code peek}). Blocks the calling fiber until one of these happens: an item is in the
     * queue, the queue is closed and empty ({@link QueueClosedException}), the fiber is killed
     * ({@link FiberKilledError}), an enclosing {@link Timeout} expires ({@link FiberTimeoutException}),
     * or nothing could ever put an item ({@link BlockedForeverException}). It never takes anything,
     * so nothing is lost however it ends; another fiber may take the item before the caller acts.
     */
    public T peek() {
        return peekUntil(Long.MAX_VALUE, true);
    }

    /**
     * {@link #peek()} for at most {@code timeout}.
     *
     * @return the next item, or null if the timeout passed first (or the queue is closed and empty)
     */
    public T peek(Duration timeout) {
        return peekUntil(Deadlines.after(timeout), false);
    }

    /**
     * The next item without taking it, never blocking (gevent's {@code peek_nowait}).
     *
     * @throws NoSuchElementException if the queue is empty
     */
    public T peekNowait() {
        hub.checkThread("Queue.peekNowait");
        T item = items.peek();
        if (item == null) {
            throw new NoSuchElementException("peekNowait on an empty " + getClass().getSimpleName()
                    + "; use peek() to wait for an item or peek(Duration) to wait a while");
        }
        return item;
    }

    private T peekUntil(long deadline, boolean throwIfClosed) {
        hub.checkThread("Queue.peek");
        hub.spendBudget();
        if (items.size() > 0) {
            return items.peek();
        }
        if (closed) {
            return closedAndEmpty(throwIfClosed);
        }
        FiberCore me = hub.runningFiber("Queue.peek");
        try {
            while (items.size() == 0) {
                if (closed) {
                    return closedAndEmpty(throwIfClosed);
                }
                peekers.addLast(me);
                if (!me.parkUntil(this, deadline) && items.size() == 0) {
                    return closed ? closedAndEmpty(throwIfClosed) : null;
                }
            }
            return items.peek();
        } finally {
            peekers.remove(me);
        }
    }

    /**
     * Takes the next item if one is free now (gevent's {@code get_nowait}); never blocks.
     *
     * @throws NoSuchElementException if there is none (the queue is empty, or its items are promised
     *                                to fibers already waiting)
     * @throws QueueClosedException if the queue is closed and empty
     */
    public T getNowait() {
        T item = poll();
        if (item == null) {
            if (closed && items.size() == 0) {
                closedAndEmpty(true);
            }
            throw new NoSuchElementException("getNowait found no free item in " + this
                    + "; use get() to wait for one or poll() to get null instead");
        }
        return item;
    }

    /**
     * Adds {@code item} if there is room now (gevent's {@code put_nowait}); never blocks.
     *
     * @throws IllegalStateException if the queue is full (a {@link Channel}: no getter waits), as
     *                               {@link java.util.Queue#add} does; the item was not added
     * @throws QueueClosedException if the queue is closed
     */
    public void putNowait(T item) {
        if (!offer(item)) {
            throw new IllegalStateException("putNowait: " + this + " has no room; the item was not added."
                    + " Use put() to wait for room or offer() to get false instead");
        }
    }

    /**
     * Iterates until the queue is closed: {@code hasNext()} {@linkplain #get() gets} the next item,
     * waiting as get does, and returns false once the queue is closed and drained (gevent's
     * {@code for item in queue}, which ends at {@code StopIteration}). {@code hasNext()} takes the
     * item it announces: call {@code next()} after it. It throws what get throws (a kill, a Timeout);
     * then it has taken nothing. From a fiber of this queue's hub.
     */
    @Override
    public Iterator<T> iterator() {
        return new Iterator<>() {
            private T next;

            @Override
            public boolean hasNext() {
                if (next == null) {
                    next = getUntil(Long.MAX_VALUE, false, "Queue iteration");
                }
                return next != null;
            }

            @Override
            public T next() {
                if (!hasNext()) {
                    throw new NoSuchElementException("the queue is closed and drained");
                }
                T item = next;
                next = null;
                return item;
            }
        };
    }

    /** Fibers waiting in get (or iteration) now. */
    public int getters() {
        return getters.size();
    }

    /** Fibers waiting in put now. */
    public int putters() {
        return putters.size();
    }
}
