package dev.weft.fibers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * A group of fibers with a size limit (gevent's {@code Pool}): {@link #spawn} waits while {@code
 * size} fibers of the pool are running, so at most that many run at once; {@link #join} waits for
 * them all, {@link #kill} ends them all.
 *
 * <p>Thread rule: hub thread; {@code spawn} and {@code join} from fibers (they may block).
 */
public final class Pool {
    private final int size;
    private final Semaphore slots;
    private final Set<Fiber<?>> running = new LinkedHashSet<>();

    /** A pool running at most {@code size} fibers at once. Hub thread. */
    public Pool(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("a pool needs at least one slot, not " + size);
        }
        this.size = size;
        this.slots = Semaphore.bounded(size);
    }

    /**
     * Spawns {@code task} as a fiber of the pool once a slot is free; blocks the calling fiber
     * while the pool is full (as {@link Semaphore#acquire()} blocks).
     */
    public <T> Fiber<T> spawn(Callable<T> task) {
        slots.acquire();
        Fiber<T> f;
        try {
            f = Fiber.spawn(task);
        } catch (Throwable t) {
            slots.release();
            throw t;
        }
        running.add(f);
        f.onExit(done -> {
            running.remove(done);
            slots.release();
        });
        return f;
    }

    /** {@link #spawn(Callable)} for a task without a result. */
    public Fiber<Void> spawn(VoidTask task) {
        return spawn(Hub.callable(task));
    }

    /** Waits until every fiber of the pool has ended, or {@code timeout}; true if they all did. */
    public boolean join(Duration timeout) {
        return Fiber.joinAll(new ArrayList<>(running), timeout);
    }

    /** Kills every fiber of the pool and waits up to {@code timeout} for them; true if all ended. */
    public boolean kill(Duration timeout) {
        List<Fiber<?>> all = new ArrayList<>(running);
        return Fiber.killAll(all, timeout);
    }

    /** Fibers of the pool running now. */
    public int running() {
        return running.size();
    }

    /** Free slots now. */
    public int free() {
        return size - running.size();
    }

    @Override
    public String toString() {
        return "Pool(" + running.size() + "/" + size + " running, " + slots.waiting() + " spawners waiting)";
    }
}
