package dev.weft.fibers;

import dev.weft.fibers.internal.SpawnSite;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
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
 * <p>This class is the fiber's public face; its scheduling (park, resume, kill delivery, the end)
 * is the package's internal {@code FiberCore}, which is also the fiber's continuation.
 *
 * @param <T> the result type
 */
public final class Fiber<T> implements Waitable {
    /** The scheduling state machine behind this face, which is also the fiber's continuation. */
    final FiberCore core;
    private final long id;
    private final String name;
    /**
     * How the spawning fiber is named in reports ({@code #3 'main'}; null: the hub itself). Kept
     * instead of the fiber, which may be long gone; one string shared by all of its children.
     */
    private final String parentLabel;

    /** Made by its core's constructor (see {@link HubCore#newFiber}). */
    Fiber(FiberCore core, long id, String name, String parentLabel) {
        this.core = core;
        this.id = id;
        this.name = name;
        this.parentLabel = parentLabel;
        if (SpawnSite.CAPTURE) {
            core.extras().spawnSite = new SpawnSite();
        }
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
        return Hub.currentFiber("Fiber.current()").face;
    }

    /**
     * Blocks the current fiber for {@code duration}: zero or negative yields ({@link #yield()}), null
     * or a duration too long to represent sleeps until killed or timed out. Timers have the
     * backend's resolution (1 ms on nio); it never wakes early.
     */
    public static void sleep(Duration duration) {
        FiberCore f = Hub.currentFiber("Fiber.sleep");
        if (duration != null && (duration.isZero() || duration.isNegative())) {
            f.park(null, true);
            return;
        }
        sleepUntil(f, Deadlines.after(duration));
    }

    /** {@link #sleep(Duration)} in milliseconds. */
    public static void sleep(long millis) {
        FiberCore f = Hub.currentFiber("Fiber.sleep");
        if (millis <= 0) {
            f.park(null, true);
            return;
        }
        long now = f.hub.loop.nanoTime();
        long nanos = millis > Long.MAX_VALUE / 1_000_000L ? Long.MAX_VALUE : millis * 1_000_000L;
        long deadline = now + nanos;
        sleepUntil(f, deadline - now < 0 || deadline == Deadlines.NONE ? Deadlines.NONE : deadline);
    }

