package dev.weft.fibers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A group of hubs: N hubs on N platform threads (one backend instance each), started and stopped
 * together; Netty's {@code EventLoopGroup}, Seastar's shard per core. How Weft uses every core.
 *
 * <p>Fibers never move between hubs: a fiber runs on the hub that spawned it until it ends, so the
 * fibers of one hub never race each other (gevent's promise holds per hub). Work crosses hubs only
 * through primitives made for it: {@link SharedQueue}, {@link AsyncResult#set} and
 * {@link Event#set()} (any thread), {@link Hub#submit} and {@link Hub#execute}. Every other primitive
 * belongs to its hub and refuses a fiber of another hub ({@link dev.weft.hub.WrongThreadException}
 * naming both hubs).
 *
 * <p>Size: {@link #defaultSize()}, {@code -Dweft.hubs=N}, else the available processors. Load, for
 * {@link #spawn}: a hub's live fibers plus the tasks handed to it that have not started yet (so a
 * burst of spawns spreads before the first of them runs).
 *
 * <p>Stop: {@link #stop(Duration)} runs every hub's {@linkplain #onStop stop actions} (servers
 * register theirs: they stop accepting, then wait up to the grace for their connections), each hub
 * in parallel; then every hub closes (its remaining fibers are killed and unwound, their
 * {@code finally} blocks run) and its thread ends; then the threads are joined. A failure on one
 * hub (a stop action that throws, a hub that fails to start) does not stop the others from
 * stopping: {@code stop} throws one {@link IllegalStateException} naming the first, with the
 * others {@linkplain Throwable#getSuppressed() suppressed}.
 *
 * <p>{@link Hub#dumpAll()} and the JFR events show every hub of every group; a group's hub threads
 * are named {@code weft-<group>-<index>} and say so in dumps and error messages.
 *
 * <p>Thread rule: any thread, except {@link #stop}/{@link #close()}, which must not be called on one
 * of the group's own hubs (a hub cannot join itself: {@link IllegalStateException}), and
 * {@link #onStop}, hub thread of a hub of this group.
 */
public final class HubGroup implements AutoCloseable {
    /** The system property that sets {@link #defaultSize()}. */
    public static final String HUBS_PROPERTY = "weft.hubs";
    private static final AtomicInteger GROUPS = new AtomicInteger();
    /** The group of each hub that belongs to one. */
    private static final Map<Hub, HubGroup> OF_HUB = new ConcurrentHashMap<>();
    private static final Duration START_LIMIT = Duration.ofSeconds(30);

    /** One hub of the group: its thread, the hub, what tells it to stop, its stop actions and pending tasks. */
    private static final class Member {
        final int index;
        /** Set once, before the thread starts. */
        Thread thread;
        final CompletableFuture<Hub> started = new CompletableFuture<>();
        /** Set (on the hub) once the member's main fiber runs; completed by {@link #stop} from any thread. */
        volatile AsyncResult<Duration> stopSignal;
        /** Stop actions (hub thread only). */
        final List<Consumer<Duration>> onStop = new ArrayList<>();
        /** Tasks handed to this hub that have not started running yet. */
        final AtomicInteger pending = new AtomicInteger();
        /** What the hub thread ended with: null on a clean end. */
        volatile Throwable failure;
        volatile Hub hub;

        Member(int index) {
            this.index = index;
        }
    }

    private final String name;
    private final Member[] members;
    private final List<Hub> hubs;
    private final Object stopLock = new Object();
    private volatile boolean stopped;

    private HubGroup(String backend, int size, String name, boolean daemon) {
        this.name = name == null ? "weft-" + GROUPS.incrementAndGet() : name;
        this.members = new Member[size];
        for (int i = 0; i < size; i++) {
            Member m = new Member(i);
            m.thread = new Thread(() -> runHub(backend, m), this.name + "-" + i);
            m.thread.setDaemon(daemon);
            members[i] = m;
        }
        for (Member m : members) {
            m.thread.start();
        }
        List<Hub> started = new ArrayList<>(size);
        Throwable failed = null;
        for (Member m : members) {
            try {
                started.add(m.started.get(START_LIMIT.toMillis(), TimeUnit.MILLISECONDS));
            } catch (ExecutionException | InterruptedException | TimeoutException e) {
                Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                if (failed == null) {
                    failed = cause;
                } else {
                    failed.addSuppressed(cause);
                }
            }
        }
        this.hubs = List.copyOf(started);
        if (failed != null) {
            try {
                stop(Duration.ZERO);
            } catch (RuntimeException stopFailure) {
                failed.addSuppressed(stopFailure);
            }
            if (failed instanceof RuntimeException re) {
                throw re;
            }
            if (failed instanceof Error e) {
                throw e;
            }
            throw new IllegalStateException("a hub of group " + name + " could not start: " + failed, failed);
        }
    }

    /** {@code -Dweft.hubs=N} if set, else the available processors. */
    public static int defaultSize() {
        String set = System.getProperty(HUBS_PROPERTY);
        if (set == null || set.isBlank()) {
            return Runtime.getRuntime().availableProcessors();
        }
        try {
            int n = Integer.parseInt(set.trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException notANumber) {
            // reported below
        }
        throw new IllegalArgumentException("-D" + HUBS_PROPERTY + "=" + set + ": the number of hubs must be a whole number of at least 1");
    }

    /** Starts a group of {@link #defaultSize()} hubs on the default backend. See {@link #start(String, int)}. */
    public static HubGroup start() {
        return start(null, defaultSize());
    }

    /** Starts a group of {@code hubs} hubs on the default backend. See {@link #start(String, int)}. */
    public static HubGroup start(int hubs) {
        return start(null, hubs);
    }

    /**
     * Starts {@code hubs} hub threads on {@code backend} ({@code nio}, {@code epoll}, ... or null for
     * the default selection) and returns once every hub runs. Blocks the calling thread (at most 30 s
     * per hub).
     *
     * @throws IllegalArgumentException if {@code hubs} is below 1
     * @throws dev.weft.hub.BackendUnavailableException if the backend cannot run here (the hubs
     *         that did start are stopped first)
     */
    public static HubGroup start(String backend, int hubs) {
        return start(backend, hubs, null, false);
    }

    /**
     * {@link #start(String, int)} with the group's {@code name} (its hub threads are
     * {@code <name>-<index>}; null: {@code weft-<n>}) and, with {@code daemon}, daemon hub threads
     * that do not keep the JVM alive (for a component that keeps it alive itself while it serves,
     * as the HTTP server does).
     */
    public static HubGroup start(String backend, int hubs, String name, boolean daemon) {
        if (hubs < 1) {
            throw new IllegalArgumentException("a hub group needs at least one hub, not " + hubs);
        }
        return new HubGroup(backend, hubs, name, daemon);
    }

    /**
     * Runs {@code main} as a fiber on the first hub of a new group of {@link #defaultSize()} hubs and
     * returns its result when it finishes; the group is then closed ({@link #close()}). The calling
     * thread blocks meanwhile; it must not be a hub thread.
     *
     * @throws Exception what {@code main} threw, as is
     */
    public static <T> T run(Callable<T> main) throws Exception {
        return run(null, defaultSize(), main);
    }

    /** {@link #run(Callable)} with {@code hubs} hubs on {@code backend} (null: the default). */
    public static <T> T run(String backend, int hubs, Callable<T> main) throws Exception {
        Objects.requireNonNull(main, "main");
        try (HubGroup group = start(backend, hubs)) {
            try {
                return group.spawnOn(0, main).get();
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof Exception ex) {
                    throw ex;
                }
                throw (Error) cause;
            }
        }
    }

    private void runHub(String backend, Member m) {
        Hub hub;
        try {
            hub = Hub.open(backend);
        } catch (Throwable cannotOpen) {
            m.failure = cannotOpen;
            m.started.completeExceptionally(cannotOpen);
            return;
        }
        m.hub = hub;
        OF_HUB.put(hub, this);
        try {
            hub.call(() -> {
                AsyncResult<Duration> stop = new AsyncResult<>();
                m.stopSignal = stop;
                m.started.complete(hub);
                Duration grace = stop.get();
                runStopActions(m, grace);
                return null;
            });
        } catch (Throwable t) {
            m.failure = t;
            m.started.completeExceptionally(t);
        } finally {
            try {
                hub.close();
            } catch (Throwable t) {
                if (m.failure == null) {
                    m.failure = t;
                } else {
                    m.failure.addSuppressed(t);
                }
            } finally {
                OF_HUB.remove(hub);
            }
        }
    }

    /** Runs each stop action in its own fiber, all at once, and waits for them; throws the first failure. */
    private static void runStopActions(Member m, Duration grace) {
        List<Fiber<Void>> running = new ArrayList<>();
        for (Consumer<Duration> action : List.copyOf(m.onStop)) {
            Fiber<Void> f = Fiber.spawn("stop action", () -> action.accept(grace));
            running.add(f);
        }
        RuntimeException first = null;
        for (Fiber<Void> f : running) {
            try {
                f.get();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** The group's hubs, in index order. Any thread. */
    public List<Hub> hubs() {
        return hubs;
    }

    /** How many hubs the group has. */
    public int size() {
        return members.length;
    }

    /** The group's name ({@code weft-<n>}); its hub threads are {@code <name>-<index>}. */
    public String name() {
        return name;
    }

    /** The group of the calling thread's hub, or null if it runs no hub or a hub of no group. Any thread. */
    public static HubGroup current() {
        Hub hub = Hub.currentOrNull();
        return hub == null ? null : OF_HUB.get(hub);
    }

    /** The group {@code hub} belongs to, or null. Any thread. */
    public static HubGroup of(Hub hub) {
        return OF_HUB.get(Objects.requireNonNull(hub, "hub"));
    }

    /** The index of {@code hub} in this group. @throws IllegalArgumentException if it is not one of them */
    public int indexOf(Hub hub) {
        int i = hubs.indexOf(hub);
        if (i < 0) {
            throw new IllegalArgumentException(hub.thread().getName() + "'s hub is not a hub of group " + name);
        }
        return i;
    }

    /**
     * The load of hub {@code i} as {@link #spawn} counts it: its live fibers plus the tasks handed to
     * it that have not started. Any thread; a snapshot (read without synchronization).
     */
    public int load(int i) {
        Member m = members[i];
        Hub hub = m.hub;
        return (hub == null ? 0 : hub.core.live.count()) + m.pending.get();
    }

    /**
     * Runs {@code task} in a new fiber on hub {@code i}, as {@link Hub#submit}: the future completes
     * with its value or exception, or is cancelled if the fiber is killed (the group stops).
     * Any thread.
     *
     * @throws java.util.concurrent.RejectedExecutionException if the group has stopped
     * @throws IndexOutOfBoundsException if there is no hub {@code i}
     */
    public <T> CompletableFuture<T> spawnOn(int i, Callable<T> task) {
        Objects.requireNonNull(task, "task");
        Objects.checkIndex(i, members.length);
        Member m = members[i];
        m.pending.incrementAndGet();
        try {
            return hubs.get(i).submit(() -> {
                m.pending.decrementAndGet();
                return task.call();
            });
        } catch (RuntimeException rejected) {
            m.pending.decrementAndGet();
            throw rejected;
        }
    }

    /**
     * Runs {@code task} in a new fiber on every hub of the group, as {@link #spawnOn} does, and returns
     * one future per hub, in hub order: the way to reach the fibers of every hub (a broadcast to
     * connections spread over the hubs: each hub's task hands the message to its own fibers, with
     * that hub's own primitives). Any thread.
     *
     * @throws java.util.concurrent.RejectedExecutionException if the group has stopped (on the first
     *         hub that refuses; the hubs before it run the task)
     */
    public <T> List<CompletableFuture<T>> spawnOnEach(Callable<T> task) {
        Objects.requireNonNull(task, "task");
        List<CompletableFuture<T>> all = new ArrayList<>(members.length);
        for (int i = 0; i < members.length; i++) {
            all.add(spawnOn(i, task));
        }
        return all;
    }

    /**
     * {@link #spawnOn} on the least-loaded hub ({@link #load}; the lowest index among equals).
     * Any thread.
     */
    public <T> CompletableFuture<T> spawn(Callable<T> task) {
        int best = 0;
        int bestLoad = Integer.MAX_VALUE;
        for (int i = 0; i < members.length; i++) {
            int load = load(i);
            if (load < bestLoad) {
                best = i;
                bestLoad = load;
            }
        }
        return spawnOn(best, task);
    }

    /**
     * Registers {@code action} to run, in a fiber of the calling hub, when the group stops; it gets
     * the grace {@link #stop} was given (a server stops accepting and waits that long for its
     * connections). Hub thread of a hub of this group.
     *
     * @throws IllegalStateException if the caller is not on a hub of this group
     */
    public void onStop(Consumer<Duration> action) {
        Objects.requireNonNull(action, "action");
        Hub hub = Hub.currentOrNull();
        if (hub == null || OF_HUB.get(hub) != this) {
            throw new IllegalStateException("HubGroup.onStop was called on thread '" + Thread.currentThread().getName()
                    + "', which is not a hub of group " + name + "; register stop actions from a fiber of one of its hubs");
        }
        members[indexOf(hub)].onStop.add(action);
    }

    /**
     * Stops the group: on every hub at once, runs its stop actions with {@code grace} (servers stop
     * accepting and wait up to {@code grace} for their connections, then kill the rest), then closes
     * the hub (every remaining fiber is killed and unwound); then joins every hub thread. Blocks the
     * calling thread until all have ended. Idempotent; a second call waits for the first.
     *
     * @param grace null: as long as connections run; zero: kill them at once
     * @throws IllegalStateException if called on a hub of this group, or naming the first failure of
     *         any hub (the others suppressed); every hub has ended either way
     */
    public void stop(Duration grace) {
        Hub own = Hub.currentOrNull();
        if (own != null && OF_HUB.get(own) == this) {
            throw new IllegalStateException("HubGroup.stop was called on " + own.thread().getName()
                    + ", a hub of the group itself, which would wait for its own end. Call it from another thread,"
                    + " or make the code that owns the group return.");
        }
        synchronized (stopLock) {
            if (!stopped) {
                stopped = true;
                for (Member m : members) {
                    AsyncResult<Duration> signal = m.stopSignal;
                    if (signal != null) {
                        signal.set(grace);
                    }
                }
            }
            boolean interrupted = false;
            for (Member m : members) {
                while (true) {
                    try {
                        m.thread.join();
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        IllegalStateException failure = null;
        for (Member m : members) {
            Throwable t = m.failure;
            if (t == null) {
                continue;
            }
            if (failure == null) {
                failure = new IllegalStateException("hub " + m.thread.getName() + " of group " + name + " failed: " + t, t);
            } else {
                failure.addSuppressed(t);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** {@link #stop(Duration)} with zero grace: connections are killed at once. */
    @Override
    public void close() {
        stop(Duration.ZERO);
    }

    @Override
    public String toString() {
        return "HubGroup(" + name + ", " + members.length + " hubs" + (stopped ? ", stopped" : "") + ")";
    }
}
