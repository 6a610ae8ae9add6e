package dev.weft.sockets.sim;

import dev.weft.fibers.FiberFunction;
import dev.weft.fibers.Pool;
import dev.weft.fibers.Queue;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * A mutant kept for {@link DefectHuntTest}: {@code Pool.imapUnordered}'s algorithm as it was before
 * commit 24ed1d3 (issue 23, item 1), reduced to what the defect needs. {@code startWorkers} takes the
 * item from the source and then waits for a pool slot ({@code Pool.spawn}); a {@code Timeout} that
 * interrupts that wait loses the item: it was never counted as started, so the iteration ends early
 * without an error. Hub thread, one consuming fiber.
 */
final class OldImapUnordered<T, R> implements Iterator<R> {
    private final Pool pool;
    private final FiberFunction<T, R> function;
    private final Iterator<T> source;
    private final int maxInFlight;
    private final Queue<R> finished = new Queue<>();
    private long started;
    private long taken;
    private R next;
    private boolean hasNext;

    OldImapUnordered(Pool pool, FiberFunction<T, R> function, Iterable<T> items, int maxInFlight) {
        this.pool = pool;
        this.function = function;
        this.source = items.iterator();
        this.maxInFlight = maxInFlight;
    }

    @Override
    public boolean hasNext() {
        if (hasNext) {
            return true;
        }
        startWorkers();
        if (started == taken && !source.hasNext()) {
            return false;
        }
        next = finished.get();
        hasNext = true;
        return true;
    }

    @Override
    public R next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        hasNext = false;
        taken++;
        startWorkers();
        return next;
    }

    private void startWorkers() {
        while (started - taken < maxInFlight && source.hasNext()) {
            T item = source.next();
            pool.spawn(() -> finished.put(function.apply(item))); // the defect: a Timeout here loses item
            started++;
        }
    }
}