    private static void sleepUntil(FiberCore f, long deadline) {
        while (f.parkUntil("sleep", deadline)) {
            // woken early by a stray unpark (none is expected): sleep on, never return early
            if (deadline != Deadlines.NONE && deadline - f.hub.loop.nanoTime() <= 0) {
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
        FiberCore me = Hub.currentFiber("Fiber.joinAll");
        for (Fiber<?> f : fibers) {
            if (f.core != me && !f.core.joinUntil(deadline, true)) {
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
        FiberCore me = Hub.currentFiber("Fiber.killAll");
        for (Fiber<?> f : fibers) {
            if (f.core != me) {
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
        return core.state;
    }

    /** Whether the fiber has finished (succeeded, failed or killed). */
    public boolean isDone() {
        return core.state.isDone();
    }

    /** The hub that runs this fiber. */
    public Hub hub() {
        return core.hub.face;
    }

    /** The exception the fiber failed with, or null. Does not count as observing it. */
    public Throwable failure() {
        return core.failure();
    }

    // ---------------------------------------------------------------- join, get, kill

    /**
     * Waits until this fiber is done. It does not throw the fiber's failure and does not count as
     * observing it: a failure nobody {@linkplain #get() gets} still goes to the hub's uncaught
     * handler (so a pool's or server's join hides nothing).
     */
    public void join() {
        core.joinUntil(Long.MAX_VALUE, false);
    }

    /**
     * Waits up to {@code timeout} until this fiber is done; {@code true} if it is. Durations follow the
     * package rule (null: no limit; zero or negative: do not wait).
     */
    public boolean join(Duration timeout) {
        return core.joinUntil(Deadlines.after(timeout), true);
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
        core.getters++;
        try {
            join();
        } finally {
            core.getters--;
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
        core.getters++;
        try (Timeout t = Timeout.internal(timeout, "Fiber.get")) {
            join();
        } finally {
            core.getters--;
        }
        return outcome();
    }

    @SuppressWarnings("unchecked")
    private T outcome() {
        core.observed = true;
        return switch (core.state) {
            case SUCCEEDED -> (T) core.outcome();
            case KILLED -> throw new CancellationException("fiber " + this + " was killed");
            case FAILED -> throw rethrowable();
            default -> throw new IllegalStateException("fiber " + this + " is not done: " + core.state);
        };
    }

    private RuntimeException rethrowable() {
        Throwable t = failure();
        boolean noted = false;
        for (Throwable s : t.getSuppressed()) {
            noted |= s instanceof SpawnSite;
        }
        if (!noted) {
            FiberExtras x = core.extrasOrNull();
            t.addSuppressed(SpawnSite.describe(toString(), parentLabel(), x == null ? null : x.spawnSite));
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
        core.hub.checkThread("Fiber.kill");
        core.kill();
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
        core.hub.checkThread("Fiber.onExit");
        Objects.requireNonNull(callback, "callback");
        if (isDone()) {
            core.hub.runCallback(() -> callback.accept(this));
            return;
        }
        EndWaiters.add(core, callback);
    }

    /**
     * Marks this fiber's failure as observed by someone who will be handed it, so that it does not
     * also go to the uncaught handler: {@link Hub#call} throws the main fiber's failure to its caller.
     */
    void observedByCaller() {
        core.observed = true;
    }

    @Override
    public String toString() {
        FiberExtras x = core.extrasOrNull();
        if (x != null && x.label != null) {
            return x.label;
        }
        String l = "#" + id + " '" + name() + "'";
        if (core.hub.loop.isLoopThread()) {
            core.extras().label = l; // kept only by the hub thread: another thread must not race it to create extras
        }
        return l;
    }

    /** A one-line description for reports: state, what it waits on, where. */
    String describe() {
        return HubStall.describe(core);
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
        core.hub.checkThread("Fiber.removeOnExit");
        return EndWaiters.remove(core, callback);
    }

    // ---------------------------------------------------------------- issue 14 (gevent API): kill(Throwable), link, create/start

    /** Marks a fiber made by {@link #create} and not {@linkplain #start() started} yet (kept in the core's blocker). */
    private static final Object UNSTARTED = new Object() {
        @Override
        public String toString() {
            return "start() (created, not started)";
        }
    };

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
        core.hub.checkThread("Fiber.kill");
        Objects.requireNonNull(exception, "exception");
        if (!(exception instanceof RuntimeException) && !(exception instanceof Error)) {
            throw new IllegalArgumentException("kill(" + exception + "): a checked exception cannot be thrown from a"
                    + " blocking call that does not declare it; wrap it in an unchecked exception");
        }
        core.killWith(exception);
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
        core.hub.checkThread("Fiber.link");
        Objects.requireNonNull(callback, "callback");
        FiberExtras x = core.extras();
        if (x.links == null) {
            x.links = new LinkedHashMap<>();
        }
        Map<Consumer<?>, Consumer<?>> links = x.links;
        if (links.containsKey(callback)) {
            return;
        }
        Consumer<Fiber<T>> wrapper = new Consumer<>() {
            @Override
            public void accept(Fiber<T> f) {
                if (only == null || f.core.state == only) {
                    Consumer<Fiber<T>> self = this;
                    core.hub.spawn("link of " + f, (Callable<Void>) () -> {
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
            core.observed = true;
        }
        onExit(wrapper);
    }

    /**
     * Removes a callback given to {@link #link}, {@link #linkValue} or {@link #linkException}; false if
     * it was not linked or has run already. True means it will not run: also when called after the
     * fiber ended, before the link's own fiber ran it (from inside another link, say). Hub thread.
     */
    public boolean unlink(Consumer<? super Fiber<T>> callback) {
        core.hub.checkThread("Fiber.unlink");
        FiberExtras x = core.extrasOrNull();
        Map<Consumer<?>, Consumer<?>> links = x == null ? null : x.links;
        @SuppressWarnings("unchecked")
        Consumer<Fiber<T>> wrapper = links == null ? null : (Consumer<Fiber<T>>) links.remove(callback);
        if (wrapper == null) {
            return false;
        }
        removeOnExit(wrapper);
        if (!isDone() && links.isEmpty()) {
            core.observed = false;
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
        core.blocker = UNSTARTED;
    }

    /**
     * Starts a fiber made by {@link #create}: it runs after the caller blocks or yields. Hub thread.
     *
     * @throws IllegalStateException if it was started (or spawned) already, or killed
     */
    public void start() {
        claimStart("start");
        core.hub.loop.callSoon(core);
    }

    /**
     * Starts a fiber made by {@link #create} once {@code delay} has passed (gevent's {@code
     * start_later}); any delay works, as for {@link #spawnLater}. Hub thread.
     */
    public void startLater(Duration delay) {
        claimStart("startLater");
        core.hub.startAfter(core, delay);
    }

    private void claimStart(String what) {
        core.hub.checkThread("Fiber." + what);
        if (core.state != FiberState.NEW || core.blocker != UNSTARTED) {
            throw new IllegalStateException(what + "() of fiber " + this + ", which is " + core.state
                    + (core.state == FiberState.NEW ? " and already started" : "") + "; only a fiber made by Fiber.create,"
                    + " not started yet, can be started");
        }
        core.blocker = null;
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
        return parentLabel == null ? "the hub" : parentLabel;
    }

    // ---------------------------------------------------------------- bridges (added with issue 10)

    /**
     * Whether the caller runs inside a fiber: on a hub thread, in one of its fibers. Never throws;
     * false on other threads and in the hub's own callbacks. For code that must choose between a
     * cooperative and a thread-blocking path (a {@code SocketFactory}). Any thread.
     */
    public static boolean inFiber() {
        Hub h = Hub.currentOrNull();
        return h != null && h.core.current != null;
    }

    /** Waits for {@code stage}; see {@link Futures#await(java.util.concurrent.CompletionStage)}. */
    public static <T> T await(java.util.concurrent.CompletionStage<T> stage) throws Exception {
        return Futures.await(stage);
    }
}
