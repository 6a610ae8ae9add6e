package dev.weft.fibers;

import dev.weft.fibers.internal.JvmFlags;
import dev.weft.hub.Backends;
import dev.weft.hub.CompletionStreamHandle;
import dev.weft.hub.EventLoop;
import dev.weft.hub.IoHandle;
import dev.weft.hub.Ops;
import dev.weft.hub.PendingIo;
import dev.weft.hub.Timer;
import dev.weft.hub.WrongThreadException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;

/**
 * The hub: one event loop on one thread, and the fibers it runs. Fibers switch to the hub when they
 * block; the hub resumes whichever fiber's event, timer or I/O is ready.
 *
 * <p>Start one with {@link #run(Callable)}, which turns the calling thread into a hub thread for
 * the duration of the call. The backend is the one {@link Backends#select()} picks
 * ({@code -Dweft.hub=nio|epoll|kqueue}, unset = best available).
 *
 * <p>Thread rule: a hub belongs to its thread. Only {@link #execute}, {@link #submit} and
 * {@link #thread()} may be called from other threads; everything else throws
 * {@link WrongThreadException}. {@code ThreadLocal}s are shared by all fibers of a hub (they run
 * on one thread): use {@link FiberLocal} for per-fiber state.
 *
 * <p>Shutdown: when the main fiber of {@code run} finishes, every other live fiber is killed and
 * the hub runs until they have unwound (their {@code finally} blocks run), then closes its loop.
 * While the hub shuts down, <em>every</em> blocking call of any fiber throws
 * {@link FiberKilledError} (after a switch through the hub), so a fiber that catches the kill and
 * blocks again cannot hold the hub open; one that does so {@value #KILL_LIMIT} times is
 * abandoned (its remaining {@code finally} blocks never run) and reported at ERROR, naming it. (The
 * same holds for any killed fiber: see {@link Fiber#kill()}.)
 * Cross-thread tasks accepted before the end still run (their fibers start and are killed at their
 * first blocking call; a {@link #submit} future is then cancelled); later ones are rejected.
 *
 * <p>Failures: a fiber failure nobody observed, and anything a loop callback (a timer action, an
 * on-exit callback, a task) throws, go to the {@linkplain #setUncaughtExceptionHandler uncaught
 * handler}; the hub goes on running (gevent's {@code handle_error}).
 *
 * <p>This class is the hub's public face; the loop machinery (the running fiber, the live fibers,
 * shutdown, stall handling, the cooperative budget) is the package's internal {@code HubCore}.
 */
public final class Hub implements AutoCloseable {
    private static final ThreadLocal<Hub> CURRENT = new ThreadLocal<>();
    /** Kills a fiber may swallow before the hub abandons it (see the class comment and {@link Fiber#kill()}). */
    static final int KILL_LIMIT = 1_000;
    /** Operations a fiber may complete without waiting before {@link #spendBudget()} makes it yield (Tokio's 128). */
    static final short BUDGET = 128;

    /** The loop machinery behind this face. */
    final HubCore core;
    final EventLoop loop;
    private final Thread thread;
    private boolean inCall;
    private boolean closed;
    private final List<Runnable> closeCallbacks = new ArrayList<>();

    private Hub(EventLoop loop) {
        this.loop = loop;
        this.thread = Thread.currentThread();
        this.core = new HubCore(this, loop);
        HubDump.register(this); // issue 14: Hub.dumpAll, JFR (the watchdog thread notices a JFR recording)
        WaitTiming.preload(); // loaded here, not at the first park inside a fiber's timed section
    }

    /**
     * Runs {@code main} as the first fiber of a new hub on the calling thread and returns its result
     * when it finishes; remaining fibers are then killed and unwound. Blocks the calling thread.
     *
     * @throws Exception the exception {@code main} threw, as is
     * @throws IllegalStateException if a hub already runs on this thread, or the JVM lacks
     *                               {@value JvmFlags#EXPORTS_FLAG}
     * @throws dev.weft.hub.BackendUnavailableException if the selected backend cannot run
     */
    public static <T> T run(Callable<T> main) throws Exception {
        return run((String) null, main);
    }

    /**
     * {@link #run(Callable)} on the named backend ({@code nio}, {@code epoll}, {@code kqueue}) instead
     * of the one {@code -Dweft.hub} selects; null means the default selection. Lets one JVM run hubs
     * on different backends (an epoll server with an NIO client).
     *
     * @throws dev.weft.hub.BackendUnavailableException if that backend is unknown or cannot run here
     */
    public static <T> T run(String backend, Callable<T> main) throws Exception {
        Objects.requireNonNull(main, "main");
        try (Hub hub = open(backend)) {
            return hub.call(main);
        }
    }

