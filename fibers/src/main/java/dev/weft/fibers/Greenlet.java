package dev.weft.fibers;

import dev.weft.fibers.internal.GreenletContinuation;
import java.util.Objects;
import java.util.function.Function;

/**
 * A coroutine switched to explicitly (the {@code greenlet} library gevent is built on): no hub, no
 * scheduling, just "run that one now, with this value". Greenlets live inside one fiber; the fiber
 * itself is the {@linkplain #current() root greenlet}.
 *
 * <pre>{@code
 * Greenlet[] g = new Greenlet[2];
 * g[0] = new Greenlet(x -> { print(12); g[1].switchTo(); print(34); return null; });
 * g[1] = new Greenlet(x -> { print(56); g[0].switchTo(); print(78); return null; });
 * g[0].switchTo();   // prints 12, 56, 34; g[0] ends and returns here, to its parent
 * g[1].switchTo();   // prints 78
 * }</pre>
 *
 * <ul>
 * <li>{@link #switchTo(Object)} suspends the calling greenlet and runs this one: a new greenlet
 *     starts with the value as its function's argument; a suspended one sees it as the return value
 *     of its own {@code switchTo}. The caller's {@code switchTo} returns whatever value is later
 *     switched back to it.
 * <li>When a greenlet's function returns, the value is passed to its parent (the greenlet that was
 *     current when it was created, unless given; the first parent still alive if that one ended);
 *     when it throws, the exception is thrown in the parent (a parent that never started ends
 *     without running, and the exception goes on to its own parent, as in greenlet).
 * <li>{@link #throwInto} switches with an exception thrown there instead of a value; into a greenlet
 *     not started yet, it ends it without running and the exception goes to its parent.
 * <li>Switching to an ended greenlet, or to one of another fiber or hub, throws
 *     {@link IllegalStateException} naming it.
 * </ul>
 *
 * <p>With fibers: a greenlet may call any blocking fiber operation; the whole fiber (all its
 * greenlets) waits, and other fibers run meanwhile. A kill of the fiber is thrown in the running
 * greenlet; if it is not caught there it travels up the parent chain to the fiber's own code,
 * running finally blocks on the way. A {@link Timeout} belongs to the greenlet that opened it (as
 * gevent's belongs to the greenlet that started it): it limits that greenlet's blocking calls only,
 * and one that expires while another greenlet runs is thrown by its own greenlet's next blocking
 * call, once it is switched back to; each greenlet closes its own timeouts in any order relative to
 * the others', and those a greenlet leaves open end with it. Not guaranteed: a greenlet still
 * suspended when its fiber ends is dropped without running its finally blocks (Python's greenlet
 * throws {@code GreenletExit} into it when it is garbage collected; the JVM cannot).
 *
 * <p>Thread rule: inside the fiber that created it ({@link NotInFiberException} outside any fiber).
 */
public final class Greenlet {
    private enum State { NEW, ACTIVE, DEAD }

    /** Per fiber: its root greenlet, the one running now, and the switch in progress. */
    private static final class Driver {
        final Greenlet root;
        Greenlet current;
        Greenlet target;
        Object value;
        Throwable error;

        Driver(FiberCore fiber) {
            this.root = new Greenlet(fiber);
            this.current = root;
        }
    }

    private static final FiberLocal<Driver> DRIVERS = new FiberLocal<>();

    private final FiberCore fiber;
    private final Greenlet parent;
    private final Function<Object, Object> function;
    private final String name;
    private GreenletContinuation cont;
    private State state;
    /** The value or exception a switch back to this greenlet delivers. */
    private Object received;
    private Throwable receivedError;
    /** Its open {@link Timeout}s (innermost first) while another greenlet of the fiber runs. */
    private Timeout savedTimeouts;

    /** A new greenlet running {@code function}, whose parent is the current greenlet. Inside a fiber. */
    public Greenlet(Function<Object, Object> function) {
        this(null, function, null);
    }

    /**
     * A new greenlet with a name (for messages) and an explicit parent (null: the current greenlet).
     *
     * @throws IllegalArgumentException if {@code parent} belongs to another fiber
     */
    public Greenlet(String name, Function<Object, Object> function, Greenlet parent) {
        Driver d = driver("new Greenlet");
        this.fiber = d.root.fiber;
        this.function = Objects.requireNonNull(function, "function");
        this.name = name;
        if (parent != null && parent.fiber != fiber) {
            throw new IllegalArgumentException("parent " + parent + " belongs to another fiber than " + fiber);
        }
        this.parent = parent != null ? parent : d.current;
        this.state = State.NEW;
    }

    /** The root greenlet of a fiber: its own code. */
    private Greenlet(FiberCore fiber) {
        this.fiber = fiber;
        this.parent = null;
        this.function = null;
        this.name = "root of fiber " + fiber;
        this.state = State.ACTIVE;
    }

    /** The greenlet running now in the current fiber (its root greenlet if none was switched to). */
    public static Greenlet current() {
        return driver("Greenlet.current").current;
    }

    private static Driver driver(String what) {
        FiberCore me = Hub.currentFiber(what);
        Driver d = DRIVERS.get();
        if (d == null) {
            d = new Driver(me);
            DRIVERS.set(d);
        }
        return d;
    }

    /** {@link #switchTo(Object)} with null. */
    public Object switchTo() {
        return switchTo(null);
    }

    /**
     * Suspends the current greenlet and runs this one with {@code value}, returning the value that
     * a later switch back to the caller passes (see the class comment).
     *
     * @throws IllegalStateException if this greenlet has ended, or belongs to another fiber or hub
     * @throws RuntimeException or Error whatever a later switch back throws into the caller
     *                          ({@link #throwInto}, or a child's failure)
     */
    public Object switchTo(Object value) {
        return transfer(value, null);
    }

