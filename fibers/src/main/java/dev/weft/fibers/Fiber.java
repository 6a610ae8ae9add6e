package dev.weft.fibers;

import dev.weft.fibers.internal.FiberContinuation;
import dev.weft.fibers.internal.SpawnSite;
import dev.weft.hub.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/**
 * A cooperative thread: a continuation run by its {@link Hub} on the hub thread, switching to the
 * hub only when it blocks (sleep, join, a primitive's wait, socket I/O, {@link #yield()}).
 *
 * <p>Thread rule: a fiber belongs to the hub that spawned it. Every method checks that it is called
 * on that hub's thread and throws {@link dev.weft.hub.WrongThreadException} otherwise; other threads
 * hand work over with {@link Hub#execute(Runnable)} or complete an {@link AsyncResult}.
 *
 * <p>Blocking methods ({@code sleep}, {@code yield}, {@code join}, {@code get}, {@code kill(Duration)})
 * must run inside a fiber ({@link NotInFiberException} otherwise). Each of them throws, instead of
 * returning: {@link FiberKilledError} if the calling fiber is killed, {@link FiberTimeoutException}
 * if an enclosing {@link Timeout} expires, {@link BlockedForeverException} if nothing could ever wake
 * it, {@link FiberPinnedException} if it cannot switch.
 *
 * <p>Failures are reported exactly once: to whoever {@linkplain #get() gets its result} or
 * {@linkplain #join() joins} it, otherwise to the hub's
 * {@linkplain Hub#setUncaughtExceptionHandler uncaught exception handler}. An
 * {@linkplain #onExit on-exit callback} is a notification, not an observation: registering one does
 * not keep a failure from the uncaught handler (bookkeeping such as a pool's must not hide failures).
 *
 * @param <T> the result type
 */
public final class Fiber<T> {
    static final int KILL = 1;
    static final int TIMEOUT = 2;
    static final int STALL = 4;

    final Hub hub;
    final FiberContinuation cont;
    private final long id;
    private final String name;
    /**
     * How the spawning fiber is named in reports ({@code #3 'main'}; null: the hub itself). Kept
     * instead of the fiber, which may be long gone; one string shared by all of its children.
     */
    private final String parentLabel;
    private final SpawnSite spawnSite;
    /** A {@link Callable} or a {@link VoidTask} (no wrapper: one frame less on every parked stack); null once started. */
    private Object task;
    FiberState state = FiberState.NEW;
    /** The result once SUCCEEDED, the Throwable once FAILED (one field: a parked fiber is kept small). */
    private Object outcome;
    /** This fiber's {@link #toString()}, made once, for its children's {@link #parentLabel}. */
    private String label;

    /** Operations left before {@link Hub#spendBudget()} yields; refilled at every switch. */
    int budget = Hub.BUDGET;
    /** Pending interruptions (KILL, TIMEOUT, STALL), thrown by the next or current park. */
    int interrupts;
    String stallReport;
    /** What the fiber waits on while WAITING (for reports); its start timer while NEW and delayed. */
    Object blocker;
    /** Innermost open {@link Timeout} of this fiber. */
    Timeout timeouts;
    /** Set by the deadline timer of {@link #parkUntil}. */
    private boolean timedOut;
    private Runnable deadlineWake;
    private Runnable waker;
    private Object joiners;
    private Object exitCallbacks;
    private boolean observed;
    /** Fiber-local values, indexed by {@link FiberLocal}; created on first use. */
    Object[] locals;
    /** The hub's intrusive list of live fibers. */
    Fiber<?> prevLive;
    Fiber<?> nextLive;

    Fiber(Hub hub, long id, String name, Fiber<?> parent, Object task) {
        this.hub = hub;
        this.id = id;
        this.name = name;
        this.parentLabel = parent == null ? null : parent.toString();
        this.task = task;
        this.spawnSite = SpawnSite.CAPTURE ? new SpawnSite() : null;
        this.cont = new FiberContinuation(this::body);
    }

    // ---------------------------------------------------------------- static entry points