    /**
     * Makes the calling thread a hub thread until {@link #close()}, for code that enters the hub
     * several times (a benchmark harness, a test fixture, an embedding): each {@link #call} runs one
     * fiber to its end, and fibers it spawned stay alive, parked, between calls. Between calls no
     * fiber runs (as in gevent, the hub runs only while the caller blocks). Most programs want
     * {@link #run(Callable)} instead.
     *
     * @param backend {@code nio}, {@code epoll}, {@code kqueue}, or null for the default selection
     * @throws IllegalStateException if a hub already runs on this thread, or the JVM lacks
     *                               {@value JvmFlags#EXPORTS_FLAG}
     * @throws dev.weft.hub.BackendUnavailableException if that backend is unknown or cannot run here
     */
    public static Hub open(String backend) {
        JvmFlags.check();
        if (CURRENT.get() != null) {
            throw new IllegalStateException("A hub already runs on thread '" + Thread.currentThread().getName()
                    + "'; Hub.run is not re-entrant and a thread has at most one hub. Inside a fiber, use Fiber.spawn instead.");
        }
        Hub hub = new Hub(backend == null ? EventLoop.open() : new EventLoop(Backends.select(backend).open()));
        CURRENT.set(hub);
        return hub;
    }

    /**
     * Runs {@code main} as a fiber of this hub and runs the hub until that fiber finishes; returns
     * its result or throws its exception as is. Other fibers run meanwhile and stay alive afterwards.
     * Hub thread, outside any fiber (a fiber blocks with {@link Fiber#join} instead).
     *
     * @throws IllegalStateException if called from inside a fiber, or after {@link #close()}
     */
    public <T> T call(Callable<T> main) throws Exception {
        checkThread("Hub.call");
        Objects.requireNonNull(main, "main");
        if (core.current != null || inCall) {
            throw new IllegalStateException("Hub.call is not re-entrant: it was called from fiber " + core.current
                    + ". Inside a fiber, spawn and join instead.");
        }
        if (closed) {
            throw new IllegalStateException("Hub.call after the hub was closed");
        }
        inCall = true;
        Fiber<T> fiber = spawn("main", main);
        fiber.observedByCaller(); // its failure is thrown from here: reported once, not also logged as unjoined
        // The main fiber's end must end the loop iteration at once, not after a poll that may
        // wait for a far timer.
        fiber.onExit(f -> loop.skipWait());
        HubWatchdog.watch(this);
        try {
            while (!fiber.isDone()) {
                core.runOnce();
            }
        } finally {
            HubWatchdog.unwatch(this);
            inCall = false;
        }
        return switch (fiber.state()) {
            case SUCCEEDED -> fiber.get();
            case KILLED -> throw new FiberKilledError("the main fiber " + fiber + " was killed");
            default -> throw asException(fiber.failure());
        };
    }

    /**
     * Kills every live fiber, runs the hub until they have unwound (their {@code finally} blocks
     * run), closes the event loop and frees the thread. Idempotent. Hub thread.
     */
    @Override
    public void close() {
        checkThread("Hub.close");
        if (core.current != null || inCall) {
            throw new IllegalStateException("Hub.close() was called from inside the hub (fiber "
                    + (core.current == null ? "none: a hub callback" : core.current) + "). A hub closes when the main"
                    + " fiber of Hub.run returns (or, with Hub.open, when its owner calls close() outside"
                    + " any fiber). To stop from inside, make the main fiber return: for example set an"
                    + " Event it waits on, or kill it.");
        }
        if (closed) {
            return;
        }
        closed = true;
        try {
            HubWatchdog.watch(this);
            core.shutdown();
        } finally {
            HubWatchdog.unwatch(this);
            try {
                for (int i = closeCallbacks.size() - 1; i >= 0; i--) {
                    core.runCallback(closeCallbacks.get(i));
                }
            } finally {
                HubDump.unregister(this); // issue 14
                loop.close();
                CURRENT.remove();
            }
        }
    }

    /**
     * Runs {@code callback} when this hub closes, after every fiber has unwound and before the event
     * loop closes; callbacks run in reverse order of registration, outside any fiber (they must not
     * block). For resources a module ties to a hub, such as the sockets module's thread pool. Hub
     * thread.
     */
    public void onClose(Runnable callback) {
        checkThread("Hub.onClose");
        Objects.requireNonNull(callback, "callback");
        if (closed) {
            throw new IllegalStateException("the hub is closed");
        }
        closeCallbacks.add(callback);
    }

