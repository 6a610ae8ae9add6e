package dev.weft.fibers;

import java.util.ArrayList;
import java.util.List;

/**
 * The live (not ended) fibers of one hub: an intrusive doubly linked list through
 * {@link FiberCore#prevLive}/{@link FiberCore#nextLive} (no node objects, O(1) add and remove),
 * newest first, with its count and the ids it hands out. Shutdown kills them, the stall report
 * lists them, dumps show them, and the count is the hub's load.
 *
 * <p>Thread rule: hub thread, except the methods marked racy (read by the watchdog and JFR threads).
 */
final class LiveFibers {
    private FiberCore head;
    private int count;
    private long nextId = 1;

    /** The id for the next fiber (the main fiber of {@code Hub.run} gets 1). */
    long nextId() {
        return nextId++;
    }

    /** Fibers made since the hub opened (racy outside the hub thread, for JFR). */
    long spawnedCount() {
        return nextId - 1;
    }

    /** Live fibers (racy outside the hub thread, for JFR and reports). */
    int count() {
        return count;
    }

    /** The newest live fiber; follow {@link FiberCore#nextLive} for the others. */
    FiberCore head() {
        return head;
    }

    void add(FiberCore f) {
        if (head != null) {
            head.prevLive = f;
            f.nextLive = head;
        }
        head = f;
        count++;
    }

    /** Removes {@code f}; nothing if it is not in the list. */
    void remove(FiberCore f) {
        if (f.prevLive != null) {
            f.prevLive.nextLive = f.nextLive;
        } else if (head == f) {
            head = f.nextLive;
        } else {
            return; // not in the list
        }
        if (f.nextLive != null) {
            f.nextLive.prevLive = f.prevLive;
        }
        f.prevLive = null;
        f.nextLive = null;
        count--;
    }

    /** The live fibers' faces, newest first. Hub thread. */
    List<Fiber<?>> faces() {
        List<Fiber<?>> all = new ArrayList<>(count);
        for (FiberCore f = head; f != null; f = f.nextLive) {
            all.add(f.face);
        }
        return all;
    }

    /**
     * The live fibers without the thread rule, for the watchdog's report about a hub thread that is
     * stuck (blocked on a monitor): a racy read, made only while the hub thread cannot move, and
     * bounded by the count so that a torn list cannot loop.
     */
    List<FiberCore> whileStuck() {
        List<FiberCore> all = new ArrayList<>();
        for (FiberCore f = head; f != null && all.size() <= count; f = f.nextLive) {
            all.add(f);
        }
        return all;
    }
}
