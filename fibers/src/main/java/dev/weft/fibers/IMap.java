package dev.weft.fibers;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;

/**
 * The lazy results of {@link Group#imap} (in the order of the items) or {@link Group#imapUnordered}
 * (in the order they finish): iterating runs the function on the items in fibers of the group, at
 * most {@code maxInFlight} at a time, counting results computed but not yet taken; items are taken
 * from the source only as that bound allows.
 *
 * <p>Errors (as gevent's): the first failure of the function is thrown by {@code next()} as soon
 * as it is in (also in ordered mode, ahead of earlier items still running: a map that will fail
 * does not wait for them), rethrown as is if unchecked, else wrapped in
 * {@link CompletionException}; the workers still running are then killed and the iteration is over.
 * Killing the consuming fiber kills the workers too (wherever it is then), and so does
 * {@link #close()} (for a consumer that stops early).
 *
 * <p>Killed workers (a {@link Group#kill()} or {@link Pool}'s, a kill of one worker, a server or a
 * hub that kills them): gevent yields a killed greenlet's {@code GreenletExit} as its result and goes
 * on; here {@code next()} throws {@link CancellationException} naming the item for each killed
 * worker (in ordered mode at that item's turn) and the iteration goes on: the consumer may catch it
 * and call {@code hasNext()} again, and the items not started yet are mapped as usual. So the
 * consumer never waits for a result that will not come; {@link Group#map} throws it.
 *
 * <p>Timeouts: a {@link Timeout} that interrupts {@code hasNext} (while it waits for a result, or for
 * a free slot of a {@link Pool}) kills nothing and loses nothing: an item taken from the source but
 * not started yet is kept and started by the next {@code hasNext}, results keep coming, and the
 * iteration may go on. Nothing is lost or mapped twice; ordered mode keeps the order.
 *
 * <p>Memory: the iteration is registered on the consuming fiber (so that its end kills the workers)
 * only while workers run; an iteration the consumer leaves without {@link #close()} (a {@code break})
 * is forgotten once its workers end.
 *
 * <p>Thread rule: one consuming fiber of the group's hub. Not for use from two fibers at once.
 *
 * @param <R> the result type
 */
public final class IMap<R> implements Iterator<R>, Iterable<R>, AutoCloseable {
    /* Implementation notes. Each item is a Work, which is the worker's task and its on-exit callback:
     * the outcome is handed to the consumer when the worker fiber ends, however it ends (value,
     * failure, or killed, also before it started), so the consumer is never left waiting. An item is
     * taken from the source into `pending` before its worker is spawned, and leaves `pending` only
     * once the spawn returned: a Timeout or kill while a Pool's spawn waits for a slot leaves it
     * there for the next hasNext. */

    /** A finished item: its index, and its result, its failure, or that its worker was killed. */
    private record Done(long index, Object value, Throwable failure, Fiber<?> killed) {
    }

    private final Group group;
    private final FiberFunction<Object, ?> function;
    private final Iterator<?> source;
    private final int maxInFlight;
    private final boolean ordered;
    /** Workers put here as they finish; unbounded, so a worker never waits (the window bounds it). */
    private final Queue<Done> finished = new Queue<>();
    /** Ordered mode: results that finished before their turn, by index. */
    private final Map<Long, Done> early = new HashMap<>();
    private final Set<Fiber<?>> workers = new LinkedHashSet<>();
    private final Fiber<?> consumer;
    private final java.util.function.Consumer<Fiber<?>> onConsumerExit = f -> close();
    private long started;
    private long taken;
    private Done next;
    private boolean over;
    /** An item taken from the source whose worker is not spawned yet (see the implementation notes). */
    private Object pending;
    private boolean hasPending;

