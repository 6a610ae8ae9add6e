package dev.weft.fibers;

import java.time.Duration;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * A rendezvous between fibers (gevent's {@code Channel}, a queue of capacity 0): {@link #put} waits
 * until a fiber is waiting in {@link #get}, and hands its item to that getter; {@link #get} waits
 * until an item comes. Waiting getters are served in FIFO order, and so are waiting putters.
 *
 * <p><b>Nothing is lost or duplicated</b>, as with {@link Queue} (this is a {@code Queue} of
 * capacity 0 underneath, so the same algorithm guarantees it): a put that times out, is killed or
 * fails has handed over nothing; a get that times out or is killed has taken nothing. Not
 * guaranteed: that the getter a put was matched with actually receives the item. If that getter is
 * killed or times out after the put returned and before it ran, the item goes to the next waiting
 * getter, or waits in the channel for the next get.
 *
 * <p>{@link #close()} ends it: later puts throw {@link QueueClosedException}, waiting fibers wake
 * with it, iteration ends. Thread rule: fibers of the hub that created it. Null items are not allowed.
 *
 * @param <T> the item type
 */
public final class Channel<T> implements Iterable<T> {
    private final Queue<T> queue;

    /** A channel on the current hub. Hub thread. */
    public Channel() {
        this.queue = new Queue<>(0, QueueStore.fifo());
    }

    /**
     * Hands {@code item} to a getter, waiting until one is waiting. Blocks the calling fiber until
     * one of these happens: a getter takes it, the channel is closed ({@link QueueClosedException}),
     * the fiber is killed ({@link FiberKilledError}), an enclosing {@link Timeout} expires
     * ({@link FiberTimeoutException}), or no fiber could ever get it ({@link BlockedForeverException}).
     * In every exceptional case the item was not handed over.
     */
    public void put(T item) {
        queue.put(item);
    }

    /**
     * Hands {@code item} over only if a getter is waiting now; never blocks.
     *
     * @return false if no getter is waiting (nothing was handed over)
     * @throws QueueClosedException if the channel is closed
     */
    public boolean offer(T item) {
        return queue.offer(item);
    }

    /**
     * {@link #put} for at most {@code timeout}.
     *
     * @return true if a getter took the item, false if the timeout passed first (nothing handed over)
     */
    public boolean offer(T item, Duration timeout) {
        return queue.offer(item, timeout);
    }

    /**
     * Hands {@code item} to a waiting getter (gevent's {@code put_nowait}); never blocks.
     *
     * @throws IllegalStateException if no getter is waiting; nothing was handed over
     */
    public void putNowait(T item) {
        queue.putNowait(item);
    }

    /**
     * Takes an item, waiting until a putter hands one over. Blocks the calling fiber until one of
     * these happens: an item arrives, the channel is closed ({@link QueueClosedException}), the fiber
     * is killed ({@link FiberKilledError}), an enclosing {@link Timeout} expires
     * ({@link FiberTimeoutException}), or no fiber could ever put one ({@link BlockedForeverException}).
     * In every exceptional case nothing was taken.
     */
    public T get() {
        return queue.get();
    }

    /**
     * Takes an item only if one is ready now: a putter waiting in {@link #put} (its put then returns,
     * as gevent's {@code get_nowait} unlocks a waiting putter), or an item a getter that left passed
     * on; null otherwise. Never blocks; from a fiber or the hub thread (a callback).
     */
    public T poll() {
        return queue.poll();
    }

    /**
     * {@link #get()} for at most {@code timeout}.
     *
     * @return the item, or null if the timeout passed first (or the channel is closed)
     */
    public T poll(Duration timeout) {
        return queue.poll(timeout);
    }

    /**
     * Takes an item that is ready now, as {@link #poll()} does (gevent's {@code get_nowait}: a waiting
     * putter's item, its put returning); never blocks.
     *
     * @throws NoSuchElementException if none is ready (no putter waits)
     * @throws QueueClosedException if the channel is closed and empty
     */
    public T getNowait() {
        return queue.getNowait();
    }

    /** Closes the channel; see the class comment. Idempotent. Hub thread. */
    public void close() {
        queue.close();
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return queue.isClosed();
    }

    /** Gets items until the channel is closed; as {@link Queue#iterator()}. */
    @Override
    public Iterator<T> iterator() {
        return queue.iterator();
    }

    /** Fibers waiting in get now. */
    public int getters() {
        return queue.getters();
    }

    /** Fibers waiting in put now. */
    public int putters() {
        return queue.putters();
    }

    @Override
    public String toString() {
        return "Channel(" + queue.getters() + " getters and " + queue.putters() + " putters waiting"
                + (queue.isClosed() ? ", closed" : "") + ")";
    }
}
