package dev.weft.hub;

/**
 * The order in which an {@link EventLoop} runs its ready callbacks, when its {@link Poller}
 * provides one ({@link Simulated#readyOrder()}; the simulation backend: FIFO, seeded random, PCT). Real backends
 * provide none: the loop then keeps its own FIFO queue and its time-bounded batches.
 *
 * <p>Contract: a batch is what {@link #next()} returns after {@link #beginBatch()} until it returns
 * null; the loop then fires due timers and polls. Thread rule: loop thread only.
 */
public interface ReadyOrder {
    /** A ready callback with a stable identity (a fiber's id), for traces and priorities. */
    interface Identified {
        /** A number that is the same in every run of the same program (a fiber id). */
        long readyId();
    }

    /** Queues a ready callback. */
    void add(Runnable callback);

    /** A batch begins. */
    void beginBatch();

    /** The next callback of this batch, removed from the queue; null ends the batch (callbacks may remain). */
    Runnable next();

    /** Removes {@code callback} if it is the one {@link #next()} would return now; true if removed. */
    boolean removeIfNext(Runnable callback);

    /** Removes one queued occurrence of {@code callback}; true if it was queued. */
    boolean remove(Runnable callback);

    /** The number of queued callbacks. */
    int size();

    /** Drops every queued callback (the loop closes). */
    void clear();

    /**
     * The running callback threw a pending interruption from a blocking call without switching
     * (a catch-and-retry loop may be spinning). An order may count these and throw to report a
     * livelock. The default does nothing.
     */
    default void threwWithoutSwitching() {
    }
}