    @SuppressWarnings("unchecked")
    IMap(Group group, FiberFunction<?, ?> function, Iterable<?> items, int maxInFlight, boolean ordered) {
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be at least 1, not " + maxInFlight);
        }
        this.group = group;
        this.function = (FiberFunction<Object, ?>) Objects.requireNonNull(function, "function");
        this.source = Objects.requireNonNull(items, "items").iterator();
        this.maxInFlight = maxInFlight;
        this.ordered = ordered;
        this.consumer = group.hub.runningFiber(ordered ? "Group.imap" : "Group.imapUnordered").face;
    }

    /**
     * Whether another result comes, waiting for it. Blocks the calling fiber until one of these
     * happens: the next result is in, the items are exhausted and every result was taken (false), a
     * worker failed ({@link CompletionException} or the failure itself, see above), the fiber is
     * killed ({@link FiberKilledError}, the workers are killed), an enclosing {@link Timeout} expires
     * ({@link FiberTimeoutException}, the workers go on, nothing is lost). A killed worker's result is
     * announced too: {@link #next()} then throws {@link CancellationException}.
     */
    @Override
    public boolean hasNext() {
        if (next != null) {
            return true;
        }
        if (over) {
            return false;
        }
        try {
            startWorkers();
            if (started == taken) {
                close(); // nothing left to kill; forgets the consumer
                return false;
            }
            next = ordered ? nextInOrder() : finished.get();
            return true;
        } catch (FiberTimeoutException e) {
            throw e; // the consumer may go on: results keep coming
        } catch (Throwable e) {
            close(); // killed, or a failure: the workers end
            throw e;
        }
    }

    /**
     * The next result; see {@link #hasNext()} for how it waits and what it throws.
     *
     * @throws CancellationException if this item's worker was killed (the iteration goes on)
     */
    @Override
    @SuppressWarnings("unchecked")
    public R next() {
        if (!hasNext()) {
            throw new NoSuchElementException("no more results: every item was mapped");
        }
        Done d = next;
        next = null;
        taken++;
        if (d.killed != null) {
            throw new CancellationException("item " + d.index + " of " + this + " has no result: its worker fiber "
                    + d.killed + " was killed (the iteration goes on with the other items)");
        }
        if (d.failure != null) {
            close();
            throw rethrow(d.failure);
        }
        return (R) d.value;
    }

    /** This iterator itself, so that a for-each loop can consume it (once). */
    @Override
    public Iterator<R> iterator() {
        return this;
    }

    /** Stops: kills the workers still running and ends the iteration. Idempotent. Hub thread. */
    @Override
    public void close() {
        over = true;
        next = null;
        pending = null;
        hasPending = false;
        early.clear();
        consumer.removeOnExit(onConsumerExit);
        for (Fiber<?> w : workers.toArray(new Fiber<?>[0])) {
            if (w.core != group.hub.core.current) {
                w.kill();
            }
        }
    }

    private void startWorkers() {
        while (!over && started - taken < maxInFlight && (hasPending || source.hasNext())) {
            if (!hasPending) {
                pending = source.next();
                hasPending = true;
            }
            Work work = new Work(started, pending);
            Fiber<Void> worker = group.spawn(work); // a Pool may wait here; if that throws, the item stays pending
            pending = null;
            hasPending = false;
            started++;
            if (workers.isEmpty()) {
                consumer.onExit(onConsumerExit); // killing (or ending) the consumer ends the workers
            }
            workers.add(worker);
            worker.onExit(work);
        }
    }

    /** One item: the worker's task, and (on its exit) what it hands to the consumer. */
    private final class Work implements java.util.concurrent.Callable<Void>, java.util.function.Consumer<Fiber<?>> {
        private final long index;
        private Object item;
        private Done done;

        Work(long index, Object item) {
            this.index = index;
            this.item = item;
        }

        @Override
        public Void call() {
            Object it = item;
            item = null;
            try {
                done = new Done(index, function.apply(it), null, null);
            } catch (FiberKilledError killed) {
                throw killed;
            } catch (Throwable t) {
                done = new Done(index, null, t, null); // handed to the consumer: observed once, there
            }
            return null;
        }

        /** The worker ended (on the hub, outside any fiber): its outcome goes to the consumer. */
        @Override
        public void accept(Fiber<?> worker) {
            item = null;
            workers.remove(worker);
            if (workers.isEmpty()) {
                consumer.removeOnExit(onConsumerExit); // nothing to kill: the consumer need not know us
            }
            if (!over) {
                finished.offer(done != null ? done : new Done(index, null, null, worker));
            }
        }
    }

    private Done nextInOrder() {
        Done d = early.remove(taken);
        while (d == null) {
            Done in = finished.get();
            if (in.index == taken || in.failure != null) { // a failure does not wait for its turn
                d = in;
            } else {
                early.put(in.index, in);
            }
        }
        return d;
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException re) {
            return re;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new CompletionException("the mapped function failed: " + t, t);
    }

    @Override
    public String toString() {
        return (ordered ? "IMap(" : "IMapUnordered(") + (started - taken) + " in flight of at most " + maxInFlight
                + (over ? ", over" : "") + ")";
    }
}