    /** {@link #run(Callable)} for a body without a result. */
    public static void run(VoidTask main) throws Exception {
        run(callable(main));
    }

    /**
     * The hub of the calling thread.
     *
     * @throws NotInFiberException if no hub runs on this thread
     */
    public static Hub current() {
        Hub h = CURRENT.get();
        if (h == null) {
            throw notOnHub("Hub.current()");
        }
        return h;
    }

    /** The fiber running on this thread; {@link NotInFiberException} naming {@code what} otherwise. */
    static FiberCore currentFiber(String what) {
        Hub h = CURRENT.get();
        if (h == null) {
            throw notOnHub(what);
        }
        FiberCore f = h.core.current;
        if (f == null) {
            throw h.core.outsideAnyFiber(what);
        }
        return f;
    }

    /**
     * The fiber running on this hub, for objects bound to it: what {@link #currentFiber} does plus
     * {@link #checkThread}, without the thread-local lookup when called on the hub thread (the hot
     * path of every blocking primitive).
     */
    FiberCore runningFiber(String what) {
        return core.runningFiber(what);
    }

    static NotInFiberException notOnHub(String what) {
        return new NotInFiberException(what + " was called on thread '" + Thread.currentThread().getName()
                + "', which runs no Weft hub. Blocking fiber calls work only inside a fiber: start one with"
                + " Hub.run(...), or hand the work to a hub with hub.execute(...) from other threads."
                + JvmFlags.missingNote());
    }

    // ---------------------------------------------------------------- spawning

    /** Spawns a fiber on this hub; it starts after the caller blocks or yields. Hub thread. */
    @SuppressWarnings("unchecked")
    public <T> Fiber<T> spawn(String name, Callable<T> task) {
        checkThread("Hub.spawn");
        return (Fiber<T>) core.spawn(name, task).face;
    }

    /**
     * Spawns a fiber that starts once {@code delay} has passed (the package rule for durations: zero
     * or negative starts it soon, as {@link #spawn}; any positive delay works, however long; one of
     * about 146 years or more, or null, means it never starts: a kill ends it).
     * Hub thread.
     */
    @SuppressWarnings("unchecked")
    public <T> Fiber<T> spawnLater(Duration delay, String name, Callable<T> task) {
        checkThread("Hub.spawnLater");
        FiberCore f = core.newFiber(name, task);
        core.startAfter(f, delay);
        return (Fiber<T>) f.face;
    }

    /** {@link #spawn} for a body without a result, with no wrapper around it. Hub thread. */
    @SuppressWarnings("unchecked")
    Fiber<Void> spawnVoid(String name, VoidTask task) {
        checkThread("Hub.spawn");
        return (Fiber<Void>) core.spawn(name, task).face;
    }

    /** A fiber that waits for {@link Fiber#start()}; see {@link Fiber#create}. Hub thread. */
    @SuppressWarnings("unchecked")
    <T> Fiber<T> createUnstarted(String name, Object task) {
        checkThread("Fiber.create");
        Fiber<T> f = (Fiber<T>) core.newFiber(name, task).face;
        f.markUnstarted();
        return f;
    }

    /** The live (unfinished) fibers of this hub, newest first. Hub thread. */
    public List<Fiber<?>> fibers() {
        checkThread("Hub.fibers");
        return core.live.faces();
    }

    // ---------------------------------------------------------------- other threads

    /**
     * Runs {@code task} in a new fiber on this hub, soon. Any thread; the thread-safe way in. What the
     * task throws goes to the hub's uncaught handler. A task accepted while the hub shuts down still
     * starts (and is killed at its first blocking call).
     * Memory consistency effects: actions before {@code execute} happen-before the task runs.
     *
     * @throws java.util.concurrent.RejectedExecutionException if the hub has shut down: the task will not run
     */
    public void execute(Runnable task) {
        Objects.requireNonNull(task, "task");
        loop.execute(() -> spawnVoid(null, new CrossThreadTask(task::run)));
    }

