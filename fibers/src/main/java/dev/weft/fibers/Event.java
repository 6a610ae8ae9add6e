package dev.weft.fibers;

import java.time.Duration;

/**
 * A flag fibers can wait for: {@link #set()} wakes every waiting fiber, {@link #clear()} resets it.
 * Waiters wake in the order they started waiting (FIFO).
 *
 * <p>A waiter that was woken by {@code set()} returns {@code true} even if the event was cleared
 * again before it ran ("set at least once since I started waiting"); nothing more is promised
 * about the flag's value when the waiter runs.
 *
 * <p>Thread rule: {@link #set()} may be called from any thread; from another thread it hands the
 * set to the hub ({@link Hub#execute}-style), so the waiters wake on the hub thread as always. Every
 * other method belongs to the hub thread of the hub that created it
 * ({@link dev.weft.hub.WrongThreadException} otherwise). A fiber waiting for an event that only
 * another thread will set should hold {@link Hub#keepAlive()} meanwhile (or use an
 * {@link AsyncResult}, which does so itself): the hub cannot know that another thread will set it,
 * and with nothing else to wake it would report the waiter as blocked forever.
 *
 * <p>Memory consistency effects: actions in a thread before it calls {@code set()} happen-before a
 * fiber's return from {@code await} that this set woke.
 */
public final class Event extends WaitList implements Waitable {
    private final Hub hub;
    private boolean set;
    /** Counts calls to {@link #set()} that found the flag clear; a multi-object wait ({@link WaitMany}) compares it. */
    private long generation;

    /** An event, initially clear, bound to the current hub. Hub thread. */
    public Event() {
        this.hub = Hub.current();
    }

    /**
     * Sets the flag and makes every waiting fiber runnable, in FIFO order. Any thread: from another
     * thread the set happens on the hub soon after (and is dropped if the hub has closed: no fiber
     * is left to wake).
     */
    public void set() {
        if (!hub.loop.isLoopThread()) {
            try {
                hub.loop.execute(this::set);
            } catch (java.util.concurrent.RejectedExecutionException hubClosed) {
                // the hub has ended: no fiber waits any more
            }
            return;
        }
        if (set) {
            return;
        }
        set = true;
        generation++;
        while (signalFirst() != null) {
            // every waiter, oldest first
        }
    }

    /** Clears the flag; later {@code await} calls block until the next {@link #set()}. Hub thread. */
    public void clear() {
        hub.checkThread("Event.clear");
        set = false;
    }

    /** Whether the flag is set. Hub thread. */
    public boolean isSet() {
        return set;
    }

    /**
     * Waits until the event is set; returns at once if it is. Blocks the calling fiber until one of
     * these happens: the event is set, the fiber is killed ({@link FiberKilledError}), an enclosing
     * {@link Timeout} expires ({@link FiberTimeoutException}), or no fiber could ever set it
     * ({@link BlockedForeverException}).
     */
    public void await() {
        awaitUntil(Long.MAX_VALUE);
    }

    /**
     * {@link #await()} for at most {@code timeout}.
     *
     * @return true if the event was set, false if the timeout passed first
     */
    public boolean await(Duration timeout) {
        return awaitUntil(Deadlines.after(timeout));
    }

    private boolean awaitUntil(long deadline) {
        if (set) {
            hub.checkThread("Event.await");
            return true;
        }
        // WaitList.awaitSignal, written out: the waiter's own flag, not the event's generation, is one
        // value less kept across the switch in every parked fiber's stack (WaitMany, which waits on
        // several events, compares generations). Written out because calling awaitSignal here made C2
        // lay out a larger frozen frame (128 B against 112, measured: a parked fiber 409 B against 393).
        FiberCore me = hub.runningFiber("Event.await");
        me.signalled = false;
        addLast(me);
        try {
            while (!me.signalled) {
                if (!me.parkUntil(this, deadline) && !me.signalled) {
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

    @Override
    public String toString() {
        return "Event(" + (set ? "set" : "clear") + ", " + size() + " waiting)";
    }

    // ---------------------------------------------------------------- issue 14 (gevent API): Waitable

    /** Whether the flag is set: a {@link Waitable} wait on it returns. Hub thread. */
    @Override
    public boolean isReady() {
        return set;
    }

    /** Counts sets that found the flag clear; a multi-object wait compares it to see "set since". */
    long generation() {
        return generation;
    }

    Hub hub() {
        return hub;
    }

    /** Adds a fiber woken (and dropped) by the next {@link #set()}; for {@link WaitMany}. */
    void addWaiter(FiberCore f) {
        addLast(f);
    }

    void removeWaiter(FiberCore f) {
        remove(f);
    }
}
