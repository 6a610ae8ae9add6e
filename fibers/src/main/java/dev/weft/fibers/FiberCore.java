package dev.weft.fibers;

import dev.weft.fibers.internal.FiberContinuation;
import dev.weft.hub.Timer;
import java.util.concurrent.Callable;

/**
 * A fiber's scheduling state machine, and the continuation that runs it: the one park point, the
 * wake-up, the delivery of kills, timeouts and stall reports, the start, the inline start of a
 * joined child, and the end bookkeeping. {@link Fiber} is its public face, made with it and kept in
 * {@link #face}; every wait list, the ready queue and {@link HubCore#current} hold the core.
 *
 * <p>Thread rule: hub thread only, as the face. Methods called "in this fiber" must run inside this
 * fiber (the hub's {@link HubCore#current}); the others may run anywhere on the hub thread.
 *
 * <p>Implementation notes: the core <em>is</em> the continuation ({@link FiberContinuation}, which
 * owns every use of {@code jdk.internal.vm.Continuation}). A switch touches the continuation object
 * anyway (the JVM reads and writes its stack-chunk and mount fields), so keeping the per-switch
 * state there saves one object per switch, which with 10,000+ active fibers is a cache miss; measured
 * against the layout before (the continuation a separate object), within noise: no clear gain and no
 * loss (the README's Results). The face cannot be that object: a public class extending the
 * non-exported {@code jdk.internal.vm.Continuation} would break users' compilation. So the face holds
 * what only the API reads (id, name, parent), and the core everything a switch, a wait or an end
 * touches. Layout: the JVM puts a subclass's fields after the continuation's 45 bytes, in
 * declaration order (references after primitives); the references a switch reads come first.
 */
final class FiberCore extends FiberContinuation implements dev.weft.hub.ReadyOrder.Identified {
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
    /** How deep joiners may nest the children they start (each level keeps its frames on the hub thread's stack). */
    static final int MAX_INLINE_DEPTH = 8;

    final HubCore hub;
    FiberState state = FiberState.NEW;
    /** What the fiber waits on while WAITING (for reports); its start timer while NEW and delayed. */
    Object blocker;
    /** Innermost open {@link Timeout} of this fiber. */
    Timeout timeouts;
    /** The public face (made with the core; callbacks, handlers and reports see it). */
    final Fiber<?> face;
    /**
     * One field for what is never needed at the same time (a parked fiber is kept small): while NEW the
     * task, a {@link Callable} or a {@link VoidTask} (no wrapper: one frame less on every parked
     * stack); null while it runs; the result once SUCCEEDED, the Throwable once FAILED.
     */
    private Object taskOrOutcome;
    /** The state most fibers never have (spawn site, label, kill exception, links, locals); null until needed. */
    private FiberExtras extras;
    private Runnable waker;
    /** The timer of its timed parks (kept armed between them), or null until the first. */
    private ParkDeadline deadlineWake;
    /**
     * Who waits for this fiber's end, in arrival order: null, one joining core, one on-exit
     * {@link java.util.function.Consumer}, or a list of both kinds (one field for the two: a parked
     * fiber is kept small; see {@link EndWaiters}). Taken, and cleared, when the fiber ends.
     */
    Object endWaiters;
    /** The hub's intrusive list of live fibers ({@link LiveFibers}). */
    FiberCore prevLive;
    FiberCore nextLive;

    /** Fibers waiting in {@link Fiber#get()}: when it ends they take its failure, so it is observed. */
    int getters;
    // The two below are narrower than int only to keep the object small (it is in every parked fiber).
    /** Operations left before {@link HubCore#spendBudget()} yields; refilled at every switch (at most {@link Hub#BUDGET}). */
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
    /** Whether its failure was (or will be) handed to someone, so it does not go to the uncaught handler. */
    boolean observed;

    /** A core and its face; not started (see {@link HubCore#newFiber}). Hub thread. */
    FiberCore(HubCore hub, long id, String name, String parentLabel, Object task) {
        this.hub = hub;
        this.taskOrOutcome = task;
        this.face = new Fiber<>(this, id, name, parentLabel);
    }

    /** The fiber's id: what a simulation's ready order and trace know this ready callback by. */
    @Override
    public long readyId() {
        return face.id();
    }

    // ---------------------------------------------------------------- the one park point