    /**
     * Switches to this greenlet, throwing {@code exception} there (in a new greenlet: it ends
     * without running, and the exception goes to its parent). Returns what a later switch back
     * passes, as {@link #switchTo} does.
     *
     * @throws IllegalArgumentException for a checked exception (wrap it in an unchecked one)
     */
    public Object throwInto(Throwable exception) {
        Objects.requireNonNull(exception, "exception");
        if (!(exception instanceof RuntimeException) && !(exception instanceof Error)) {
            throw new IllegalArgumentException("throwInto(" + exception + "): a checked exception cannot be thrown"
                    + " where switchTo does not declare it; wrap it in an unchecked exception");
        }
        return transfer(null, exception);
    }

    private Object transfer(Object value, Throwable error) {
        FiberCore me = Hub.currentFiber("Greenlet.switchTo");
        if (fiber != me) {
            throw new IllegalStateException("cannot switch to " + this + " from fiber " + me + (fiber.hub != me.hub
                    ? " on hub thread '" + me.hub.thread.getName() + "': it belongs to hub thread '"
                            + fiber.hub.thread.getName() + "'"
                    : ": it belongs to fiber " + fiber) + "; a greenlet runs only inside the fiber that created it");
        }
        if (state == State.DEAD) {
            throw new IllegalStateException("cannot switch to " + this + ": it has ended");
        }
        Driver d = DRIVERS.get();
        Greenlet from = d.current;
        if (from == this) {
            return deliver(value, error);
        }
        Greenlet to = this;
        if (to.state == State.NEW && error != null) {
            to.state = State.DEAD; // killed before it started: the exception goes to its parent
            to = to.liveParent();
            if (to == from) {
                return deliver(null, error);
            }
        }
        d.target = to;
        d.value = value;
        d.error = error;
        if (from == d.root) {
            return drive(d);
        }
        if (!GreenletContinuation.suspend()) { // back to the root's drive loop
            throw new FiberPinnedException(from.cont.takePinnedReason());
        }
        return from.takeReceived();
    }

    /** The root's loop: runs greenlets until a switch targets the root. */
    private static Object drive(Driver d) {
        while (true) {
            Greenlet t = d.target;
            if (t.state == State.NEW && d.error != null) {
                // An exception sent to a greenlet that never started (a child's failure, a throwInto):
                // it ends without running and the exception goes on to its parent (as in greenlet).
                t.state = State.DEAD;
                d.target = t.liveParent();
                d.value = null;
                continue;
            }
            Object v = d.value;
            Throwable e = d.error;
            d.target = null;
            d.value = null;
            d.error = null;
            d.current.saveTimeouts();
            d.current = t;
            t.restoreTimeouts();
            if (t == d.root) {
                return deliver(v, e);
            }
            if (t.state == State.NEW) {
                t.state = State.ACTIVE;
                t.cont = new GreenletContinuation(() -> t.body(d, v));
            } else {
                t.received = v;
                t.receivedError = e;
            }
            t.cont.run(); // until it switches (d.target set) or ends (d.target set to its parent)
        }
    }

    private void body(Driver d, Object argument) {
        Object result = null;
        Throwable failure = null;
        try {
            result = function.apply(argument);
        } catch (Throwable t) {
            failure = t;
        }
        while (fiber.timeouts != null) {
            fiber.timeouts.close(); // left open by this greenlet's code: they die with it
        }
        state = State.DEAD;
        d.target = liveParent();
        d.value = result;
        d.error = failure;
    }

    /** Keeps the fiber's open {@link Timeout}s as this greenlet's own while another greenlet runs. */
    private void saveTimeouts() {
        savedTimeouts = fiber.timeouts;
        fiber.timeouts = null;
    }

    /**
     * Makes this greenlet's own {@link Timeout}s the fiber's again: one that expired while another
     * greenlet ran is thrown by this greenlet's next blocking call (never by another greenlet's).
     */
    private void restoreTimeouts() {
        fiber.timeouts = savedTimeouts;
        savedTimeouts = null;
        if (Timeout.outermostExpired(fiber.timeouts) != null) {
            fiber.interrupts |= FiberCore.TIMEOUT;
        } else {
            fiber.interrupts &= ~FiberCore.TIMEOUT;
        }
    }

    private Greenlet liveParent() {
        Greenlet p = parent;
        while (p.state == State.DEAD) {
            p = p.parent;
        }
        return p;
    }

    private Object takeReceived() {
        Object v = received;
        Throwable e = receivedError;
        received = null;
        receivedError = null;
        return deliver(v, e);
    }

    private static Object deliver(Object value, Throwable error) {
        if (error instanceof RuntimeException re) {
            throw re;
        }
        if (error instanceof Error err) {
            throw err;
        }
        if (error != null) {
            throw new java.util.concurrent.CompletionException("a greenlet failed: " + error, error);
        }
        return value;
    }

    /** Whether its function has returned or thrown (or it was ended before it started). */
    public boolean isDead() {
        return state == State.DEAD;
    }

    /** Whether it has been switched to at least once (or is a fiber's root). */
    public boolean isStarted() {
        return state != State.NEW;
    }

    /** Its parent; null for a fiber's root greenlet. */
    public Greenlet parent() {
        return parent;
    }

    /** The fiber it lives in. */
    public Fiber<?> fiber() {
        return fiber.face;
    }

    @Override
    public String toString() {
        return "Greenlet(" + (name != null ? name + ", " : "") + state.name().toLowerCase(java.util.Locale.ROOT)
                + (parent == null ? "" : ", in fiber " + fiber) + ")";
    }
}