    /** Spawns a fiber on the current hub running {@code task}; it starts after the caller blocks or yields. Hub thread. */
    public static <T> Fiber<T> spawn(Callable<T> task) {
        return Hub.current().spawn(null, task);
    }

    /** Spawns a fiber running {@code task}. Hub thread. */
    public static Fiber<Void> spawn(VoidTask task) {
        return Hub.current().spawnVoid(null, task);
    }

    /** Spawns a named fiber running {@code task}. Hub thread. */
    public static <T> Fiber<T> spawn(String name, Callable<T> task) {
        return Hub.current().spawn(name, task);
    }

    /** Spawns a named fiber running {@code task}. Hub thread. */
    public static Fiber<Void> spawn(String name, VoidTask task) {
        return Hub.current().spawnVoid(name, task);
    }

    /** Spawns a fiber that starts once {@code delay} has passed; killing it before then means it never runs. Hub thread. */
    public static <T> Fiber<T> spawnLater(Duration delay, Callable<T> task) {
        return Hub.current().spawnLater(delay, null, task);
    }

    /**
     * The fiber running on this thread.
     *
     * @throws NotInFiberException outside a fiber
     */
    public static Fiber<?> current() {
        return Hub.currentFiber("Fiber.current()");
    }

    /**
     * Blocks the current fiber for {@code duration} (zero or negative: {@link #yield()}).
     * Timers have the backend's resolution (1 ms on nio); it never wakes early.
     */
    public static void sleep(Duration duration) {
        sleepNanos(duration.toNanos());
    }

    /** {@link #sleep(Duration)} in milliseconds. */
    public static void sleep(long millis) {
        sleepNanos(Math.multiplyExact(millis, 1_000_000L));
    }

    private static void sleepNanos(long nanos) {
        Fiber<?> f = Hub.currentFiber("Fiber.sleep");
        if (nanos <= 0) {
            f.park(null, true);
            return;
        }
        f.parkUntil("sleep", System.nanoTime() + nanos);
    }

    /** Lets every other runnable fiber run once, then continues. A blocking call (it can throw as one). */
    public static void yield() {
        Hub.currentFiber("Fiber.yield").park(null, true);
    }

    /** Waits until every fiber in {@code fibers} is done; {@code false} if {@code timeout} passed first. */
    public static boolean joinAll(Collection<? extends Fiber<?>> fibers, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Fiber<?> f : fibers) {
            if (!f.join(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
                return false;
            }
        }
        return true;
    }

    /** Kills every fiber in {@code fibers} and waits up to {@code timeout}; {@code true} if all are done. */
    public static boolean killAll(Collection<? extends Fiber<?>> fibers, Duration timeout) {
        for (Fiber<?> f : fibers) {
            if (f != f.hub.current) {
                f.kill();
            }
        }
        return joinAll(fibers, timeout);
    }

    // ---------------------------------------------------------------- queries

    /** The hub-unique id (the main fiber of {@link Hub#run} is 1). */
    public long id() {
        return id;
    }

    /** The name given at spawn, or {@code fiber-ID}. */
    public String name() {
        return name != null ? name : "fiber-" + id;
    }

    /** The current state. Hub thread. */
    public FiberState state() {
        return state;
    }

    /** Whether the fiber has finished (succeeded, failed or killed). */
    public boolean isDone() {
        return state.isDone();
    }

    /** The hub that runs this fiber. */
    public Hub hub() {
        return hub;
    }

    /** The exception the fiber failed with, or null. Does not count as observing it. */
    public Throwable failure() {
        return state == FiberState.FAILED ? (Throwable) outcome : null;
    }

    // ---------------------------------------------------------------- join, get, kill

    /** Waits until this fiber is done (it does not throw the fiber's failure; see {@link #get()}). */
    public void join() {
        joinUntil(Long.MAX_VALUE, false);
    }

    /** Waits up to {@code timeout} until this fiber is done; {@code true} if it is. */
    public boolean join(Duration timeout) {
        return joinUntil(System.nanoTime() + timeout.toNanos(), true);
    }

