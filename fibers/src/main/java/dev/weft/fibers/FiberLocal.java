package dev.weft.fibers;

import java.lang.ref.WeakReference;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A variable with one value per fiber — what {@link ThreadLocal} is for threads.
 *
 * <p><b>Plain {@code ThreadLocal}s are shared by every fiber of a hub</b>: all of them run on the
 * hub thread, so {@code Thread.currentThread()} is the same for all and a value one fiber sets is
 * seen (and overwritten) by the others. Use a {@code FiberLocal} for per-request or per-connection
 * state. Values are not inherited by spawned fibers and are dropped when the fiber ends.
 *
 * <p>Cost: creating one is O(1) and touches nothing shared (no registry, no index); a fiber's storage
 * grows with the fiber-locals <em>it</em> has set, whatever number exist in the JVM, so fiber-locals
 * made in a loop cost other fibers nothing. The value a fiber set in a fiber-local that is no longer
 * reachable is dropped from that fiber's storage once the collector has found the fiber-local
 * unreachable (as a {@code ThreadLocal}'s), or when the fiber ends; {@link #remove()} drops it at once.
 *
 * <p>Thread rule: inside a fiber ({@link NotInFiberException} otherwise); a fiber sees only its own value.
 *
 * <p>Implementation notes: each fiber holds an open-addressing table (linear probing, the hash a
 * multiple of the golden ratio, as {@code ThreadLocal}'s) of entries that refer to their fiber-local
 * weakly and to the value strongly. An entry whose fiber-local was collected is stale: a set reuses
 * its slot, and a resize drops it. (Until issue 23 each fiber-local took a global index, given back
 * only after a collection: a million short-lived ones made every fiber's array 7.9 MB.)
 *
 * @param <T> the value type
 */
public final class FiberLocal<T> {
    private static final AtomicInteger NEXT_HASH = new AtomicInteger();
    private static final int HASH_INCREMENT = 0x61c88647;

    private final int hash = NEXT_HASH.getAndAdd(HASH_INCREMENT);
    private final Supplier<? extends T> initial;

    /** A fiber-local whose initial value is null. */
    public FiberLocal() {
        this(() -> null);
    }

    private FiberLocal(Supplier<? extends T> initial) {
        this.initial = initial;
    }

    /** A fiber-local whose initial value in each fiber comes from {@code initial} (called on first {@link #get()}). */
    public static <T> FiberLocal<T> withInitial(Supplier<? extends T> initial) {
        return new FiberLocal<>(Objects.requireNonNull(initial, "initial"));
    }

    /** The current fiber's value, computing the initial value on first use. */
    @SuppressWarnings("unchecked")
    public T get() {
        FiberCore f = Hub.currentFiber("FiberLocal.get");
        Slots s = f.localSlots();
        Slots.Entry e = s == null ? null : s.find(this);
        if (e != null) {
            return (T) e.value;
        }
        T init = initial.get();
        store(Hub.currentFiber("FiberLocal.get"), init); // the supplier may have set other fiber-locals
        return init;
    }

    /** Sets the current fiber's value. */
    public void set(T value) {
        store(Hub.currentFiber("FiberLocal.set"), value);
    }

    /** Forgets the current fiber's value; the next {@link #get()} computes the initial value again. */
    public void remove() {
        Slots s = Hub.currentFiber("FiberLocal.remove").localSlots();
        if (s != null) {
            s.remove(this);
        }
    }

    private void store(FiberCore f, Object value) {
        Slots s = f.localSlots();
        if (s == null) {
            s = new Slots();
            f.extras().locals = s;
        }
        s.set(this, value);
    }

    /** Slots one fiber's table has (for tests). */
    static int capacity(Fiber<?> f) {
        Slots s = f.core.localSlots();
        return s == null ? 0 : s.table.length;
    }

    /** One fiber's values. Hub thread, that fiber only. */
    static final class Slots {
        /** A value, and its fiber-local held weakly: cleared (stale) once the fiber-local is collected. */
        static final class Entry extends WeakReference<FiberLocal<?>> {
            Object value;

            Entry(FiberLocal<?> key, Object value) {
                super(key);
                this.value = value;
            }
        }

        private Entry[] table = new Entry[16];
        /** Slots in use, stale ones included. */
        private int used;

        private int next(int i) {
            return (i + 1) & (table.length - 1);
        }

        Entry find(FiberLocal<?> key) {
            Entry[] t = table;
            for (int i = key.hash & (t.length - 1); t[i] != null; i = next(i)) {
                if (t[i].refersTo(key)) {
                    return t[i];
                }
            }
            return null;
        }

        void set(FiberLocal<?> key, Object value) {
            Entry[] t = table;
            int stale = -1;
            int i = key.hash & (t.length - 1);
            for (; t[i] != null; i = next(i)) {
                if (t[i].refersTo(key)) {
                    t[i].value = value;
                    return;
                }
                if (stale < 0 && t[i].refersTo(null)) {
                    stale = i;
                }
            }
            if (stale >= 0) { // the key is not in the table (the run ended): reuse a dead one's slot
                t[stale] = new Entry(key, value);
                return;
            }
            t[i] = new Entry(key, value);
            if (++used * 3 >= t.length * 2) {
                resize();
            }
        }

        void remove(FiberLocal<?> key) {
            Entry e = find(key);
            if (e != null) {
                e.clear(); // stale from now on: its slot is reused or dropped
                e.value = null;
            }
        }

        /** Rebuilds the table without stale entries; twice as large if it is still half full. */
        private void resize() {
            Entry[] old = table;
            int live = 0;
            for (Entry e : old) {
                if (e != null && !e.refersTo(null)) {
                    live++;
                }
            }
            int size = old.length;
            while (live * 2 >= size) {
                size *= 2;
            }
            Entry[] t = new Entry[size];
            for (Entry e : old) {
                FiberLocal<?> k = e == null ? null : e.get();
                if (k != null) {
                    int i = k.hash & (size - 1);
                    while (t[i] != null) {
                        i = (i + 1) & (size - 1);
                    }
                    t[i] = e;
                }
            }
            table = t;
            used = live;
        }
    }
}
