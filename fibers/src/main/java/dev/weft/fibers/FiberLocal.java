package dev.weft.fibers;

import java.util.Arrays;
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
 * <p>Thread rule: inside a fiber ({@link NotInFiberException} otherwise); a fiber sees only its own value.
 *
 * @param <T> the value type
 */
public final class FiberLocal<T> {
    private static final AtomicInteger NEXT_INDEX = new AtomicInteger();
    private static final Object UNSET = new Object();

    private final int index = NEXT_INDEX.getAndIncrement();
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
        Object[] slots = slots(Hub.currentFiber("FiberLocal.get"));
        Object v = slots[index];
        if (v == UNSET) {
            T init = initial.get();
            slots = slots(Hub.currentFiber("FiberLocal.get")); // the supplier may have grown the array
            slots[index] = init;
            return init;
        }
        return (T) v;
    }

    /** Sets the current fiber's value. */
    public void set(T value) {
        slots(Hub.currentFiber("FiberLocal.set"))[index] = value;
    }

    /** Forgets the current fiber's value; the next {@link #get()} computes the initial value again. */
    public void remove() {
        slots(Hub.currentFiber("FiberLocal.remove"))[index] = UNSET;
    }

    private Object[] slots(Fiber<?> f) {
        Object[] s = f.locals;
        if (s == null || s.length <= index) {
            int size = Math.max(index + 1, s == null ? 4 : s.length * 2);
            Object[] grown = s == null ? new Object[size] : Arrays.copyOf(s, size);
            Arrays.fill(grown, s == null ? 0 : s.length, size, UNSET);
            f.locals = grown;
            s = grown;
        }
        return s;
    }
}
