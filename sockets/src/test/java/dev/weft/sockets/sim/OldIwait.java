package dev.weft.sockets.sim;

import dev.weft.fibers.Deadlines;
import dev.weft.fibers.Waitable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * A mutant kept for {@link DefectHuntTest}: {@code Waitable.iwait}'s algorithm as it was before commit
 * 34dfe2e (issue 23, item 26): each item is a fresh wait for one of the objects not yet returned, so an
 * Event set and cleared while the consumer handles the previous item is never seen (the fresh wait
 * reads the generation after it moved). Hub thread, one consuming fiber.
 */
final class OldIwait<W extends Waitable> implements Iterator<W> {
    private final List<W> remaining;
    private final long deadline;
    private W next;

    OldIwait(List<W> objects, Duration timeout) {
        this.remaining = new ArrayList<>(objects);
        this.deadline = Deadlines.after(timeout);
    }

    @Override
    public boolean hasNext() {
        if (next != null) {
            return true;
        }
        if (remaining.isEmpty()) {
            return false;
        }
        List<W> ready = Waitable.waitAll(remaining, 1, Duration.ofNanos(Deadlines.remaining(deadline)));
        if (ready.isEmpty()) {
            remaining.clear(); // the timeout passed: the iteration ends
            return false;
        }
        next = ready.get(0);
        remaining.remove(next);
        return true;
    }

    @Override
    public W next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        W w = next;
        next = null;
        return w;
    }
}
