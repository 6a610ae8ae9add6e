package dev.weft.fibers;

import java.lang.ref.Cleaner;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A variable with one value per fiber — what {@link ThreadLocal} is for threads.
 *
 * <p><b>Plain {@code ThreadLocal}s are shared by every fiber of a hub</b>: all of them run on the
 * hub thread, so {@code Thread.currentThread()} is the same for all and a value one fiber sets is
 * seen (and overwritten) by the others. Use a {@code FiberLocal} for per-request or per-connection
 * state. Values are not inherited by spawned fibers and are dropped when the fiber ends.
 *
 * <p>Thread rule: inside a fiber ({@link NotInFiberException} otherwise); a fiber sees only its own value.
 *
 * <p>Implementation notes: each fiber-local has a slot index into its fibers' value arrays. An
 * index is given back when its fiber-local becomes unreachable (a {@link Cleaner}) and reused by
 * the next one, lowest first, so creating many short-lived fiber-locals does not grow every
 * fiber's array without bound. A slot holds the owning fiber-local's key next to the value, so a
 * value left behind by a collected fiber-local is never seen by the one that reuses its index.
 *
 * @param <T> the value type
 */
public final class FiberLocal<T> {
    private static final Cleaner CLEANER = Cleaner.create();
    /** Indexes in use; guarded by itself (a short critical section that never switches). */
    private static final BitSet USED = new BitSet();

    /** This fiber-local's identity in slots; not the fiber-local itself, so that it can be collected. */
    private final Object key = new Object();
    private final int index;
    private final Supplier<? extends T> initial;

    /** A fiber-local whose initial value is null. */
    public FiberLocal() {
        this(() -> null);
    }

    private FiberLocal(Supplier<? extends T> initial) {
        this.initial = initial;
        int i;
        synchronized (USED) {
            i = USED.nextClearBit(0);
            USED.set(i);
        }
        this.index = i;
        CLEANER.register(this, () -> {
            synchronized (USED) {
                USED.clear(i);
            }
        });
    }

    /** A fiber-local whose initial value in each fiber comes from {@code initial} (called on first {@link #get()}). */
    public static <T> FiberLocal<T> withInitial(Supplier<? extends T> initial) {
        return new FiberLocal<>(Objects.requireNonNull(initial, "initial"));
    }

    /** The current fiber's value, computing the initial value on first use. */
    @SuppressWarnings("unchecked")
    public T get() {
        Fiber<?> f = Hub.currentFiber("FiberLocal.get");
        Object[] slots = f.locals();
        int at = 2 * index;
        if (slots != null && at < slots.length && slots[at] == key) {
            return (T) slots[at + 1];
        }
        T init = initial.get();
        store(Hub.currentFiber("FiberLocal.get"), init); // the supplier may have grown the array
        return init;
    }

    /** Sets the current fiber's value. */
    public void set(T value) {
        store(Hub.currentFiber("FiberLocal.set"), value);
    }

    /** Forgets the current fiber's value; the next {@link #get()} computes the initial value again. */
    public void remove() {
        Fiber<?> f = Hub.currentFiber("FiberLocal.remove");
        Object[] slots = f.locals();
        int at = 2 * index;
        if (slots != null && at < slots.length && slots[at] == key) {
            slots[at] = null;
            slots[at + 1] = null;
        }
    }

    private void store(Fiber<?> f, Object value) {
        Object[] s = f.locals();
        int at = 2 * index;
        if (s == null || s.length <= at) {
            int size = Math.max(at + 2, s == null ? 8 : s.length * 2);
            s = s == null ? new Object[size] : Arrays.copyOf(s, size);
            f.extras().locals = s;
        }
        s[at] = key;
        s[at + 1] = value;
    }

    /** Indexes in use now (for tests). */
    static int indexesInUse() {
        synchronized (USED) {
            return USED.cardinality();
        }
    }

    /** Slots one fiber's array has room for (for tests). */
    static int capacity(Fiber<?> f) {
        Object[] s = f.locals();
        return s == null ? 0 : s.length / 2;
    }
}