    /**
     * Runs {@code task} in a new fiber on this hub and completes the returned future with its
     * outcome: its value, its exception (which then goes to the future only, not to the uncaught
     * handler), or cancellation if the fiber is killed (also before it starts, as at hub shutdown).
     * Cancelling the future kills the fiber. Any thread.
     * Memory consistency effects: actions before {@code submit} happen-before the task runs; actions
     * of the task happen-before the future completes.
     *
     * @throws java.util.concurrent.RejectedExecutionException if the hub has shut down: the task will not run
     */
    public <T> CompletableFuture<T> submit(Callable<T> task) {
        Objects.requireNonNull(task, "task");
        CompletableFuture<T> future = new CompletableFuture<>();
        loop.execute(() -> {
            Fiber<Void> f = spawnVoid(null, new CrossThreadTask(() -> {
                T value;
                try {
                    value = task.call();
                } catch (FiberKilledError killed) {
                    future.cancel(false);
                    throw killed;
                } catch (Throwable failed) {
                    future.completeExceptionally(failed);
                    return;
                }
                future.complete(value);
            }));
            f.onExit(done -> future.cancel(false)); // killed before it started: nothing else completes it
            future.whenComplete((v, t) -> {
                if (future.isCancelled() && !f.isDone()) {
                    try {
                        if (loop.isLoopThread()) {
                            f.kill();
                        } else {
                            loop.execute(f::kill);
                        }
                    } catch (RejectedExecutionException hubGone) {
                        // the hub ended: the fiber was killed with it
                    }
                }
            });
        });
        return future;
    }

    /**
     * Marks that something outside the hub (another thread) will wake a waiting fiber, so that the
     * hub does not report it as blocked forever while this is open. Close it when done. Hub thread.
     */
    public AutoCloseable keepAlive() {
        checkThread("Hub.keepAlive");
        loop.ref();
        boolean[] closed = new boolean[1];
        return () -> {
            if (!closed[0]) {
                closed[0] = true;
                loop.unref();
            }
        };
    }

    // ---------------------------------------------------------------- I/O waits (for the sockets layer)

    /**
     * Parks the current fiber until {@code handle} may be ready for {@code op} (see
     * {@link IoHandle#await}), or {@code deadline} ({@link System#nanoTime()}, {@link Long#MAX_VALUE}
     * for none) passes. The caller must have got "would block" first and retries afterwards.
     *
     * @return false if the deadline passed first
     * @throws FiberKilledError as any blocking call
     * @throws FiberTimeoutException as any blocking call
     */
    public boolean awaitIo(IoHandle handle, int op, long deadline) {
        FiberCore f = core.current;
        if (f == null || Thread.currentThread() != thread) {
            f = currentFiber(op == Ops.WRITE ? "socket write" : op == Ops.READ ? "socket read" : "socket I/O"); // throws the right error
        }
        if (f.hub != core) {
            throw new WrongThreadException("this socket", thread, Thread.currentThread(),
                    "Use a socket only in fibers of the hub that opened it.");
        }
        handle.await(op, f.waker());
        loop.ref();
        boolean woken = false;
        try {
            woken = f.parkUntil(handle, deadline);
            return woken;
        } finally {
            loop.unref();
            if (!woken) {
                handle.cancelAwait(op);
            }
        }
    }

    /**
     * Parks the calling fiber until {@code io}, just submitted on {@code handle}, completes, or until
     * {@code deadline} ({@link System#nanoTime()}; {@link Deadlines#NONE} for none). A kill or an
     * expired {@link Timeout} while parked, or the deadline, cancels the operation and then waits,
     * not interruptibly, for its completion (the kernel owns the operation's buffer until then; a
     * cancelled operation may still have moved bytes: {@code io.result()} says how many); then the
     * kill or timeout is thrown, or false returned. So when this returns or throws, {@code io} is not
     * in flight. Holds a reference on the loop while it waits. Hub thread, in a fiber of this hub.
     *
     * @return true if {@code io} completed, false if the deadline passed first (it completed since)
     * @throws FiberKilledError      if the fiber was killed meanwhile
     * @throws FiberTimeoutException if an enclosing {@link Timeout} expired meanwhile
     * @throws FiberPinnedException  if the fiber cannot switch (pinned) and the operation, finished
     *                               without parking, was cancelled before it moved anything; if it
     *                               completed anyway, that is returned as a completion
     */
    public boolean awaitCompletion(CompletionStreamHandle handle, PendingIo io, long deadline) {
        FiberCore f = core.current;
        if (f == null || Thread.currentThread() != thread) {
            f = currentFiber("socket I/O"); // throws the right error
        }
        if (f.hub != core) {
            throw new WrongThreadException("this socket", thread, Thread.currentThread(),
                    "Use a socket only in fibers of the hub that opened it.");
        }
        loop.ref();
        try {
            return CompletionWait.await(f, handle, io, deadline);
        } finally {
            loop.unref();
        }
    }

