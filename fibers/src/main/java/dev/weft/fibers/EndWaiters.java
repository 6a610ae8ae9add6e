package dev.weft.fibers;

import java.util.ArrayList;
import java.util.function.Consumer;

/**
 * Who waits for a fiber's end, kept in its one field {@link FiberCore#endWaiters}: null, one joining
 * fiber (its core), one on-exit {@link Consumer}, or an {@code EndWaiters} list of both kinds in
 * arrival order (a list only once two wait: most fibers have one waiter or none, and a parked
 * fiber is kept small). Hub thread only.
 */
final class EndWaiters extends ArrayList<Object> {
    private static final long serialVersionUID = 1L;

    private EndWaiters() {
        super(2);
    }

    /** Adds a joining fiber's core or an on-exit callback to {@code f}'s waiters. */
    static void add(FiberCore f, Object w) {
        Object e = f.endWaiters;
        if (e == null) {
            f.endWaiters = w;
        } else if (e instanceof EndWaiters list) {
            list.add(w);
        } else {
            EndWaiters list = new EndWaiters();
            list.add(e);
            list.add(w);
            f.endWaiters = list;
        }
    }

    /** Removes {@code w} from {@code f}'s waiters; true if it was there. */
    static boolean remove(FiberCore f, Object w) {
        Object e = f.endWaiters;
        if (e == w) {
            f.endWaiters = null;
            return true;
        }
        return e instanceof EndWaiters list && list.remove(w);
    }

    /**
     * Takes {@code f}'s waiters as it ends: wakes every joiner first (each removes nothing: the field
     * is cleared), then runs the callbacks with the fiber's face, outside any fiber, reporting what
     * they throw.
     */
    @SuppressWarnings("unchecked")
    static void ended(FiberCore f) {
        Object w = f.endWaiters;
        f.endWaiters = null;
        if (w instanceof EndWaiters list) {
            for (Object o : list) {
                if (o instanceof FiberCore joiner) {
                    joiner.unpark();
                }
            }
            for (Object o : list) {
                if (!(o instanceof FiberCore)) {
                    f.hub.runCallback(() -> ((Consumer<Object>) o).accept(f.face));
                }
            }
        } else if (w instanceof FiberCore joiner) {
            joiner.unpark();
        } else if (w != null) {
            f.hub.runCallback(() -> ((Consumer<Object>) w).accept(f.face));
        }
    }
}
