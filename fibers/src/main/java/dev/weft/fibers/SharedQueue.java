package dev.weft.fibers;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A bounded FIFO queue that fibers of any hub and ordinary platform threads share: the hand-off
 * between the hubs of a {@link HubGroup}, and between hubs and the rest of the program. A getter
 * waits while it is empty and a putter while it is full: in a fiber the wait parks that fiber (its
 * hub runs on), on any other thread it blocks the thread. A putter wakes a getter waiting on
 * another hub by handing the wake-up to that hub ({@link Hub#execute}-style): no wake-up is lost,
 * whichever of the two gets to the queue first.
 *
 * <p><b>Nothing is lost or duplicated</b>, as with {@link Queue}: items never leave the queue except
 * in the get that returns them. A get that times out, is killed, hits an enclosing {@link Timeout}
 * or is interrupted (a thread) has taken nothing; a put that does so has added nothing; a put that
 * returned normally added its item exactly once. A waiter that was woken and then leaves by such an
 * exception passes the wake-up on to the next waiter, so the item (or the free slot) it was woken
 * for is not stranded.
 *
 * <p>Order: items come out in the order they were added. Waiters are woken oldest first, but a
 * woken waiter does not reserve what it was woken for: a get (or put) arriving meanwhile may take it
 * first, and the woken one waits again (as {@link java.util.concurrent.LinkedBlockingQueue}, unlike
 * the strictly FIFO {@link Queue}).
 *
 * <p>{@link #close()} ends the queue: later puts throw {@link QueueClosedException}; getters take
 * what is left, then throw it; waiting putters wake with it, their items not added.
 *
 * <p>Thread rule: any thread, any fiber of any hub. A fiber waiting here holds its hub open (another
 * hub or thread may wake it), so it is never reported as blocked forever: use a timeout where a put
 * is not certain. The queue's state is guarded by a lock held only for a few field updates (never
 * across a wait), which a hub thread may briefly wait for.
 *
 * <p>Memory consistency effects: actions in a thread (or fiber) before it puts an item
 * happen-before the actions after the get that returns that item.
 *
 * @param <T> the item type
 */
public final class SharedQueue<T> {
    /* Implementation notes.
     *
     * One lock guards items, the two lines of waiters and closed. A waiter is a Node in a line; a
     * wake-up takes the oldest node off its line, sets node.woken (under the lock) and, after the
     * lock is released, wakes the node's fiber or thread: a thread by LockSupport.unpark, a fiber of
     * the caller's own hub by unpark, a fiber of another hub by a task on that hub that unparks it
     * only if it still waits on that very node (its blocker), so a late task cannot wake the fiber
     * out of a later wait. A fiber adds its node and parks without switching in between, and its
     * hub runs the wake task only between its fibers' steps: the task finds it parked, or the node
     * already woken (a thread checks node.woken, volatile, before each park). No wake-up is lost.
     * A node woken whose waiter then leaves by an exception or a deadline wakes the next node of
     * its line if what it was woken for is still there (an item for a getter, a free slot for a putter).
     */

    /** A waiting getter or putter: a fiber (with its hub) or a thread. */
    private static final class Node {
        final FiberCore fiber;
        final Thread thread;
        volatile boolean woken;

        Node(FiberCore fiber, Thread thread) {
            this.fiber = fiber;
            this.thread = thread;
        }

        @Override
        public String toString() {
            return "a SharedQueue";
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final int capacity;
    private final ArrayDeque<T> items = new ArrayDeque<>();
    private final ArrayDeque<Node> getters = new ArrayDeque<>();
    private final ArrayDeque<Node> putters = new ArrayDeque<>();
    private boolean closed;

    /**
     * A queue that holds at most {@code capacity} items. Any thread.
     *
     * @throws IllegalArgumentException if {@code capacity} is below 1
     */
    public SharedQueue(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("a SharedQueue holds at least one item, not " + capacity);
        }
        this.capacity = capacity;
    }

    /**
     * Adds {@code item}, waiting while the queue is full. Blocks the calling fiber (or thread) until
     * one of these happens: there is room, the queue is closed ({@link QueueClosedException}), the
     * fiber is killed ({@link FiberKilledError}), an enclosing {@link Timeout} expires
     * ({@link FiberTimeoutException}), or the thread is interrupted (an
     * {@link IllegalStateException} whose cause is the {@link InterruptedException}, with the
     * interrupt flag set again). On any exception nothing was added.
     */
    public void put(T item) {
        if (!offerUntil(item, Long.MAX_VALUE)) {
            throw new AssertionError("an unbounded put returned without adding");
        }
    }

    /**
     * {@link #put} for at most {@code timeout}.
     *
     * @return true if added, false (nothing added) if the timeout passed first
     */
    public boolean offer(T item, Duration timeout) {
        return offerUntil(item, Deadlines.after(timeout));
    }

    /** Adds {@code item} if there is room now; never waits. @throws QueueClosedException if closed */
    public boolean offer(T item) {
        Objects.requireNonNull(item, "item");
        Node wake;
        lock.lock();
        try {
            checkOpen();
            if (items.size() >= capacity) {
                return false;
            }
            items.addLast(item);
            wake = takeWaiter(getters);
        } finally {
            lock.unlock();
        }
        wake(wake);
        return true;
    }

    /**
     * Takes the oldest item, waiting while the queue is empty. Blocks the calling fiber (or thread)
     * until one of these happens: an item is there, the queue is closed and empty
     * ({@link QueueClosedException}), the fiber is killed ({@link FiberKilledError}), an enclosing
     * {@link Timeout} expires ({@link FiberTimeoutException}), or the thread is interrupted (as
     * {@link #put}). On any exception nothing was taken.
     */
    public T get() {
        return pollUntil(Long.MAX_VALUE);
    }

    /**
     * {@link #get()} for at most {@code timeout}.
     *
     * @return the item, or null (nothing taken) if the timeout passed first
     */
    public T poll(Duration timeout) {
        return pollUntil(Deadlines.after(timeout));
    }

    /** Takes the oldest item if there is one; never waits. @return null if empty (also when closed) */
    public T poll() {
        T item;
        Node wake;
        lock.lock();
        try {
            item = items.pollFirst();
            wake = item == null ? null : takeWaiter(putters);
        } finally {
            lock.unlock();
        }
        wake(wake);
        return item;
    }

    /**
     * Closes the queue: later puts throw {@link QueueClosedException}, getters take what is left
     * and then throw it; waiting putters and getters wake at once. Idempotent. Any thread.
     */
    public void close() {
        ArrayDeque<Node> wake = new ArrayDeque<>();
        lock.lock();
        try {
            closed = true;
            Node n;
            while ((n = takeWaiter(getters)) != null) {
                wake.add(n);
            }
            while ((n = takeWaiter(putters)) != null) {
                wake.add(n);
            }
        } finally {
            lock.unlock();
        }
        for (Node n : wake) {
            wake(n);
        }
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /** Items in the queue now. */
    public int size() {
        lock.lock();
        try {
            return items.size();
        } finally {
            lock.unlock();
        }
    }

    /** The most items it holds. */
    public int capacity() {
        return capacity;
    }

    @Override
    public String toString() {
        lock.lock();
        try {
            return "SharedQueue(" + items.size() + " of " + capacity + ", " + getters.size() + " getters, "
                    + putters.size() + " putters waiting" + (closed ? ", closed" : "") + ")";
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- waiting

    private boolean offerUntil(T item, long deadline) {
        Objects.requireNonNull(item, "item");
        FiberCore me = callerFiber("SharedQueue.put");
        Node node = null;
        while (true) {
            Node wake = null;
            lock.lock();
            try {
                if (node != null && !node.woken) {
                    putters.remove(node); // the deadline woke it
                }
                checkOpen();
                if (items.size() < capacity) {
                    items.addLast(item);
                    wake = takeWaiter(getters);
                    node = null;
                } else if (deadline != Long.MAX_VALUE && Deadlines.now() - deadline >= 0) {
                    return false;
                } else {
                    node = new Node(me, me == null ? Thread.currentThread() : null);
                    putters.addLast(node);
                }
            } finally {
                lock.unlock();
            }
            if (node == null) {
                wake(wake);
                return true;
            }
            await(node, putters, deadline, true);
        }
    }

    private T pollUntil(long deadline) {
        FiberCore me = callerFiber("SharedQueue.get");
        Node node = null;
        while (true) {
            T item;
            Node wake = null;
            lock.lock();
            try {
                if (node != null && !node.woken) {
                    getters.remove(node);
                }
                item = items.pollFirst();
                if (item != null) {
                    wake = takeWaiter(putters);
                } else if (closed) {
                    throw new QueueClosedException("the SharedQueue is closed and empty");
                } else if (deadline != Long.MAX_VALUE && Deadlines.now() - deadline >= 0) {
                    return null;
                } else {
                    node = new Node(me, me == null ? Thread.currentThread() : null);
                    getters.addLast(node);
                }
            } finally {
                lock.unlock();
            }
            if (item != null) {
                wake(wake);
                return item;
            }
            await(node, getters, deadline, false);
        }
    }

    /**
     * Waits until {@code node} is woken or the deadline passes; on an exception takes the node off
     * its line, or, if it was woken, passes the wake-up on to the next waiter of the line.
     */
    private void await(Node node, ArrayDeque<Node> line, long deadline, boolean putter) {
        boolean done = false;
        try {
            if (node.fiber != null) {
                awaitFiber(node, deadline);
            } else {
                awaitThread(node, deadline);
            }
            done = true;
        } finally {
            if (!done) {
                leave(node, line, putter);
            }
        }
    }

    private void awaitFiber(Node node, long deadline) {
        FiberCore me = node.fiber;
        me.hub.loop.ref(); // another hub or thread may wake it: never "blocked forever"
        try {
            while (!node.woken) {
                if (!me.parkUntil(node, deadline)) {
                    return; // the deadline: the caller's loop sees it and takes the node off the line
                }
            }
        } finally {
            me.hub.loop.unref();
        }
    }

    private static void awaitThread(Node node, long deadline) {
        while (!node.woken) {
            if (deadline == Long.MAX_VALUE) {
                LockSupport.park(node);
            } else {
                long left = deadline - Deadlines.now();
                if (left <= 0) {
                    return;
                }
                LockSupport.parkNanos(node, left);
            }
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting on a SharedQueue",
                        new InterruptedException());
            }
        }
    }

    /** A waiter leaving by an exception: off its line, or, woken already, the wake-up passed on. */
    private void leave(Node node, ArrayDeque<Node> line, boolean putter) {
        Node next = null;
        lock.lock();
        try {
            if (!node.woken) {
                line.remove(node);
            } else if (putter ? items.size() < capacity || closed : !items.isEmpty() || closed) {
                next = takeWaiter(line);
            }
        } finally {
            lock.unlock();
        }
        wake(next);
    }

    /** The oldest waiter of {@code line}, taken off it and marked woken; null if none. Under the lock. */
    private static Node takeWaiter(ArrayDeque<Node> line) {
        Node n = line.pollFirst();
        if (n != null) {
            n.woken = true;
        }
        return n;
    }

    /** Wakes the fiber or thread of a node taken off its line; nothing for null. Outside the lock. */
    private static void wake(Node n) {
        if (n == null) {
            return;
        }
        if (n.thread != null) {
            LockSupport.unpark(n.thread);
            return;
        }
        FiberCore f = n.fiber;
        if (f.hub.loop.isLoopThread()) {
            wakeIfWaitingOn(f, n);
            return;
        }
        try {
            f.hub.loop.execute(() -> wakeIfWaitingOn(f, n));
        } catch (RejectedExecutionException hubEnded) {
            // its hub is shutting down: the fiber is being killed, and passes the wake-up on as it leaves
        }
    }

    /** Unparks {@code f} if it still waits on {@code n}; a late wake-up finds it elsewhere and does nothing. Its hub. */
    private static void wakeIfWaitingOn(FiberCore f, Node n) {
        if (f.blocker == n) {
            f.unpark();
        }
    }

    /**
     * The calling fiber, or null on a thread that runs no hub (it blocks instead); spends one unit
     * of the fiber's cooperative budget first, before anything moves (a yield's kill moves nothing).
     *
     * @throws NotInFiberException on a hub thread outside any fiber (a wait would block the hub)
     */
    private static FiberCore callerFiber(String what) {
        Hub hub = Hub.currentOrNull();
        if (hub == null) {
            return null;
        }
        FiberCore f = hub.core.current;
        if (f == null) {
            throw hub.core.outsideAnyFiber(what);
        }
        hub.core.spendBudget();
        return f;
    }

    private void checkOpen() {
        if (closed) {
            throw new QueueClosedException("put on a closed SharedQueue");
        }
    }
}
