package dev.weft.fibers;

import dev.weft.fibers.internal.FiberContinuation;
import dev.weft.fibers.internal.SpawnSite;
import dev.weft.hub.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
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
 * <p>Failures are reported exactly once: to whoever {@linkplain #get() gets its result} (a fiber
 * waiting in {@code get} when it fails, or calling it before the failure was reported), otherwise to the hub's
 * {@linkplain Hub#setUncaughtExceptionHandler uncaught exception handler}. An
 * {@linkplain #onExit on-exit callback} is a notification, not an observation: registering one does
 * not keep a failure from the uncaught handler (bookkeeping such as a pool's must not hide failures).
 *
 * @param <T> the result type
 */
public final class Fiber<T> implements Waitable {
    static final int KILL = 1;
    static final int TIMEOUT = 2;
    static final int STALL = 4;
    /** With KILL or TIMEOUT: a re-delivery, thrown only after a switch through the hub (see {@link #park}). */
    static final int REDELIVER = 8;
    /**
     * A kill was thrown: it stays pending, and every later park re-delivers it (after a switch through
     * the hub), so code that catches it (a driver wrapping it in its own exception, a retry loop)
     * cannot outlive it. Never cleared while the fiber lives.
     */
    static final int KILLED = 16;

    // The fields a switch touches come first: the JVM lays out references in declaration order (after
    // the primitives), so these share the object's first cache line as often as the layout allows.
    final Hub hub;
    final FiberContinuation cont;
    FiberState state = FiberState.NEW;
    /** What the fiber waits on while WAITING (for reports); its start timer while NEW and delayed. */
    Object blocker;
    /** Innermost open {@link Timeout} of this fiber. */
    Timeout timeouts;
    private Runnable waker;
    private final long id;
    private final String name;
    /**
     * How the spawning fiber is named in reports ({@code #3 'main'}; null: the hub itself). Kept
     * instead of the fiber, which may be long gone; one string shared by all of its children.
     */
    private final String parentLabel;
    /**
     * One field for what is never needed at the same time (a parked fiber is kept small): while NEW the
     * task, a {@link Callable} or a {@link VoidTask} (no wrapper: one frame less on every parked
     * stack); null while it runs; the result once SUCCEEDED, the Throwable once FAILED.
     */
    private Object taskOrOutcome;
    /** The state most fibers never have (spawn site, label, kill exception, links, locals); null until needed. */
    private FiberExtras extras;

    // The two below are narrower than int only to keep the object at 88 bytes (it is in every parked fiber).
    /** Operations left before {@link Hub#spendBudget()} yields; refilled at every switch (at most {@link Hub#BUDGET}). */
    short budget = Hub.BUDGET;
    /** Pending interruptions (bits KILL, TIMEOUT, STALL, REDELIVER, KILLED), thrown by the next or current park. */
    byte interrupts;
    /** A resume queued by a park that then failed to switch; removed at the next park or at the end. */
    private boolean staleInReadyQueue;
    /**
     * Set by the {@link Queue} or {@link Semaphore} this fiber waits in when it reserves an item, a
     * slot or a permit for it, and by the {@link Event#set()} that wakes it (the fiber itself is the
     * wait-list node: a wait allocates nothing; and a flag, unlike the event's generation, is not one
     * more value kept across the switch in every parked stack). Cleared by the waiting fiber when its
     * wait begins; a set also marks fibers of a multi-object wait, which never read it.
     */
    boolean signalled;
    /** Set by the deadline timer of {@link #parkUntil}. */
    private boolean timedOut;
    private Runnable deadlineWake;
    /**
     * Who waits for this fiber's end, in arrival order: null, one joining {@link Fiber}, one on-exit
     * {@link Consumer}, or an {@link EndWaiters} list of both kinds (one field for the two: a parked
     * fiber is kept small). Taken, and cleared, when the fiber ends.
     */
    private Object endWaiters;
    private boolean observed;
    /** Fibers waiting in {@link #get()}: when it ends they take its failure, so it is observed. */
    private int getters;
    /** The hub's intrusive list of live fibers. */
    Fiber<?> prevLive;
    Fiber<?> nextLive;

    Fiber(Hub hub, long id, String name, Fiber<?> parent, Object task) {
        this.hub = hub;
        this.id = id;
        this.name = name;
        this.parentLabel = parent == null ? null : parent.toString();
        this.taskOrOutcome = task;
        if (SpawnSite.CAPTURE) {
            extras().spawnSite = new SpawnSite();
        }
        // The cast through Object keeps the verifier from loading FiberContinuation (a subclass of
        // jdk.internal.vm.Continuation) when it links this class: without the --add-exports flag that
        // load fails with a bare IllegalAccessError, and Fiber.inFiber() and the exception that names
        // the flag must still work (issue 23, item 28).
        this.cont = (FiberContinuation) (Object) new FiberContinuation() {
            @Override
            protected void body() {
                Fiber.this.body();
            }
        };
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

    /**
     * Spawns a fiber that starts once {@code delay} has passed; killing it before then means it never
     * runs. Any delay works (the package rule: zero or negative starts it soon; one of 146 years or
     * more, or null, means it never starts; nothing throws {@link ArithmeticException}). Hub thread.
     */
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
     * Blocks the current fiber for {@code duration}: zero or negative yields ({@link #yield()}), null
     * or a duration too long to represent sleeps until killed or timed out. Timers have the
     * backend's resolution (1 ms on nio); it never wakes early.
     */
    public static void sleep(Duration duration) {
        Fiber<?> f = Hub.currentFiber("Fiber.sleep");
        if (duration != null && (duration.isZero() || duration.isNegative())) {
            f.park(null, true);
            return;
        }
        sleepUntil(f, Deadlines.after(duration));
    }

    /** {@link #sleep(Duration)} in milliseconds. */
    public static void sleep(long millis) {
        Fiber<?> f = Hub.currentFiber("Fiber.sleep");
        if (millis <= 0) {
            f.park(null, true);
            return;
        }
        long now = System.nanoTime();
        long nanos = millis > Long.MAX_VALUE / 1_000_000L ? Long.MAX_VALUE : millis * 1_000_000L;
        long deadline = now + nanos;
        sleepUntil(f, deadline - now < 0 || deadline == Deadlines.NONE ? Deadlines.NONE : deadline);
    }

    private static void sleepUntil(Fiber<?> f, long deadline) {
        while (f.parkUntil("sleep", deadline)) {
            // woken early by a stray unpark (none is expected): sleep on, never return early
            if (deadline != Deadlines.NONE && deadline - System.nanoTime() <= 0) {
                return;
            }
        }
    }

    /** Lets every other runnable fiber run once, then continues. A blocking call (it can throw as one). */
    public static void yield() {
        Hub.currentFiber("Fiber.yield").park(null, true);
    }

    /**
     * Waits until every fiber in {@code fibers} is done, or {@code timeout} passes (see the package
     * documentation for durations: null waits without limit). The calling fiber, if it is in the
     * collection, is skipped: it cannot wait for its own end (so a pool's or server's own fiber can
     * join its siblings).
     *
     * @return true if all of them (but the caller) are done
     */
    public static boolean joinAll(Collection<? extends Fiber<?>> fibers, Duration timeout) {
        long deadline = Deadlines.after(timeout);
        Fiber<?> me = Hub.currentFiber("Fiber.joinAll");
        for (Fiber<?> f : fibers) {
            if (f != me && !f.joinUntil(deadline, true)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Kills every fiber in {@code fibers} (see {@link #kill()}) and waits up to {@code timeout} for
     * them. The calling fiber, if it is in the collection, is neither killed nor waited for.
     *
     * @return true if all of them (but the caller) are done
     */
    public static boolean killAll(Collection<? extends Fiber<?>> fibers, Duration timeout) {
        Fiber<?> me = Hub.currentFiber("Fiber.killAll");
        for (Fiber<?> f : fibers) {
            if (f != me) {
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
        return state == FiberState.FAILED ? (Throwable) taskOrOutcome : null;
    }

    // ---------------------------------------------------------------- join, get, kill

    /**
     * Waits until this fiber is done. It does not throw the fiber's failure and does not count as
     * observing it: a failure nobody {@linkplain #get() gets} still goes to the hub's uncaught
     * handler (so a pool's or server's join hides nothing).
     */
    public void join() {
        joinUntil(Long.MAX_VALUE, false);
    }

    /**
     * Waits up to {@code timeout} until this fiber is done; {@code true} if it is. Durations follow the
     * package rule (null: no limit; zero or negative: do not wait).
     */
    public boolean join(Duration timeout) {
        return joinUntil(Deadlines.after(timeout), true);
    }

    /**
     * Waits until this fiber is done and returns its result.
     *
     * @throws RuntimeException or Error the fiber's own failure, rethrown as is, with a suppressed
     *                          note saying which fiber spawned it
     * @throws CompletionException wrapping a checked exception the fiber threw, or the fiber's own
     *                             {@link FiberTimeoutException} (a timeout of the child is not the
     *                             caller's: only the caller's own timeouts reach it unwrapped)
     * @throws CancellationException if the fiber was killed
     */
    public T get() {
        getters++;
        try {
            join();
        } finally {
            getters--;
        }
        return outcome();
    }

    /**
     * {@link #get()} with a time limit (package rule for durations: null = none, zero = do not wait).
     *
     * @throws FiberTimeoutException if {@code timeout} passes first (the fiber goes on running); its
     *                               {@link FiberTimeoutException#timeout()} is this call's own limit, so
     *                               it is neither the child's timeout (wrapped, see {@link #get()}) nor
     *                               an enclosing {@link Timeout} of the caller
     */
    public T get(Duration timeout) {
        getters++;
        try (Timeout t = Timeout.internal(timeout, "Fiber.get")) {
            join();
        } finally {
            getters--;
        }
        return outcome();
    }

    @SuppressWarnings("unchecked")
    private T outcome() {
        observed = true;
        return switch (state) {
            case SUCCEEDED -> (T) taskOrOutcome;
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
            t.addSuppressed(SpawnSite.describe(toString(), parentDescription(), extras == null ? null : extras.spawnSite));
        }
        if (t instanceof FiberTimeoutException) {
            return new CompletionException("fiber " + this + " failed with its own timeout: " + t, t);
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
     *
     * <p>The kill stays pending: once thrown, <em>every</em> later blocking call of the fiber throws
     * {@link FiberKilledError} again, each time after a switch through the hub. So code that catches
     * it — a driver that wraps every {@code Throwable} in its own exception, a retry loop around it —
     * cannot outlive the kill, and a blocking call in a {@code finally} block of a killed fiber throws
     * too (non-blocking clean-up runs as usual). A fiber that swallows {@value Hub#KILL_LIMIT} of them
     * and keeps blocking is abandoned: it ends {@link FiberState#KILLED} without running its remaining
     * {@code finally} blocks, and the hub reports it at ERROR, naming it.
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
            case RUNNING -> {
                if (hub.current == this) {
                    interrupts |= KILLED; // pending from now on, as any delivered kill
                    throw new FiberKilledError("fiber " + this + " killed itself");
                }
                interrupts |= KILL; // it runs a child it joins (startInline): thrown when the child stops
            }
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
    public void onExit(Consumer<? super Fiber<T>> callback) {
        hub.checkThread("Fiber.onExit");
        Objects.requireNonNull(callback, "callback");
        if (isDone()) {
            hub.runCallback(() -> callback.accept(this));
            return;
        }
        addEndWaiter(callback);
    }

    /**
     * Marks this fiber's failure as observed by someone who will be handed it, so that it does not
     * also go to the uncaught handler: {@link Hub#call} throws the main fiber's failure to its caller.
     */
    void observedByCaller() {
        observed = true;
    }

    @Override
    public String toString() {
        FiberExtras x = extras;
        if (x != null && x.label != null) {
            return x.label;
        }
        String l = "#" + id + " '" + name() + "'";
        if (hub.loop.isLoopThread()) {
            extras().label = l; // kept only by the hub thread: another thread must not race it to create extras
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
     *
     * <p>Kept small on purpose: this code is inlined into the frame that is frozen at every park, and
     * every value live across the switch, and every spill slot of the inlined code, is a word of
     * that frame in each parked fiber's stack chunk. The rare work is in separate methods.
     */
    void park(Object waitingOn, boolean reschedule) {
        if (staleInReadyQueue || timeouts != null || interrupts != 0 || hub.shuttingDown) {
            if (beforeParkMustRedeliver()) {
                // A re-delivery (an expired sticky Timeout, a kill during shutdown) goes through the hub:
                // a catch-and-retry loop must not spin without letting timers, I/O and other fibers run.
                reschedule = true;
                waitingOn = null;
            }
        }
        if (reschedule) {
            state = FiberState.SCHEDULED;
            hub.loop.callSoon(cont);
        } else {
            state = FiberState.WAITING;
            blocker = waitingOn;
            if (WaitTiming.isOn()) {
                switchToHubTimed(waitingOn);
                return;
            }
        }
        switchToHub();
    }

    /**
     * The rare work before a park: drops a stale resume, expires due {@link Timeout}s, re-delivers a
     * kill already thrown (or the shutdown's kill), and throws a pending interruption's first delivery
     * at once (as a timer firing would have woken the fiber).
     *
     * @return true if an interruption is pending as a re-delivery, to be thrown after a switch
     */
    private boolean beforeParkMustRedeliver() {
        if (staleInReadyQueue) {
            staleInReadyQueue = false;
            hub.unschedule(cont);
        }
        if (timeouts != null) {
            Timeout.expireDue(timeouts);
        }
        if ((interrupts & KILL) == 0 && ((interrupts & KILLED) != 0 || hub.shuttingDown)) {
            hub.redeliverKill(this);
        }
        if (interrupts != 0) {
            if ((interrupts & REDELIVER) == 0) {
                throwInterrupt();
            }
            return true;
        }
        return false;
    }

    /** {@link #switchToHub()} while wait timing is on (issue 14: hub dumps that show waits, JFR). */
    private void switchToHubTimed(Object waitingOn) {
        WaitTiming.started(this);
        try {
            switchToHub();
        } finally {
            WaitTiming.ended(this, waitingOn);
        }
    }

    /** Switches to the hub with the state already set; on return the fiber runs again. */
    private void switchToHub() {
        hub.current = null;
        try {
            FiberContinuation.suspend();
        } catch (Throwable couldNotSwitch) {
            // Pinned, or the JVM failed to freeze the stack (StackOverflowError near the stack limit,
            // OutOfMemoryError for the stack chunk): the fiber never left. Undo the bookkeeping with
            // plain field writes (no calls: near the stack limit a call could overflow again), so the
            // hub stays consistent; the resume a reschedule queued is removed at this fiber's next
            // park or end, before the hub could run it. The fiber gets its own error.
            hub.current = this;
            staleInReadyQueue = state == FiberState.SCHEDULED;
            state = FiberState.RUNNING;
            blocker = null;
            throw couldNotSwitch;
        }
        resumed();
        if (interrupts != 0) {
            throwInterrupt();
        }
    }

    /** This fiber's rarely needed state, created on first use. */
    FiberExtras extras() {
        FiberExtras x = extras;
        if (x == null) {
            extras = x = new FiberExtras();
        }
        return x;
    }

    /** Its fiber-local values (see {@link FiberLocal}); null until one is set. */
    FiberLocal.Slots localSlots() {
        return extras == null ? null : extras.locals;
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
            interrupts &= ~(KILL | REDELIVER);
            extras().killsDelivered++;
            throwKill(); // FiberKilledError (pending from then on), or what kill(Throwable) gave
        }
        if ((interrupts & STALL) != 0) {
            interrupts &= ~STALL;
            String report = extras.stallReport;
            extras.stallReport = null;
            throw new BlockedForeverException(report);
        }
        if ((interrupts & TIMEOUT) != 0) {
            Timeout expired = Timeout.outermostExpired(timeouts);
            if (expired == null) {
                interrupts &= ~(TIMEOUT | REDELIVER);
            } else {
                interrupts &= ~REDELIVER;
                throw expired.deliver();
            }
        }
        interrupts &= ~REDELIVER;
    }

    private boolean joinUntil(long deadline, boolean timed) {
        if (isDone()) {
            hub.checkThread("Fiber.join");
            hub.spendBudget(); // joining fiber after finished fiber lets timers and I/O in too
            return true;
        }
        Fiber<?> me = hub.runningFiber("Fiber.join"); // checks the thread too, without a thread-local lookup
        if (me == this) {
            throw new IllegalStateException("fiber " + this + " cannot join itself: it would wait forever");
        }
        if ((!timed || deadline == Deadlines.NONE) && startInline(me)) {
            if (me.interrupts != 0) {
                me.throwInterrupt(); // the child killed its joiner: thrown here, as a parked joiner would have had it
            }
            if (isDone()) {
                return true;
            }
        }
        addEndWaiter(me);
        try {
            while (!isDone()) {
                if (!me.parkUntil(this, timed ? deadline : Long.MAX_VALUE) && !isDone()) {
                    return false;
                }
            }
            return true;
        } finally {
            removeEndWaiter(me);
        }
    }

    /** How deep joiners may nest the children they start (each level keeps its frames on the hub thread's stack). */
    static final int MAX_INLINE_DEPTH = 8;

    /**
     * Runs this fiber, not started yet and the next the hub would run anyway, right here in its
     * joiner {@code me}, instead of parking {@code me} and switching through the hub twice (Go's
     * scheduler does the same with its "run next" slot). The order of events is the one the hub
     * would have made: only the child that is first in the ready queue is taken. The child runs
     * nested on {@code me}'s stack until it ends or parks; when it parks, it is an ordinary waiting
     * fiber the hub resumes later, and {@code me} goes on to park in {@code join} as usual. Not
     * done when {@code me} has a {@link Timeout} open or an interruption pending (the park would
     * throw first), during shutdown, more than {@value #MAX_INLINE_DEPTH} levels deep, or once
     * {@code me}'s cooperative budget is spent (so a fiber joining child after child still lets
     * timers and I/O in, as any fiber that does not park must). Hub thread, in fiber {@code me}.
     *
     * @return true if it ran (it may have parked rather than ended)
     */
    private boolean startInline(Fiber<?> me) {
        if (state != FiberState.NEW || me.timeouts != null || me.interrupts != 0 || me.staleInReadyQueue
                || hub.shuttingDown || hub.inlineDepth >= MAX_INLINE_DEPTH || me.budget <= 1
                || !hub.loop.removeIfNext(cont)) {
            return false;
        }
        me.budget--;
        hub.inlineJoiners[hub.inlineDepth++] = me;
        try {
            cont.run(); // the child's body sets hub.current; its park or end clears it
        } finally {
            hub.inlineJoiners[--hub.inlineDepth] = null;
            hub.current = me;
        }
        return true;
    }

    /** The list {@link #endWaiters} holds once two or more wait (its own class: a callback could be an ArrayList). */
    private static final class EndWaiters extends ArrayList<Object> {
        EndWaiters() {
            super(2);
        }
    }

    /** Adds a joining fiber or an on-exit callback to {@link #endWaiters}. */
    private void addEndWaiter(Object w) {
        Object e = endWaiters;
        if (e == null) {
            endWaiters = w;
        } else if (e instanceof EndWaiters list) {
            list.add(w);
        } else {
            EndWaiters list = new EndWaiters();
            list.add(e);
            list.add(w);
            endWaiters = list;
        }
    }

    /** Removes {@code w} from {@link #endWaiters}; true if it was there. */
    private boolean removeEndWaiter(Object w) {
        Object e = endWaiters;
        if (e == w) {
            endWaiters = null;
            return true;
        }
        return e instanceof EndWaiters list && list.remove(w);
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
            Object t = taskOrOutcome;
            taskOrOutcome = null;
            if (t instanceof VoidTask v) {
                v.run();
            } else {
                taskOrOutcome = ((Callable<?>) t).call();
            }
            end = FiberState.SUCCEEDED;
        } catch (FiberKilledError killed) {
            end = FiberState.KILLED;
        } catch (Throwable e) {
            taskOrOutcome = e;
            end = FiberState.FAILED;
        }
        while (timeouts != null) {
            timeouts.close();
        }
        hub.current = null;
        finish(end);
    }

    /** Whether this is an accepted cross-thread task that has not started yet (shutdown lets it start). */
    boolean isUnstartedCrossThreadTask() {
        return state == FiberState.NEW && taskOrOutcome instanceof CrossThreadTask;
    }

    /** Ends a fiber the hub gives up on (see {@link Hub#redeliverKill}) without unwinding it. */
    void abandon() {
        finish(FiberState.KILLED);
    }

    /** Marks the fiber done, wakes joiners, runs on-exit callbacks, reports an unobserved failure. */
    @SuppressWarnings("unchecked")
    private void finish(FiberState end) {
        if (staleInReadyQueue) {
            staleInReadyQueue = false;
            hub.unschedule(cont);
        }
        state = end;
        if (end != FiberState.SUCCEEDED && end != FiberState.FAILED) {
            taskOrOutcome = null; // the task of a fiber that never ran
        }
        if (extras != null) {
            extras.locals = null;
        }
        interrupts = 0;
        hub.removeLive(this);
        if (hub.shuttingDown) {
            hub.loop.skipWait();
        }
        if (getters > 0) {
            observed = true;
        }
        // Joiners are woken first (each removes nothing: the field is cleared), then the callbacks run.
        Object w = endWaiters;
        endWaiters = null;
        if (w instanceof EndWaiters list) {
            for (Object o : list) {
                if (o instanceof Fiber<?> joiner) {
                    joiner.unpark();
                }
            }
            for (Object o : list) {
                if (!(o instanceof Fiber<?>)) {
                    hub.runCallback(() -> ((Consumer<Object>) o).accept(this));
                }
            }
        } else if (w instanceof Fiber<?> joiner) {
            joiner.unpark();
        } else if (w != null) {
            hub.runCallback(() -> ((Consumer<Object>) w).accept(this));
        }
        if (end == FiberState.FAILED && !observed) {
            hub.reportUncaught(this, (Throwable) taskOrOutcome);
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

    // ---------------------------------------------------------------- issue 14 (gevent API): Waitable, removable on-exit

    /** Whether this fiber has ended ({@link #isDone()}): a {@link Waitable} wait on it returns. */
    @Override
    public boolean isReady() {
        return isDone();
    }

    /**
     * Unregisters a callback given to {@link #onExit} that has not run yet; false if it was not
     * registered (or already ran). Hub thread.
     */
    boolean removeOnExit(Consumer<? super Fiber<T>> callback) {
        hub.checkThread("Fiber.removeOnExit");
        return removeEndWaiter(callback);
    }

    // ---------------------------------------------------------------- issue 14 (gevent API): kill(Throwable), link, create/start

    /** Marks a fiber made by {@link #create} and not {@linkplain #start() started} yet (kept in {@link #blocker}). */
    private static final Object UNSTARTED = new Object() {
        @Override
        public String toString() {
            return "start() (created, not started)";
        }
    };
    /**
     * Throws the kill: what {@link #kill(Throwable)} gave, once, or a {@link FiberKilledError}, which
     * then stays pending ({@link #KILLED}): every later blocking call of the fiber throws it again.
     */
    private void throwKill() {
        Throwable t = extras == null ? null : extras.killWith;
        if (t != null) {
            extras.killWith = null;
        }
        if (t == null || t instanceof FiberKilledError) {
            interrupts |= KILLED;
        }
        if (t instanceof RuntimeException re) {
            throw re;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new FiberKilledError("fiber " + this + " was killed");
    }

    /** Kills thrown at this fiber so far (the hub abandons one that swallowed {@value Hub#KILL_LIMIT}). */
    int killsDelivered() {
        return extras == null ? 0 : extras.killsDelivered;
    }

    /**
     * Makes the interruption {@code thrown}, which a park of this fiber threw and a primitive caught
     * because what the fiber waited for had completed meanwhile (the primitive returns that instead),
     * pending again: the fiber's next blocking call throws it. A kill stays pending by itself; an
     * expired {@link Timeout} is expired again; anything else (what {@link #kill(Throwable)} gave) is
     * thrown as such. Hub thread, in this fiber.
     */
    void interruptAgain(Throwable thrown) {
        if (thrown instanceof FiberTimeoutException t && t.timeout() != null && t.timeout().expireAgain(this)) {
            return;
        }
        if (thrown instanceof FiberKilledError && (interrupts & KILLED) != 0) {
            interrupts |= KILL;
            return;
        }
        if (thrown instanceof RuntimeException || thrown instanceof Error) {
            extras().killWith = thrown;
            interrupts |= KILL;
        }
    }

    /**
     * Kills this fiber with {@code exception} instead of {@link FiberKilledError} (gevent's
     * {@code kill(exception)}): its current or next blocking call throws it, as {@link #kill()}
     * describes, once (a fiber may catch it and go on; a {@link FiberKilledError} given here stays
     * pending as {@link #kill()}'s does). Unless the fiber catches it, it ends {@link FiberState#FAILED} with that exception
     * (reported as any failure: to whoever gets it, else to the uncaught handler) — or
     * {@link FiberState#KILLED} if it is a {@link FiberKilledError}. A fiber not started yet never
     * runs and ends KILLED. On the current fiber it throws {@code exception} at once. Hub thread.
     *
     * @throws IllegalArgumentException for a checked exception (a blocking call that does not
     *                                  declare it cannot throw it); wrap it in an unchecked one
     */
    public void kill(Throwable exception) {
        hub.checkThread("Fiber.kill");
        Objects.requireNonNull(exception, "exception");
        if (!(exception instanceof RuntimeException) && !(exception instanceof Error)) {
            throw new IllegalArgumentException("kill(" + exception + "): a checked exception cannot be thrown from a"
                    + " blocking call that does not declare it; wrap it in an unchecked exception");
        }
        if (isDone()) {
            return;
        }
        if (state == FiberState.RUNNING && hub.current == this) {
            extras().killWith = exception;
            throwKill();
        }
        if (state != FiberState.NEW) {
            extras().killWith = exception;
        }
        kill();
    }

    /**
     * Runs {@code callback} with this fiber once it has ended (at once if it has), in a new fiber
     * of this hub, so the callback may block (gevent's {@code link}). Unlike {@link #onExit}, a link
     * counts as observing a failure: while one is registered, a failure does not go to the hub's
     * uncaught handler (the callback sees it through {@link #failure()} or {@link #get()}). What the
     * callback throws goes to the uncaught handler. Hub thread.
     */
    public void link(Consumer<? super Fiber<T>> callback) {
        linkIf(callback, null);
    }

    /** {@link #link} for a successful end only; does not count as observing a failure (gevent's {@code link_value}). */
    public void linkValue(Consumer<? super Fiber<T>> callback) {
        linkIf(callback, FiberState.SUCCEEDED);
    }

    /** {@link #link} for a failure only (gevent's {@code link_exception}); counts as observing it. */
    public void linkException(Consumer<? super Fiber<T>> callback) {
        linkIf(callback, FiberState.FAILED);
    }

    private void linkIf(Consumer<? super Fiber<T>> callback, FiberState only) {
        hub.checkThread("Fiber.link");
        Objects.requireNonNull(callback, "callback");
        FiberExtras x = extras();
        if (x.links == null) {
            x.links = new java.util.LinkedHashMap<>();
        }
        java.util.Map<Consumer<?>, Consumer<?>> links = x.links;
        if (links.containsKey(callback)) {
            return;
        }
        Consumer<Fiber<T>> wrapper = new Consumer<>() {
            @Override
            public void accept(Fiber<T> f) {
                if (only == null || f.state == only) {
                    Consumer<Fiber<T>> self = this;
                    hub.spawn("link of " + f, () -> {
                        // an unlink since the fiber ended (from another link, say) cancels it: unlink said true
                        if (links.get(callback) == self) {
                            links.remove(callback);
                            callback.accept(f);
                        }
                        return null;
                    });
                }
            }
        };
        links.put(callback, wrapper);
        if (only != FiberState.SUCCEEDED) {
            observed = true;
        }
        onExit(wrapper);
    }

    /**
     * Removes a callback given to {@link #link}, {@link #linkValue} or {@link #linkException}; false if
     * it was not linked or has run already. True means it will not run: also when called after the
     * fiber ended, before the link's own fiber ran it (from inside another link, say). Hub thread.
     */
    public boolean unlink(Consumer<? super Fiber<T>> callback) {
        hub.checkThread("Fiber.unlink");
        java.util.Map<Consumer<?>, Consumer<?>> links = extras == null ? null : extras.links;
        @SuppressWarnings("unchecked")
        Consumer<Fiber<T>> wrapper = links == null ? null : (Consumer<Fiber<T>>) links.remove(callback);
        if (wrapper == null) {
            return false;
        }
        removeOnExit(wrapper);
        if (!isDone() && links.isEmpty()) {
            observed = false;
        }
        return true;
    }

    /**
     * Creates a fiber on the current hub that does not start until {@link #start()} (gevent's
     * {@code Greenlet(fn)} then {@code start()}). Until then it is NEW; a kill means it never runs;
     * a hub that closes first kills it. Hub thread.
     */
    public static <T> Fiber<T> create(String name, Callable<T> task) {
        return Hub.current().createUnstarted(name, task);
    }

    /** {@link #create(String, Callable)} for a body without a result. */
    public static Fiber<Void> create(String name, VoidTask task) {
        return Hub.current().createUnstarted(name, task);
    }

    /** Marks a fiber made by {@link Hub#createUnstarted}. */
    void markUnstarted() {
        blocker = UNSTARTED;
    }

    /**
     * Starts a fiber made by {@link #create}: it runs after the caller blocks or yields. Hub thread.
     *
     * @throws IllegalStateException if it was started (or spawned) already, or killed
     */
    public void start() {
        claimStart("start").loop.callSoon(cont);
    }

    /**
     * Starts a fiber made by {@link #create} once {@code delay} has passed (gevent's {@code
     * start_later}); any delay works, as for {@link #spawnLater}. Hub thread.
     */
    public void startLater(Duration delay) {
        claimStart("startLater");
        hub.startAfter(this, delay);
    }

    private Hub claimStart(String what) {
        hub.checkThread("Fiber." + what);
        if (state != FiberState.NEW || blocker != UNSTARTED) {
            throw new IllegalStateException(what + "() of fiber " + this + ", which is " + state
                    + (state == FiberState.NEW ? " and already started" : "") + "; only a fiber made by Fiber.create,"
                    + " not started yet, can be started");
        }
        blocker = null;
        return hub;
    }

    // ---------------------------------------------------------------- issue 14: for the dump

    /** The id of the fiber that spawned this one (0: the hub), read from its label {@code #ID 'name'}. */
    long parentId() {
        String l = parentLabel;
        if (l == null || !l.startsWith("#")) {
            return 0;
        }
        int end = l.indexOf(' ');
        try {
            return Long.parseLong(end < 0 ? l.substring(1) : l.substring(1, end));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** How the spawning fiber is named, or "the hub". */
    String parentLabel() {
        return parentDescription();
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
