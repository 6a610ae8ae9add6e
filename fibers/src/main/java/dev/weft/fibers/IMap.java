package dev.weft.fibers;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
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
 * {@link CompletionException}; the workers still running are then killed and the iteration is over. Killing the consuming fiber kills the workers
 * too (wherever it is then), and so does {@link #close()} (for a consumer that stops early). A
 * {@link Timeout} that interrupts {@code hasNext} kills nothing: results keep coming and the
 * iteration may go on.
 *
 * <p>Thread rule: one consuming fiber of the group's hub. Not for use from two fibers at once.
 *
 * @param <R> the result type
 */
public final class IMap<R> implements Iterator<R>, Iterable<R>, AutoCloseable {
    /** A finished item: its index, and its result or failure. */
    private record Done(long index, Object value, Throwable failure) {
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
        this.consumer = group.hub.runningFiber(ordered ? "Group.imap" : "Group.imapUnordered");
        consumer.onExit(onConsumerExit); // killing (or ending) the consumer ends the workers
    }

    /**
     * Whether another result comes, waiting for it. Blocks the calling fiber until one of these
     * happens: the next result is in, the items are exhausted and every result was taken (false), a
     * worker failed ({@link CompletionException} or the failure itself, see above), the fiber is
     * killed ({@link FiberKilledError}, the workers are killed), an enclosing {@link Timeout} expires
     * ({@link FiberTimeoutException}, the workers go on).
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

    /** The next result; see {@link #hasNext()} for how it waits and what it throws. */
    @Override
    @SuppressWarnings("unchecked")
    public R next() {
        if (!hasNext()) {
            throw new NoSuchElementException("no more results: every item was mapped");
        }
        Done d = next;
        next = null;
        taken++;
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
        consumer.removeOnExit(onConsumerExit);
        for (Fiber<?> w : workers.toArray(new Fiber<?>[0])) {
            if (w != group.hub.current) {
                w.kill();
            }
        }
    }

    private void startWorkers() {
        while (!over && started - taken < maxInFlight && source.hasNext()) {
            Object item = source.next();
            long index = started;
            Fiber<Void> worker = group.spawn(() -> {
                try {
                    finished.put(new Done(index, function.apply(item), null));
                } catch (FiberKilledError killed) {
                    throw killed;
                } catch (Throwable t) {
                    finished.put(new Done(index, null, t)); // handed to the consumer: observed once, there
                }
            });
            started++;
            workers.add(worker);
            worker.onExit(workers::remove);
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
