package dev.weft.fibers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * A set of fibers handled together (gevent's {@code Group}): {@link #spawn} starts a fiber in it,
 * {@link #add} takes in one spawned elsewhere, a fiber leaves when it ends or is
 * {@linkplain #discard discarded}; {@link #join} waits until the group is empty, {@link #kill} ends
 * every member. {@link #map}, {@link #imap}, {@link #imapUnordered} and {@link #apply} run a
 * function in fibers of the group. {@link Pool} is a group with a size limit.
 *
 * <p>Failures: a member's failure is reported as any fiber's (to whoever joins it with
 * {@link Fiber#get()}, else to the hub's uncaught handler); {@link #join} does not throw it. The
 * map family hands a worker's failure to the consumer instead (see {@link IMap}).
 *
 * <p>Thread rule: hub thread; the blocking methods from fibers.
 */
public sealed class Group permits Pool {
    final Hub hub;
    private final Set<Fiber<?>> members = new LinkedHashSet<>();
    /** Set while the group is empty; {@link #join} waits on it. */
    private final Event empty = new Event();
    /** Set while the group has at most one member; a member's {@link #join} waits on it. */
    private final Event atMostOne = new Event();

    /** An empty group on the current hub. Hub thread. */
    public Group() {
        this.hub = Hub.current();
        empty.set();
        atMostOne.set();
    }

    // ---------------------------------------------------------------- membership

    /** Spawns {@code task} as a member; see {@link Fiber#spawn(Callable)}. Hub thread. */
    public <T> Fiber<T> spawn(Callable<T> task) {
        Objects.requireNonNull(task, "task");
        acquireSlot();
        Fiber<T> f;
        try {
            f = hub.spawn(null, task);
        } catch (Throwable t) {
            releaseSlot();
            throw t;
        }
        track(f);
        return f;
    }

    /** {@link #spawn(Callable)} for a task without a result. */
    public Fiber<Void> spawn(VoidTask task) {
        return spawn(Hub.callable(task));
    }

    /**
     * Makes {@code fiber} a member until it ends or is discarded; nothing if it already is one, or
     * has ended. Hub thread.
     */
    public void add(Fiber<?> fiber) {
        hub.checkThread("Group.add");
        if (fiber.hub() != hub) {
            throw new IllegalArgumentException("fiber " + fiber + " runs on another hub than this group");
        }
        if (members.contains(fiber) || fiber.isDone()) {
            return;
        }
        acquireSlot();
        track(fiber);
    }

    /** Removes {@code fiber} from the group without killing it; nothing if it is not a member. Hub thread. */
    public void discard(Fiber<?> fiber) {
        hub.checkThread("Group.discard");
        leave(fiber);
    }

    private void track(Fiber<?> f) {
        members.add(f);
        empty.clear();
        if (members.size() > 1) {
            atMostOne.clear();
        }
        f.onExit(this::leave);
    }

    private void leave(Fiber<?> f) {
        if (members.remove(f)) {
            releaseSlot();
            if (members.isEmpty()) {
                empty.set();
            }
            if (members.size() <= 1) {
                atMostOne.set();
            }
        }
    }

    /** Whether {@code fiber} is a member. */
    public boolean contains(Fiber<?> fiber) {
        return members.contains(fiber);
    }

    /** Members now. */
    public int size() {
        return members.size();
    }

    /** The members now, oldest first (a copy). */
    public List<Fiber<?>> fibers() {
        return new ArrayList<>(members);
    }

    // ---------------------------------------------------------------- join and kill

    /**
     * Waits until the group is empty (members added meanwhile included). Blocks the calling fiber
     * until one of these happens: the last member ends or is discarded, the fiber is killed
     * ({@link FiberKilledError}), an enclosing {@link Timeout} expires ({@link FiberTimeoutException}),
     * or nothing could ever end them ({@link BlockedForeverException}). A member that joins its own
     * group waits for every <em>other</em> member (it cannot wait for itself), so a pool's or a
     * server's own fiber can stop it.
     */
    public void join() {
        joinUntil(Deadlines.NONE);
    }

    /** {@link #join()} for at most {@code timeout}; true if the group is empty. */
    public boolean join(Duration timeout) {
        return joinUntil(Deadlines.after(timeout));
    }

    private boolean joinUntil(long deadline) {
        Fiber<?> me = hub.runningFiber("Group.join").face;
        while (true) {
            boolean inside = members.contains(me);
            if (inside ? members.size() <= 1 : members.isEmpty()) {
                return true;
            }
            if (!(inside ? atMostOne : empty).await(Duration.ofNanos(Deadlines.remaining(deadline)))) {
                inside = members.contains(me);
                return inside ? members.size() <= 1 : members.isEmpty();
            }
        }
    }

    /**
     * Kills every member (the calling fiber excepted, if it is one); does not wait. See
     * {@link Fiber#kill()}. Hub thread.
     */
    public void kill() {
        hub.checkThread("Group.kill");
        for (Fiber<?> f : fibers()) {
            if (f.core != hub.core.current) {
                f.kill();
            }
        }
    }

    /** Kills every member and waits up to {@code timeout} for the group to be empty; true if it is. */
    public boolean kill(Duration timeout) {
        kill();
        return join(timeout);
    }

    // ---------------------------------------------------------------- the map family

    /**
     * Runs {@code function} on each item in fibers of the group and returns the results in the
     * order of the items (gevent's {@code map}); at most {@link #defaultInFlight()} run at once.
     * Blocks until all are done. The first failure is thrown and the other workers are killed; a
     * kill or a {@link Timeout} of the caller kills the workers too.
     *
     * @throws RuntimeException or Error a worker's failure as is; a checked one wrapped in
     *                          {@link java.util.concurrent.CompletionException}
     * @throws java.util.concurrent.CancellationException if a worker was killed (by {@link #kill()},
     *                          say): its item has no result (see {@link IMap})
     */
    public <T, R> List<R> map(FiberFunction<? super T, ? extends R> function, Iterable<? extends T> items) {
        List<R> results = new ArrayList<>();
        try (IMap<R> it = imap(function, items)) {
            while (it.hasNext()) {
                results.add(it.next());
            }
        }
        return results;
    }

    /**
     * The results of {@code function} on each item, lazily and in the order of the items (gevent's
     * {@code imap}), with at most {@link #defaultInFlight()} items in flight. See {@link IMap}.
     */
    public <T, R> IMap<R> imap(FiberFunction<? super T, ? extends R> function, Iterable<? extends T> items) {
        return new IMap<>(this, function, items, defaultInFlight(), true);
    }

    /** {@link #imap(FiberFunction, Iterable)} with at most {@code maxInFlight} items in flight. */
    public <T, R> IMap<R> imap(FiberFunction<? super T, ? extends R> function, Iterable<? extends T> items,
            int maxInFlight) {
        return new IMap<>(this, function, items, maxInFlight, true);
    }

    /** As {@link #imap(FiberFunction, Iterable)}, but results come as they finish (gevent's {@code imap_unordered}). */
    public <T, R> IMap<R> imapUnordered(FiberFunction<? super T, ? extends R> function, Iterable<? extends T> items) {
        return new IMap<>(this, function, items, defaultInFlight(), false);
    }

    /** {@link #imapUnordered(FiberFunction, Iterable)} with at most {@code maxInFlight} items in flight. */
    public <T, R> IMap<R> imapUnordered(FiberFunction<? super T, ? extends R> function, Iterable<? extends T> items,
            int maxInFlight) {
        return new IMap<>(this, function, items, maxInFlight, false);
    }

    /**
     * Runs {@code task} in a fiber of the group and waits for its result (gevent's {@code apply}).
     * A caller that is already a member runs it directly instead (as gevent does: a full pool would
     * otherwise wait for a slot its caller holds). If the caller is killed or its {@link Timeout}
     * expires while it waits, the task's fiber is killed.
     *
     * @throws RuntimeException or Error the task's failure as is; a checked one wrapped in
     *                          {@link java.util.concurrent.CompletionException}
     */
    public <R> R apply(Callable<R> task) {
        Fiber<?> me = hub.runningFiber("Group.apply").face;
        if (members.contains(me)) {
            try {
                return task.call();
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException("the applied task failed: " + e, e);
            }
        }
        Fiber<R> f = spawn(task);
        try {
            return f.get();
        } finally {
            if (!f.isDone()) {
                f.kill(); // the caller gave up (killed, timed out): the work is nobody's
            }
        }
    }

    // ---------------------------------------------------------------- what Pool changes

    /** Called before a fiber becomes a member; a {@link Pool} waits for a free slot here. */
    void acquireSlot() {
    }

    /** Called when a member leaves. */
    void releaseSlot() {
    }

    /** How many items the map family keeps in flight by default: all of them for a group (as gevent). */
    int defaultInFlight() {
        return Integer.MAX_VALUE;
    }

    @Override
    public String toString() {
        return "Group(" + members.size() + " members)";
    }
}
