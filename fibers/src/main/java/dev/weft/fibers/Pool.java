package dev.weft.fibers;

/**
 * A {@link Group} with a size limit (gevent's {@code Pool}): {@link #spawn} and {@link #add} wait
 * while {@code size} fibers of the pool are running, so at most that many run at once; a slot frees
 * when a member ends or is {@linkplain #discard discarded}. {@link #join} waits for them all,
 * {@link #kill} ends them all; the map family keeps at most {@code size} items in flight.
 *
 * <p>Thread rule: hub thread; {@code spawn}, {@code add} and {@code join} from fibers (they may block).
 */
public final class Pool extends Group {
    private final int size;
    private final Semaphore slots;

    /** A pool running at most {@code size} fibers at once. Hub thread. */
    public Pool(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("a pool needs at least one slot, not " + size);
        }
        this.size = size;
        this.slots = Semaphore.bounded(size);
    }

    /**
     * Waits for a free slot (as {@link Semaphore#acquire()} blocks: until one frees, or the caller
     * is killed or times out, having taken none).
     */
    @Override
    void acquireSlot() {
        slots.acquire();
    }

    @Override
    void releaseSlot() {
        slots.release();
    }

    @Override
    int defaultInFlight() {
        return size;
    }

    /** Fibers of the pool running now. */
    public int running() {
        return size();
    }

    /** Free slots now. */
    public int free() {
        return slots.available();
    }

    /** The size limit. */
    public int capacity() {
        return size;
    }

    @Override
    public String toString() {
        return "Pool(" + size() + "/" + size + " running, " + slots.waiting() + " spawners waiting)";
    }
}