    /**
     * Whether the running fiber of this hub has an interruption pending that its next wait would
     * throw (a kill, also one already thrown, which stays pending; an expired {@link Timeout}; the
     * hub's shutdown). An I/O layer that always parks for an operation (a submitted completion)
     * checks it first and takes a path that parks only when it has to: an operation that moves bytes
     * at once completes, as on every backend, and only a wait throws. False outside a fiber. Any
     * thread (false on a thread that is not this hub's).
     */
    public boolean interruptionPending() {
        FiberCore f = core.current;
        return f != null && Thread.currentThread() == thread && f.interruptionPending();
    }

    /**
     * Counts one operation of the running fiber that completed without waiting (a socket read that
     * found data, a write that fit); after {@value #BUDGET} of them in a row the fiber yields, so
     * that one fiber whose socket always has data cannot starve the others (Tokio's cooperative
     * budget; gevent has no such thing). Any switch refills the budget. Called by the I/O layers
     * after an operation that did not park; a no-op outside a fiber. It spends the budget of the
     * <em>caller's</em> fiber only: called on another thread than this hub's (an object of this hub
     * used from another hub's fiber, which the caller then refuses), it acts on that thread's own
     * hub, never on this hub's running fiber.
     *
     * @throws FiberKilledError when it yields, as any blocking call
     * @throws FiberTimeoutException when it yields, as any blocking call
     */
    public void spendBudget() {
        core.spendBudget();
    }

    // ---------------------------------------------------------------- queries and settings

    /**
     * The hub's monotonic clock in nanoseconds, for deadlines and elapsed time: {@link System#nanoTime()},
     * or the simulation's virtual time under the {@code sim} backend (it advances only when every fiber
     * waits). Fiber code that measures time should read this (or {@link Deadlines#now()}), not
     * {@code System.nanoTime()}. Hub thread.
     */
    public long nanoTime() {
        return loop.nanoTime();
    }

    /** The hub's wall clock in milliseconds since the epoch: {@link System#currentTimeMillis()}, or the simulation's. Hub thread. */
    public long currentTimeMillis() {
        return loop.currentTimeMillis();
    }

    /** The hub thread. Any thread. */
    public Thread thread() {
        return thread;
    }

    /** The event loop (for modules that build on the hub, such as sockets). Hub thread. */
    public EventLoop loop() {
        return loop;
    }

    /** The backend's name ({@code nio}, {@code epoll}, {@code kqueue}). */
    public String backendName() {
        return loop.poller().backendName();
    }

    /**
     * Sets what happens to a fiber failure nobody observed (see {@link Fiber}) and to what a loop
     * callback throws (a timer action, an on-exit callback, a task; the fiber is then the one that was
     * running, usually null). The default logs it with {@link System.Logger} at ERROR. The hub goes
     * on running either way. Hub thread.
     */
    public void setUncaughtExceptionHandler(BiConsumer<Fiber<?>, Throwable> handler) {
        checkThread("Hub.setUncaughtExceptionHandler");
        core.setUncaughtHandler(handler);
    }

    /** Throws {@link WrongThreadException} unless the caller runs on this hub's thread. */
    void checkThread(String what) {
        core.checkThread(what);
    }

    static Callable<Void> callable(Runnable r) {
        Objects.requireNonNull(r, "task");
        return () -> {
            r.run();
            return null;
        };
    }

    static Callable<Void> callable(VoidTask t) {
        Objects.requireNonNull(t, "task");
        return () -> {
            t.run();
            return null;
        };
    }

    private static Exception asException(Throwable t) {
        if (t instanceof Error e) {
            throw e;
        }
        return (Exception) t;
    }

    // ---------------------------------------------------------------- issue 14: dumps and JFR

    /**
     * Every live fiber of this hub as a tree (parent above children) with its state, what it waits
     * on (for a socket, the peer), for how long (while wait timing is on), and its stack; gevent's
     * {@code print_run_info}. See {@link HubDump} for the JVM-wide dump and the signal. Hub thread.
     */
    public String dump() {
        return HubDump.dump(this);
    }

    /**
     * {@link #dump()} of every hub of the JVM. Any thread: each hub answers on its own thread; one
     * whose thread is blocked is shown by that thread's stack instead (after waiting 1 s for it, for
     * all hubs together). In a fiber it parks that fiber while the others answer (its hub runs on);
     * elsewhere it blocks the calling thread. Also on a signal: {@code -Dweft.dump.signal=USR2}, then
     * {@code kill -USR2 <pid>}.
     */
    public static String dumpAll() {
        return HubDump.dumpAll();
    }

    /** The hub of the calling thread, or null: the non-throwing {@link #current()} (for {@link Fiber#inFiber()}). */
    static Hub currentOrNull() {
        return CURRENT.get();
    }
}