    /**
     * Switches to the hub until {@link #unpark()} (or, with {@code reschedule}, right away after the
     * other ready fibers). The only place a fiber yields. Throws pending interruptions before
     * switching and after resuming. In this fiber.
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
            hub.loop.callSoon(this);
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
     * Whether this fiber's next park throws an interruption instead of waiting: a kill or a Timeout
     * pending, a kill already thrown (it stays pending), or the hub shutting down. Hub thread.
     */
    boolean interruptionPending() {
        return interrupts != 0 || hub.shuttingDown;
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
            hub.loop.cancelSoon(this);
        }
        if (timeouts != null) {
            Timeout.expireDue(timeouts);
        }
        if ((interrupts & KILL) == 0 && ((interrupts & KILLED) != 0 || hub.shuttingDown)) {
            redeliverKill();
        }
        if (interrupts != 0) {
            if ((interrupts & REDELIVER) == 0) {
                hub.loop.threwWithoutSwitching();
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
            if (!FiberContinuation.suspend()) {
                throw new FiberPinnedException(FiberContinuation.takePinnedReason());
            }
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

    /** The bookkeeping of a fiber that runs again after a switch (also {@link CompletionWait}'s). */
    void resumed() {
        hub.current = this;
        state = FiberState.RUNNING;
        blocker = null;
        budget = Hub.BUDGET;
    }

    /**
     * Parks until {@link #unpark()} or {@code deadline} ({@link System#nanoTime()}); returns false if
     * the deadline woke it. Callers check their own condition first: a wake-up and the deadline can
     * race, and the wake-up wins. The deadline's timer stays armed after the park for the next timed
     * one ({@link ParkDeadline}). In this fiber.
     */
    boolean parkUntil(Object waitingOn, long deadline) {
        ParkDeadline d = deadlineWake;
        if (deadline == Long.MAX_VALUE) {
            if (d != null) {
                d.drop();
            }
            park(waitingOn, false);
            return true;
        }
        if (d == null) {
            deadlineWake = d = new ParkDeadline(this, hub.loop);
        }
        d.begin(deadline);
        try {
            park(waitingOn, false);
        } finally {
            d.end();
        }
        boolean woken = !d.passed;
        d.passed = false;
        return woken;
    }

    /** Makes a waiting fiber runnable; no effect in any other state. Hub thread. */
    void unpark() {
        if (state == FiberState.WAITING) {
            state = FiberState.SCHEDULED;
            hub.loop.callSoon(this);
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

    // ---------------------------------------------------------------- interruptions: kills, timeouts, stalls

    /** Delivers an interruption bit; wakes the fiber if it is waiting. Hub thread. */
    void interrupt(int bit) {
        interrupts |= bit;
        unpark();
    }

    /** Throws the pending interruption (kill, stall report, expired Timeout), if any. In this fiber. */
    void throwInterrupt() {
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

    /**
     * Throws the kill: what {@link Fiber#kill(Throwable)} gave, once, or a {@link FiberKilledError},
     * which then stays pending ({@link #KILLED}): every later blocking call of the fiber throws it again.
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

    /** {@link Fiber#kill()}: see there. Hub thread (checked by the caller). */
    void kill() {
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
            case WAITING -> interrupt(KILL);
            default -> {
            }
        }
    }

    /** {@link Fiber#kill(Throwable)} once the argument is checked: see there. Hub thread. */
    void killWith(Throwable exception) {
        if (state.isDone()) {
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
     * Makes the interruption {@code thrown}, which a park of this fiber threw and a primitive caught
     * because what the fiber waited for had completed meanwhile (the primitive returns that instead),
     * pending again: the fiber's next blocking call throws it. A kill stays pending by itself; an
     * expired {@link Timeout} is expired again; anything else (what {@link Fiber#kill(Throwable)}
     * gave) is thrown as such. In this fiber.
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
     * Called by every park of a fiber that was killed before (its kill was thrown: it stays pending)
     * or while the hub shuts down: every blocking call then throws {@link FiberKilledError}; the
     * first one of a shutdown at once, every later one after a switch through the hub (so a
     * catch-and-retry loop cannot spin without letting timers, I/O and other fibers run). A fiber
     * that swallowed {@value Hub#KILL_LIMIT} kills is abandoned: it is suspended for good (never
     * resumed, so its remaining finally blocks do not run), ends KILLED and is reported at ERROR.
     * In this fiber.
     */
    private void redeliverKill() {
        int delivered = extras == null ? 0 : extras.killsDelivered;
        if (delivered == 0) {
            interrupts |= KILL;
            return;
        }
        if (delivered >= Hub.KILL_LIMIT) {
            abandon(delivered);
            return;
        }
        interrupts |= KILL | REDELIVER;
    }

    private void abandon(int kills) {
        StringBuilder report = new StringBuilder(hub.shuttingDown ? "hub shutdown: fiber " : "fiber ").append(this)
                .append(" was killed, caught ").append(kills).append(" FiberKilledErrors and kept blocking; it is"
                        + " abandoned: its remaining finally blocks will not run, and what it holds (a Lock, a permit)"
                        + " stays held. Let FiberKilledError propagate (catch Exception, not Throwable; a library that"
                        + " wraps every Throwable needs a blocking call outside it to let the kill through). It was at:");
        for (StackTraceElement e : Thread.currentThread().getStackTrace()) {
            report.append("\n\tat ").append(e);
        }
        finish(FiberState.KILLED);
        HubCore.LOG.log(System.Logger.Level.ERROR, report.toString());
        hub.current = null;
        if (!FiberContinuation.suspend()) { // never resumed
            throw new FiberPinnedException(FiberContinuation.takePinnedReason());
        }
    }

    // ---------------------------------------------------------------- join

    /**
     * Waits, in the running fiber, until this fiber is done or {@code deadline} passes ({@code timed};
     * untimed waits ignore it); true if it is done. Starts this fiber inline when it can (see
     * {@link #startInline}). Hub thread, in a fiber other than this one.
     */
    boolean joinUntil(long deadline, boolean timed) {
        if (state.isDone()) {
            hub.checkThread("Fiber.join");
            hub.spendBudget(); // joining fiber after finished fiber lets timers and I/O in too
            return true;
        }
        FiberCore me = hub.runningFiber("Fiber.join"); // checks the thread too, without a thread-local lookup
        if (me == this) {
            throw new IllegalStateException("fiber " + this + " cannot join itself: it would wait forever");
        }
        if ((!timed || deadline == Deadlines.NONE) && startInline(me)) {
            if (me.interrupts != 0) {
                me.throwInterrupt(); // the child killed its joiner: thrown here, as a parked joiner would have had it
            }
            if (state.isDone()) {
                return true;
            }
        }
        EndWaiters.add(this, me);
        try {
            while (!state.isDone()) {
                if (!me.parkUntil(face, timed ? deadline : Long.MAX_VALUE) && !state.isDone()) {
                    return false;
                }
            }
            return true;
        } finally {
            EndWaiters.remove(this, me);
        }
    }

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
    private boolean startInline(FiberCore me) {
        if (state != FiberState.NEW || me.timeouts != null || me.interrupts != 0 || me.staleInReadyQueue
                || hub.shuttingDown || hub.inlineDepth >= MAX_INLINE_DEPTH || me.budget <= 1
                || !hub.loop.removeIfNext(this)) {
            return false;
        }
        me.budget--;
        hub.inlineJoiners[hub.inlineDepth++] = me;
        try {
            run(); // the child's body sets hub.current; its park or end clears it
        } finally {
            hub.inlineJoiners[--hub.inlineDepth] = null;
            hub.current = me;
        }
        return true;
    }

    // ---------------------------------------------------------------- life cycle

    /** The continuation's body: runs the task, then the end bookkeeping. */
    @Override
    protected void body() {
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

    /** Marks the fiber done, wakes joiners, runs on-exit callbacks, reports an unobserved failure. */
    private void finish(FiberState end) {
        if (staleInReadyQueue) {
            staleInReadyQueue = false;
            hub.loop.cancelSoon(this);
        }
        state = end;
        if (end != FiberState.SUCCEEDED && end != FiberState.FAILED) {
            taskOrOutcome = null; // the task of a fiber that never ran
        }
        if (extras != null) {
            extras.locals = null;
        }
        interrupts = 0;
        if (deadlineWake != null) {
            deadlineWake.drop();
        }
        hub.live.remove(this);
        if (hub.shuttingDown) {
            hub.loop.skipWait();
        }
        if (getters > 0) {
            observed = true;
        }
        EndWaiters.ended(this); // joiners first, then the callbacks
        if (end == FiberState.FAILED && !observed) {
            hub.reportUncaught(face, (Throwable) taskOrOutcome);
        }
    }

    /** The result once SUCCEEDED; the exception once FAILED. */
    Object outcome() {
        return taskOrOutcome;
    }

    /** The exception the fiber failed with, or null. */
    Throwable failure() {
        return state == FiberState.FAILED ? (Throwable) taskOrOutcome : null;
    }

    /** Whether this is an accepted cross-thread task that has not started yet (shutdown lets it start). */
    boolean isUnstartedCrossThreadTask() {
        return state == FiberState.NEW && taskOrOutcome instanceof CrossThreadTask;
    }

    // ---------------------------------------------------------------- rarely used state, reports

    /** This fiber's rarely needed state, created on first use. */
    FiberExtras extras() {
        FiberExtras x = extras;
        if (x == null) {
            extras = x = new FiberExtras();
        }
        return x;
    }

    /** Its rarely needed state, or null if none was made yet (read-only uses). */
    FiberExtras extrasOrNull() {
        return extras;
    }

    /** Its fiber-local values (see {@link FiberLocal}); null until one is set. */
    FiberLocal.Slots localSlots() {
        return extras == null ? null : extras.locals;
    }

    /** Kills thrown at this fiber so far (the hub abandons one that swallowed {@value Hub#KILL_LIMIT}). */
    int killsDelivered() {
        return extras == null ? 0 : extras.killsDelivered;
    }

    /** The face's label ({@code #3 'name'}), as messages and reports name the fiber. */
    @Override
    public String toString() {
        return face.toString();
    }
}