    /**
     * Waits until this fiber is done and returns its result.
     *
     * @throws RuntimeException or Error the fiber's own failure, rethrown as is, with a suppressed
     *                          note saying which fiber spawned it
     * @throws CompletionException wrapping a checked exception the fiber threw
     * @throws CancellationException if the fiber was killed
     */
    public T get() {
        join();
        return outcome();
    }

    /**
     * {@link #get()} with a time limit.
     *
     * @throws FiberTimeoutException if {@code timeout} passes first (the fiber goes on running)
     */
    public T get(Duration timeout) {
        try (Timeout t = Timeout.after(timeout)) {
            join();
        }
        return outcome();
    }

    @SuppressWarnings("unchecked")
    private T outcome() {
        observed = true;
        return switch (state) {
            case SUCCEEDED -> (T) outcome;
            case KILLED -> throw new CancellationException("fiber " + this + " was killed");
            case FAILED -> throw rethrowable();
            default -> throw new IllegalStateException("fiber " + this + " is not done: " + state);
        };
    }

    private RuntimeException rethrowable() {
        Throwable t = failure();
        boolean noted = false;
        for (Throwable s : t.getSuppressed()) {
            noted |= s instanceof SpawnSite;
        }
        if (!noted) {
            t.addSuppressed(SpawnSite.describe(toString(), parentDescription(), spawnSite));
        }
        if (t instanceof RuntimeException re) {
            return re;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new CompletionException("fiber " + this + " failed: " + t, t);
    }

    /**
     * Kills this fiber: if it has not started it never runs; if it is waiting it wakes at once with
     * {@link FiberKilledError} and unwinds through its {@code finally} blocks; if it is runnable it
     * gets the error at its next switch. Does not wait (see {@link #kill(Duration)}). Killing the
     * current fiber throws {@link FiberKilledError} right away. No effect on a finished fiber. Hub thread.
     */
    public void kill() {
        hub.checkThread("Fiber.kill");
        switch (state) {
            case NEW -> {
                if (blocker instanceof Timer t) {
                    hub.loop.cancel(t);
                    blocker = null;
                }
                finish(FiberState.KILLED);
            }
            case RUNNING -> throw new FiberKilledError("fiber " + this + " killed itself");
            case SCHEDULED -> interrupts |= KILL;
            case WAITING -> {
                interrupts |= KILL;
                unpark();
            }
            default -> {
            }
        }
    }

    /** Kills this fiber and waits up to {@code timeout} for it to finish; {@code true} if it did. */
    public boolean kill(Duration timeout) {
        kill();
        return join(timeout);
    }

    /**
     * Registers {@code callback} to run when this fiber finishes (at once if it has). It runs on the
     * hub thread, outside any fiber, and must not block; an exception it throws goes to the hub's
     * uncaught handler. Registering does <em>not</em> count as observing a failure: a failure nobody
     * joined still reaches the hub's uncaught handler (call {@link #get()} from a fiber to claim it).
     * Hub thread.
     */
    @SuppressWarnings("unchecked")
    public void onExit(Consumer<? super Fiber<T>> callback) {
        hub.checkThread("Fiber.onExit");
        Objects.requireNonNull(callback, "callback");
        if (isDone()) {
            hub.runCallback(() -> callback.accept(this));
            return;
        }
        if (exitCallbacks == null) {
            exitCallbacks = callback;
        } else if (exitCallbacks instanceof ArrayList<?> list) {
            ((List<Object>) list).add(callback);
        } else {
            List<Object> list = new ArrayList<>(2);
            list.add(exitCallbacks);
            list.add(callback);
            exitCallbacks = list;
        }
    }

    @Override
    public String toString() {
        String l = label;
        if (l == null) {
            label = l = "#" + id + " '" + name() + "'";
        }
        return l;
    }

    private String parentDescription() {
        return parentLabel == null ? "the hub" : parentLabel;
    }

    // ---------------------------------------------------------------- the one park point

    /**
     * Switches to the hub until {@link #unpark()} (or, with {@code reschedule}, right away after the
     * other ready fibers). The only place a fiber yields. Throws pending interruptions before
     * switching and after resuming. Must be called by this fiber, the hub's current fiber.
     */
    void park(Object waitingOn, boolean reschedule) {
        if (timeouts != null) {
            Timeout.expireDue(timeouts);
        }
        if (interrupts != 0) {
            throwInterrupt();
        }
        if (reschedule) {
            state = FiberState.SCHEDULED;
            hub.loop.callSoon(cont);
        } else {
            state = FiberState.WAITING;
            blocker = waitingOn;
        }
        hub.current = null;
        try {
            FiberContinuation.suspend(cont);
        } catch (FiberPinnedException e) {
            if (reschedule) {
                hub.unschedule(cont);
            }
            resumed();
            throw e;
        }
        resumed();
        if (interrupts != 0) {
            throwInterrupt();
        }
    }

    private void resumed() {
        hub.current = this;
        state = FiberState.RUNNING;
        blocker = null;
        budget = Hub.BUDGET;
    }

    /**
     * Parks until {@link #unpark()} or {@code deadline} ({@link System#nanoTime()}); returns false if
     * the deadline woke it. Callers check their own condition first: a wake-up and the deadline can
     * race, and the wake-up wins.
     */
    boolean parkUntil(Object waitingOn, long deadline) {
        if (deadline == Long.MAX_VALUE) {
            park(waitingOn, false);
            return true;
        }
        if (deadlineWake == null) {
            deadlineWake = () -> {
                if (state == FiberState.WAITING) {
                    timedOut = true;
                    unpark();
                }
            };
        }
        timedOut = false;
        Timer timer = hub.loop.scheduleAt(deadline, deadlineWake);
        try {
            park(waitingOn, false);
        } finally {
            hub.loop.cancel(timer);
        }
        boolean woken = !timedOut;
        timedOut = false;
        return woken;
    }

    /** Makes a waiting fiber runnable; no effect in any other state. Hub thread. */
    void unpark() {
        if (state == FiberState.WAITING) {
            state = FiberState.SCHEDULED;
            hub.loop.callSoon(cont);
        }
    }

    /** A cached {@code this::unpark}, for callbacks that wake this fiber (I/O readiness). */
    Runnable waker() {
        Runnable w = waker;
        if (w == null) {
            waker = w = this::unpark;
        }
        return w;
    }

    /** Delivers an interruption bit; wakes the fiber if it is waiting. */
    void interrupt(int bit) {
        interrupts |= bit;
        unpark();
    }

    private void throwInterrupt() {
        if ((interrupts & KILL) != 0) {
            interrupts &= ~KILL;
            throw new FiberKilledError("fiber " + this + " was killed");
        }
        if ((interrupts & STALL) != 0) {
            interrupts &= ~STALL;
            String report = stallReport;
            stallReport = null;
            throw new BlockedForeverException(report);
        }
        if ((interrupts & TIMEOUT) != 0) {
            Timeout expired = Timeout.outermostExpired(timeouts);
            if (expired == null) {
                interrupts &= ~TIMEOUT;
            } else {
                throw expired.newException();
            }
        }
    }

    private boolean joinUntil(long deadline, boolean timed) {
        if (isDone()) {
            hub.checkThread("Fiber.join");
            return true;
        }
        Fiber<?> me = Hub.currentFiber("Fiber.join");
        if (me == this) {
            throw new IllegalStateException("fiber " + this + " cannot join itself: it would wait forever");
        }
        hub.checkThread("Fiber.join");
        addJoiner(me);
        try {
            while (!isDone()) {
                if (!me.parkUntil(this, timed ? deadline : Long.MAX_VALUE) && !isDone()) {
                    return false;
                }
            }
            return true;
        } finally {
            removeJoiner(me);
        }
    }

    @SuppressWarnings("unchecked")
    private void addJoiner(Fiber<?> f) {
        if (joiners == null) {
            joiners = f;
        } else if (joiners instanceof ArrayList<?> list) {
            ((List<Object>) list).add(f);
        } else {
            List<Object> list = new ArrayList<>(2);
            list.add(joiners);
            list.add(f);
            joiners = list;
        }
    }

    private void removeJoiner(Fiber<?> f) {
        if (joiners == f) {
            joiners = null;
        } else if (joiners instanceof ArrayList<?> list) {
            list.remove(f);
        }
    }

    // ---------------------------------------------------------------- life cycle

    /** The continuation's body. */
    private void body() {
        if (state == FiberState.KILLED) {
            return; // killed before it started
        }
        hub.current = this;
        state = FiberState.RUNNING;
        FiberState end;
        try {
            Object t = task;
            task = null;
            if (t instanceof VoidTask v) {
                v.run();
            } else {
                outcome = ((Callable<?>) t).call();
            }
            end = FiberState.SUCCEEDED;
        } catch (FiberKilledError killed) {
            end = FiberState.KILLED;
        } catch (Throwable e) {
            outcome = e;
            end = FiberState.FAILED;
        }
        while (timeouts != null) {
            timeouts.close();
        }
        hub.current = null;
        finish(end);
    }

    /** Marks the fiber done, wakes joiners, runs on-exit callbacks, reports an unobserved failure. */
    @SuppressWarnings("unchecked")
    private void finish(FiberState end) {
        state = end;
        task = null;
        locals = null;
        interrupts = 0;
        hub.removeLive(this);
        if (hub.shuttingDown) {
            hub.loop.skipWait();
        }
        Object j = joiners;
        if (j != null) {
            observed = true;
            if (j instanceof ArrayList<?> list) {
                for (Object f : list.toArray()) {
                    ((Fiber<?>) f).unpark();
                }
            } else {
                ((Fiber<?>) j).unpark();
            }
        }
        Object cbs = exitCallbacks;
        exitCallbacks = null;
        if (cbs instanceof ArrayList<?> list) {
            for (Object cb : list) {
                hub.runCallback(() -> ((Consumer<Object>) cb).accept(this));
            }
        } else if (cbs != null) {
            hub.runCallback(() -> ((Consumer<Object>) cbs).accept(this));
        }
        if (end == FiberState.FAILED && !observed) {
            hub.reportUncaught(this, (Throwable) outcome);
        }
    }

    /** Whether a stack frame is the user's code rather than Weft's or the JDK's (tests count as user code). */
    private static boolean isUserFrame(String className) {
        if (className.startsWith("java.") || className.startsWith("jdk.") || className.startsWith("sun.")) {
            return false;
        }
        int dot = className.lastIndexOf('.');
        String pkg = dot < 0 ? "" : className.substring(0, dot);
        boolean weft = pkg.equals("dev.weft.fibers") || pkg.equals("dev.weft.hub") || pkg.startsWith("dev.weft.fibers.")
                || pkg.equals("dev.weft.sockets") || pkg.startsWith("dev.weft.sockets.");
        if (!weft) {
            return true;
        }
        String simple = className.substring(dot + 1);
        int nested = simple.indexOf('$');
        String top = nested < 0 ? simple : simple.substring(0, nested);
        return top.endsWith("Test") || top.endsWith("Tests");
    }

    /** A one-line description for reports: state, what it waits on, where. */
    String describe() {
        StringBuilder sb = new StringBuilder().append(this).append(' ').append(state);
        if (state == FiberState.WAITING && blocker != null) {
            sb.append(" on ").append(blocker instanceof Fiber<?> f ? "join of fiber " + f : blocker);
        }
        if (state == FiberState.WAITING || state == FiberState.SCHEDULED) {
            for (StackTraceElement e : cont.suspendedStack()) {
                if (isUserFrame(e.getClassName())) {
                    sb.append(" at ").append(e);
                    break;
                }
            }
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------- bridges (added with issue 10)

    /**
     * Whether the caller runs inside a fiber: on a hub thread, in one of its fibers. Never throws;
     * false on other threads and in the hub's own callbacks. For code that must choose between a
     * cooperative and a thread-blocking path (a {@code SocketFactory}). Any thread.
     */
    public static boolean inFiber() {
        Hub h = Hub.currentOrNull();
        return h != null && h.current != null;
    }

    /** Waits for {@code stage}; see {@link Futures#await(java.util.concurrent.CompletionStage)}. */
    public static <T> T await(java.util.concurrent.CompletionStage<T> stage) throws Exception {
        return Futures.await(stage);
    }
}
