package dev.weft.hub;

import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The loop every backend shares: a ready-callback queue, a timer heap, a thread-safe task queue
 * with wakeup, and the deadline computation; the {@link Poller} only waits for readiness.
 *
 * <p>Thread rule: the loop belongs to the thread that created it. Only {@link #execute} and
 * {@link #isLoopThread()} may be called from other threads; everything else throws
 * {@link WrongThreadException} elsewhere (checked on the cheap entry points).
 *
 * <p>One iteration ({@link #runOnce()}): run ready callbacks in FIFO order (including those added
 * meanwhile) until the queue is empty or about {@value #BATCH_NANOS} ns have passed since the batch
 * began; run tasks handed over by other threads; fire expired timers; then poll for I/O, without
 * blocking if callbacks are ready, otherwise until the next timer's deadline, or forever if there is
 * none. The clock is read after every callback while callbacks are slow and every up to
 * {@value #CLOCK_CHECK_EVERY} callbacks while they are quick, so a batch overruns its time by at most
 * one slow callback, or a few quick ones: timers and I/O get their turn within about a millisecond
 * plus one callback, whatever the callbacks do (fibers that yield between long slices included).
 *
 * <p>Failures: a callback, timer action or task that throws does not end the loop: what it throws
 * goes to the {@linkplain #onError error handler} (gevent's {@code handle_error}) and the loop goes
 * on with the next one.
 *
 * <p>Cross-thread tasks are never dropped: {@link #execute} either queues a task that will run, or
 * throws {@link RejectedExecutionException}. {@link #stopAcceptingTasks()} starts the end: from then
 * on {@code execute} rejects, and every task accepted before still runs in the following iterations.
 *
 * <p>Liveness: the loop has work while callbacks, timers, tasks or references ({@link #ref()})
 * exist. A fiber waiting for I/O or for another thread holds a reference. When none of these
 * exist nothing can ever happen again: the {@linkplain #onStall stall handler} runs (the fiber hub
 * uses it to fail fibers that would otherwise wait forever) and {@code runOnce} returns false.
 *
 * <p>Simulation: when the poller is {@link Simulated} (the {@code sim} backend), the loop reads its
 * clocks from the poller, runs ready callbacks in the poller's {@link ReadyOrder} (a batch is what was
 * ready when it began), and refuses tasks from other threads. Real pollers are not, and none of this
 * runs for them (one null test of a final field where the loop reads a clock or touches the queue).
 */
public final class EventLoop implements AutoCloseable {
    /** A batch of callbacks yields to I/O and timers after about this long. */
    static final long BATCH_NANOS = 1_000_000L;
    /** The most callbacks run between two readings of the clock (when they are quick). */
    static final int CLOCK_CHECK_EVERY = 16;
    /** Callbacks that took longer than this since the last reading are slow: read after each one. */
    static final long SLOW_NANOS = BATCH_NANOS / 20;
    /** Cross-thread tasks run per iteration at most. */
    static final int TASK_BATCH = 1024;

    private final Thread thread;
    private final Poller poller;
    private final ArrayDeque<Runnable> ready = new ArrayDeque<>(256);
    /** The simulated world's hooks; null on real backends. */
    private final Simulated sim;
    /** The simulation's ready order; null on real backends. */
    private final ReadyOrder order;
    private final TimerHeap timers = new TimerHeap();
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    /** True while the loop may block in poll: producers then wake it. */
    private final AtomicBoolean sleeping = new AtomicBoolean();
    /** True while the loop is inside a blocking poll; read by watchdogs only. */
    private volatile boolean polling;
    private long timerSequence;
    private int refs;
    private boolean skipWait;
    private Runnable stallHandler;
    private java.util.function.Consumer<Throwable> errorHandler = EventLoop::defaultError;
    /** Set once {@link #execute} must reject (see {@link #stopAcceptingTasks()}). */
    private volatile boolean rejecting;
    private volatile boolean closed;
    /** Set by {@link #endBatch()}; loop thread only. */
    private boolean batchOver;

    /** A loop on the calling thread over {@code poller}, which must have been opened on this thread. */
    public EventLoop(Poller poller) {
        this.poller = Objects.requireNonNull(poller, "poller");
        this.thread = Thread.currentThread();
        this.sim = poller instanceof Simulated s ? s : null;
        this.order = sim == null ? null : Objects.requireNonNull(sim.readyOrder(), "readyOrder");
        WrongThreadException.loopOpened(thread);
    }

    /**
     * The loop's monotonic clock in nanoseconds: {@link System#nanoTime()}, or the simulation's
     * virtual time. Every timer, deadline and timeout of a hub reads this. Loop thread (any thread on
     * a real loop).
     */
    public long nanoTime() {
        Simulated s = sim;
        return s == null ? System.nanoTime() : s.nanoTime();
    }

    /** The loop's wall clock in milliseconds since the epoch: {@link System#currentTimeMillis()}, or the simulation's. */
    public long currentTimeMillis() {
        Simulated s = sim;
        return s == null ? System.currentTimeMillis() : s.currentTimeMillis();
    }

    /** Whether the poller simulates the loop's world (the {@code sim} backend). Any thread. */
    public boolean isSimulated() {
        return sim != null;
    }

    /** A loop on the calling thread with the backend {@link Backends#select()} picks. */
    public static EventLoop open() {
        return new EventLoop(Backends.openDefault());
    }

    /** The loop thread. */
    public Thread thread() {
        return thread;
    }

    /** The backend's poller, for opening sockets. Loop thread only. */
    public Poller poller() {
        return poller;
    }

    /** Whether the caller runs on the loop thread. Any thread. */
    public boolean isLoopThread() {
        return Thread.currentThread() == thread;
    }

    /** Throws {@link WrongThreadException} unless the caller is the loop thread. */
    public void checkLoopThread(String what) {
        if (Thread.currentThread() != thread) {
            throw new WrongThreadException(what, thread, Thread.currentThread(),
                    "Hand work to the hub with execute(Runnable), which is thread-safe.");
        }
    }

    /** Queues {@code callback} to run in this or the next iteration, after those already queued. Loop thread. */
    public void callSoon(Runnable callback) {
        ReadyOrder o = order;
        if (o == null) {
            ready.addLast(callback);
        } else {
            o.add(callback);
        }
    }

    /**
     * Removes {@code callback} if it is the next ready callback to run, so that the caller can run it
     * itself, in the same order the loop would have; true if it was removed. Loop thread.
     */
    public boolean removeIfNext(Runnable callback) {
        if (order != null) {
            return order.removeIfNext(callback);
        }
        if (ready.peekFirst() == callback) {
            ready.pollFirst();
            return true;
        }
        return false;
    }

    /** Removes a queued callback (the most recently queued occurrence); true if it was queued. Loop thread. */
    public boolean cancelSoon(Runnable callback) {
        if (order != null) {
            return order.remove(callback);
        }
        return ready.removeLastOccurrence(callback);
    }

    /**
     * Makes the current iteration poll without blocking, so that {@link #runOnce()} returns promptly
     * and its caller can check its own condition (the fiber hub: "has the main fiber finished?").
     * Loop thread.
     */
    public void skipWait() {
        skipWait = true;
    }

    /** Number of queued ready callbacks. */
    public int readyCount() {
        return order == null ? ready.size() : order.size();
    }

    /**
     * The running callback threw a pending interruption without switching (a retry loop may spin):
     * a simulation counts these per step to report a livelock; nothing on a real loop. Loop thread.
     */
    public void threwWithoutSwitching() {
        if (order != null) {
            order.threwWithoutSwitching();
        }
    }

    /**
     * Runs {@code action} on the loop thread once {@code delayNanos} have passed (0 or less: in
     * the next iteration, after expired timers scheduled before it). Loop thread.
     */
    public Timer schedule(long delayNanos, Runnable action) {
        return scheduleAt(nanoTime() + Math.max(0, delayNanos), action);
    }

    /** Runs {@code action} once {@link #nanoTime()} reaches {@code deadlineNanos}. Loop thread. */
    public Timer scheduleAt(long deadlineNanos, Runnable action) {
        Objects.requireNonNull(action, "action");
        Timer t = new Timer(deadlineNanos, timerSequence++, action);
        timers.add(t);
        return t;
    }

    /** Cancels {@code timer} if it has not fired; O(log n). Loop thread. */
    public boolean cancel(Timer timer) {
        if (timers.remove(timer)) {
            timer.action = null;
            return true;
        }
        return false;
    }

    /** Number of pending timers. */
    public int timerCount() {
        return timers.size();
    }

    /**
     * Runs {@code task} on the loop thread soon, waking the loop if it is blocked in poll.
     * Any thread. Memory consistency effects: actions before {@code execute} happen-before the task runs.
     *
     * @throws RejectedExecutionException if the loop is closed
     */
    public void execute(Runnable task) {
        Objects.requireNonNull(task, "task");
        if (rejecting) {
            throw rejected();
        }
        if (sim != null && Thread.currentThread() != thread) {
            throw sim.refuseForeignTask(Thread.currentThread());
        }
        tasks.add(task);
        // A close that began meanwhile either drains this task (it runs) or leaves it to us: take it
        // back and reject. (rejecting is written before the final drain; see stopAcceptingTasks.)
        if (rejecting && tasks.remove(task)) {
            throw rejected();
        }
        if (sleeping.get() && sleeping.compareAndSet(true, false)) {
            poller.wakeup();
        }
    }

    private RejectedExecutionException rejected() {
        return new RejectedExecutionException("The hub on thread '" + thread.getName()
                + "' is closed (or closing); it accepts no more tasks. Hand work to a hub that is running.");
    }

    /**
     * From now on {@link #execute} rejects; tasks it accepted before still run in the following
     * iterations ({@link #hasTasks()} says whether any is left). Loop thread. Idempotent.
     */
    public void stopAcceptingTasks() {
        rejecting = true;
    }

    /** Whether cross-thread tasks are queued. Any thread; a snapshot. */
    public boolean hasTasks() {
        return !tasks.isEmpty();
    }

    /**
     * Sets where failures of callbacks, timer actions and tasks go (default: logged at ERROR on the
     * {@code System.Logger} named {@code dev.weft.hub.EventLoop}). The handler runs on the loop
     * thread; what it throws is logged and dropped. Loop thread.
     */
    public void onError(java.util.function.Consumer<Throwable> handler) {
        this.errorHandler = Objects.requireNonNull(handler, "handler");
    }

    private void failed(Throwable t) {
        try {
            errorHandler.accept(t);
        } catch (Throwable handlerFailed) {
            handlerFailed.addSuppressed(t);
            defaultError(handlerFailed);
        }
    }

    private static void defaultError(Throwable t) {
        System.getLogger(EventLoop.class.getName()).log(System.Logger.Level.ERROR,
                "A hub callback failed; the loop goes on", t);
    }

    /** Counts one more thing that can wake the loop from outside (I/O wait, other thread). Loop thread. */
    public void ref() {
        refs++;
    }

    /** Undoes one {@link #ref()}. Loop thread. */
    public void unref() {
        refs--;
    }

    /** The outstanding references. */
    public int refs() {
        return refs;
    }

    /** Sets the handler run when nothing can ever happen again (see the class comment). Loop thread. */
    public void onStall(Runnable handler) {
        this.stallHandler = handler;
    }

    /**
     * Runs one iteration (see the class comment). Loop thread; not re-entrant.
     *
     * @return false if the loop stalled: no callbacks, timers, tasks or references remained and the
     *         stall handler queued nothing
     */
    public boolean runOnce() {
        boolean outOfTime = runReady();
        runTasks();
        long now = timers.isEmpty() ? 0 : runTimers();
        if (outOfTime || readyCount() != 0 || skipWait) {
            skipWait = false;
            poller.poll(0);
            return true;
        }
        long timeout;
        if (!timers.isEmpty()) {
            timeout = Math.max(0, timers.peek().deadline - now);
        } else if (refs > 0 && (sim == null || sim.canWake())) {
            timeout = -1;
        } else if (!tasks.isEmpty()) {
            return true;
        } else {
            if (stallHandler != null) {
                stallHandler.run();
            }
            return readyCount() != 0 || !timers.isEmpty() || !tasks.isEmpty()
                    || (refs > 0 && (sim == null || sim.canWake()));
        }
        sleeping.set(true);
        if (!tasks.isEmpty()) {
            sleeping.set(false);
            return true;
        }
        polling = true;
        try {
            poller.poll(timeout);
        } finally {
            polling = false;
            sleeping.set(false);
        }
        return true;
    }

    /**
     * Ends the current batch of ready callbacks after the running one: before it runs the next, the
     * loop fires due timers and polls for readiness. For a fiber that used up its cooperative budget
     * ({@code Hub.spendBudget}): its yield then lets timers and I/O in, not only the fibers already
     * runnable. Loop thread.
     */
    public void endBatch() {
        batchOver = true;
    }

    /**
     * Runs ready callbacks; true if it stopped because its time ran out (or {@link #endBatch()}).
     *
     * <p>Implementation notes: the batch's time counts from its first callback (it used to count from
     * the 64th reading-interval, so fibers yielding between 2 ms slices held timers back for 128
     * slices). The clock is read after 1, then 2, 4 ... up to {@value #CLOCK_CHECK_EVERY} callbacks
     * while they are quick, and after every one once a reading finds them slow ({@value #SLOW_NANOS}
     * ns since the last): about one clock reading (~20 ns) per 16 quick switches, and a batch
     * overrun of at most one slow callback, or of 16 when slow ones come right after quick ones.
     */
    private boolean runReady() {
        if (order != null) {
            return runReadyInOrder();
        }
        ArrayDeque<Runnable> q = ready;
        Runnable r = q.pollFirst();
        if (r == null) {
            return false;
        }
        long start = System.nanoTime();
        long last = start;
        int every = 1;
        int count = 0;
        do {
            if (runOne(r)) {
                return true;
            }
            if (++count >= every) {
                count = 0;
                long now = System.nanoTime();
                if (now - start >= BATCH_NANOS) {
                    return true;
                }
                every = now - last > SLOW_NANOS ? 1 : Math.min(CLOCK_CHECK_EVERY, every << 1);
                last = now;
            }
            r = q.pollFirst();
        } while (r != null);
        return false;
    }

    /** {@link #runReady()} under simulation: the batch is what the {@link ReadyOrder} gives; no clock reads. */
    private boolean runReadyInOrder() {
        ReadyOrder o = order;
        o.beginBatch();
        Runnable r;
        while ((r = o.next()) != null) {
            if (runOne(r)) {
                return true;
            }
        }
        return o.size() != 0;
    }

    /** Runs one ready callback (what it throws goes to {@link #failed}); true if it ended the batch ({@link #endBatch()}). */
    private boolean runOne(Runnable r) {
        try {
            r.run();
        } catch (Throwable t) {
            failed(t);
        }
        if (batchOver) {
            batchOver = false;
            return true;
        }
        return false;
    }

    /**
     * Runs tasks handed over by other threads, at most {@value #TASK_BATCH} per iteration: threads that
     * keep adding tasks must not keep the loop from its callbacks, timers and I/O.
     */
    private void runTasks() {
        if (tasks.isEmpty()) {
            return;
        }
        Runnable t;
        for (int n = 0; n < TASK_BATCH && (t = tasks.poll()) != null; n++) {
            try {
                t.run();
            } catch (Throwable e) {
                failed(e);
            }
        }
    }

    /** Fires expired timers; returns the clock reading used. */
    private long runTimers() {
        long now = nanoTime();
        Timer t;
        while ((t = timers.peek()) != null && t.deadline - now <= 0) {
            timers.poll();
            Runnable action = t.action;
            t.action = null;
            try {
                action.run();
            } catch (Throwable e) {
                failed(e);
            }
        }
        return now;
    }

    /**
     * Whether the loop is blocked in a poll waiting for events (idle), as opposed to running
     * callbacks. Any thread; a racy snapshot meant for watchdogs.
     */
    public boolean isPolling() {
        return polling;
    }

    /** Whether {@link #close()} was called. Any thread. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Closes the poller; pending callbacks and timers are dropped. Call {@link #stopAcceptingTasks()}
     * and run the loop until {@link #hasTasks()} is false first (the fiber hub does), so that every
     * accepted task runs. Loop thread. Idempotent.
     *
     * <p>Implementation notes: the task queue is not cleared. A thread that raced the close (it saw
     * the loop open, then added its task after the last drain) takes its own task back and gets
     * {@link RejectedExecutionException}; clearing the queue here would let it believe the task was
     * accepted (a lost task: the stress of {@code HardeningTest} found it, 1 in ~140,000).
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        rejecting = true;
        closed = true;
        WrongThreadException.loopClosed(thread);
        poller.close();
        ready.clear();
        if (order != null) {
            order.clear();
        }
    }
}
