package dev.weft.fibers;

import dev.weft.hub.EventLoop;
import dev.weft.hub.WrongThreadException;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * The loop machinery of one {@link Hub} (its public face): the fiber running now, the live fibers,
 * spawning and starting them, the loop iterations, the cooperative budget, what happens to failures
 * of fibers and callbacks, and the shutdown that kills and unwinds every fiber. Each fiber's core
 * ({@link FiberCore}) points here, not to the face: a switch reads {@link #current}, {@link #loop}
 * and {@link #shuttingDown} from this one object.
 *
 * <p>Thread rule: the hub thread, except what is marked racy or any-thread.
 */
final class HubCore {
    static final System.Logger LOG = System.getLogger(Hub.class.getName());

    final EventLoop loop;
    final Thread thread;
    final Hub face;
    /** The fiber running now, or null while the hub itself runs. */
    FiberCore current;
    /** Set by {@link #shutdown()}: every fiber's end then ends the loop iteration promptly. */
    boolean shuttingDown;
    /** Fibers started inside a joiner's {@code join} that are running now, nested (see {@link FiberCore#joinUntil}). */
    int inlineDepth;
    /** The joiners running those children, outermost first ({@code [0, inlineDepth)}), for {@link HubDump}. */
    final FiberCore[] inlineJoiners = new FiberCore[FiberCore.MAX_INLINE_DEPTH];
    final LiveFibers live = new LiveFibers();
    private BiConsumer<Fiber<?>, Throwable> uncaughtHandler = HubCore::defaultUncaught;
    /** Loop iterations, read by the watchdog thread (a racy counter is enough there). */
    private volatile long iterations;
    /** While wait timing is on (see {@link WaitTiming}): the fibers waiting now and since when; null until first used. */
    private IdentityHashMap<FiberCore, WaitTiming.Mark> waitMarks;
    /** The completion stages fibers of this hub wait for ({@link Futures}); made on first use. */
    private StageWaits stageWaits;

    HubCore(Hub face, EventLoop loop) {
        this.face = face;
        this.loop = loop;
        this.thread = Thread.currentThread();
        loop.onStall(() -> HubStall.onStall(this));
        loop.onError(t -> reportUncaught(current == null ? null : current.face, t));
    }

    // ---------------------------------------------------------------- fibers: made, started, running

    /** A new fiber (NEW, in the live list, not started) spawned by the running fiber (or the hub). */
    FiberCore newFiber(String name, Object task) {
        Objects.requireNonNull(task, "task");
        FiberCore f = new FiberCore(this, live.nextId(), name, current == null ? null : current.toString(), task);
        live.add(f);
        return f;
    }

    /** A new fiber, started: it runs after the caller blocks or yields. */
    FiberCore spawn(String name, Object task) {
        FiberCore f = newFiber(name, task);
        loop.callSoon(f);
        return f;
    }

    /** Starts {@code f} (NEW) once {@code delay} has passed; see {@link Hub#spawnLater}. */
    void startAfter(FiberCore f, Duration delay) {
        long deadline = Deadlines.after(delay);
        if (deadline == Deadlines.NONE) {
            f.blocker = NEVER_STARTS;
            return;
        }
        f.blocker = loop.scheduleAt(deadline, () -> {
            f.blocker = null;
            loop.callSoon(f);
        });
    }

    /** What a fiber whose start delay is beyond representation waits for (reports say so). */
    private static final Object NEVER_STARTS = new Object() {
        @Override
        public String toString() {
            return "a start delay of 146 years or more: it never starts (kill it to end it)";
        }
    };

    /**
     * The fiber running on this hub, for objects bound to it: the thread check plus the current fiber,
     * without a thread-local lookup when called on the hub thread (the hot path of every blocking
     * primitive).
     *
     * @throws NotInFiberException outside any fiber (or on a thread without a hub)
     * @throws WrongThreadException on another hub's thread
     */
    FiberCore runningFiber(String what) {
        if (Thread.currentThread() != thread) {
            if (Hub.currentOrNull() == null) {
                throw Hub.notOnHub(what);
            }
            checkThread(what);
        }
        FiberCore f = current;
        if (f == null) {
            throw outsideAnyFiber(what);
        }
        return f;
    }

    NotInFiberException outsideAnyFiber(String what) {
        return new NotInFiberException(what + " was called on the hub thread '" + thread.getName()
                + "' but outside any fiber (in a timer, an on-exit callback or a task). It would block the"
                + " whole hub; spawn a fiber to do this.");
    }

    /** Throws {@link WrongThreadException} unless the caller runs on this hub's thread. Any thread. */
    void checkThread(String what) {
        if (Thread.currentThread() != thread) {
            throw new WrongThreadException(what, thread, Thread.currentThread(),
                    "Other threads hand work to the hub with hub.execute(...) or hub.submit(...),"
                            + " or complete an AsyncResult.");
        }
    }

    /** How reports name the running fiber. Racy outside the hub thread (the watchdog's). */
    String runningFiberName() {
        FiberCore f = current;
        return f == null ? "(none: the hub's own code)" : f.toString();
    }

    // ---------------------------------------------------------------- the cooperative budget

    /** See {@link Hub#spendBudget()}. Any thread. */
    void spendBudget() {
        if (Thread.currentThread() != thread) {
            Hub own = Hub.currentOrNull();
            if (own != null && own.core != this) {
                own.core.spendBudget();
            }
            return;
        }
        FiberCore f = current;
        if (f != null && --f.budget <= 0) {
            budgetSpent(f);
        }
    }

    /** The rare half of {@link #spendBudget()}, kept out of the callers it is inlined into. */
    private void budgetSpent(FiberCore f) {
        loop.endBatch(); // timers and readiness get their turn too, not only the runnable fibers
        f.park(null, true);
    }

    // ---------------------------------------------------------------- loop iterations, failures

    boolean runOnce() {
        iterations = iterations + 1;
        return loop.runOnce();
    }

    /** Loop iterations so far. Any thread (racy). */
    long iterations() {
        return iterations;
    }

    /** Runs a callback outside any fiber, reporting what it throws. */
    void runCallback(Runnable r) {
        FiberCore saved = current;
        current = null;
        try {
            r.run();
        } catch (Throwable t) {
            reportUncaught(saved == null ? null : saved.face, t);
        } finally {
            current = saved;
        }
    }

    void setUncaughtHandler(BiConsumer<Fiber<?>, Throwable> handler) {
        this.uncaughtHandler = Objects.requireNonNull(handler, "handler");
    }

    void reportUncaught(Fiber<?> fiber, Throwable t) {
        try {
            uncaughtHandler.accept(fiber, t);
        } catch (Throwable handlerFailure) {
            handlerFailure.addSuppressed(t);
            defaultUncaught(fiber, handlerFailure);
        }
    }

    private static void defaultUncaught(Fiber<?> fiber, Throwable t) {
        LOG.log(System.Logger.Level.ERROR, fiber == null ? "A hub callback failed (the hub goes on)"
                : "Fiber " + fiber + " failed and nobody joined it", t);
    }

    // ---------------------------------------------------------------- shutdown

    /**
     * Kills every live fiber and runs the loop until they are done; then stops accepting cross-thread
     * tasks and runs the ones already accepted (their fibers too) to their end. While it runs every
     * park of any fiber re-delivers the kill ({@link FiberCore#park}).
     */
    void shutdown() {
        shuttingDown = true;
        loop.stopAcceptingTasks();
        for (Fiber<?> f : live.faces()) {
            if (!f.core.isUnstartedCrossThreadTask()) {
                f.core.kill();
            }
        }
        runUntilNoFibers();
        while (loop.hasTasks()) {
            runOnce();
            runUntilNoFibers();
        }
    }

    private void runUntilNoFibers() {
        while (live.count() > 0) {
            if (!runOnce() && live.count() > 0) {
                throw new IllegalStateException("hub shutdown: " + live.count() + " fibers neither finish nor wait");
            }
        }
    }

    // ---------------------------------------------------------------- made on first use

    IdentityHashMap<FiberCore, WaitTiming.Mark> waitMarks() {
        if (waitMarks == null) {
            waitMarks = new IdentityHashMap<>();
        }
        return waitMarks;
    }

    /** The wait marks, or null if wait timing was never on. */
    IdentityHashMap<FiberCore, WaitTiming.Mark> waitSinceMap() {
        return waitMarks;
    }

    StageWaits stageWaits() {
        StageWaits w = stageWaits;
        if (w == null) {
            stageWaits = w = new StageWaits();
        }
        return w;
    }
}
