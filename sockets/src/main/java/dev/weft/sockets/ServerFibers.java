package dev.weft.sockets;

import dev.weft.fibers.Deadlines;
import dev.weft.fibers.Event;
import dev.weft.fibers.Fiber;
import dev.weft.fibers.VoidTask;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The handler fibers of one server ({@link StreamServer}, {@link DatagramServer}): the limit on how
 * many run at once, and the one way both servers stop — stop the intake, wait out the grace, kill
 * the rest, wait for them, close.
 *
 * <p>Thread rule: the server's hub thread, from fibers.
 *
 * <p>Implementation notes: waiting for handlers uses an {@link Event} set by their on-exit
 * notifications, never {@link Fiber#join()}: a join counts as observing a failure, and a handler
 * that fails while the server stops must still reach the hub's uncaught handler. The calling fiber
 * is never waited for or killed (a handler may stop its own server).
 */
final class ServerFibers {
    /** How long killed handlers get to unwind before stop gives up waiting for them. */
    static final Duration KILL_WAIT = Duration.ofSeconds(30);
    private static final System.Logger LOG = System.getLogger(ServerFibers.class.getName());

    private final String server;
    private final int max;
    /**
     * The handlers running now. An identity set: about 13 bytes per connection where a LinkedHashSet
     * took about 46 (issue 15: heap per connection); {@link #others} puts them in spawn order.
     */
    private final Set<Fiber<?>> running = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Set whenever a handler or the intake ends, and when stopping begins. */
    private final Event changed = new Event();
    /** Set when stopping begins: wakes an intake that pauses. */
    private final Event stopRequested = new Event();
    /** Set when {@link #stop} has finished. */
    private final Event stopped = new Event();
    private boolean stopping;
    /** Run when a handler ends: one callback for all of them, not a lambda per connection (issue 15). */
    private final Consumer<Fiber<Void>> handlerEnded = done -> {
        running.remove(done);
        changed.set();
    };

    /** {@code server} names the server in messages; at most {@code max} handlers at once. */
    ServerFibers(String server, int max) {
        this.server = server;
        this.max = max;
    }

    /** Whether {@link #stop} has begun. */
    boolean isStopping() {
        return stopping;
    }

    /** Parks the calling fiber until {@link #stop} has finished. */
    void awaitStopped() {
        stopped.await();
    }

    /** Handlers running now. */
    int size() {
        return running.size();
    }

    /**
     * Parks the intake fiber while {@code max} handlers run.
     *
     * @return false if the server is stopping (the intake should end)
     */
    boolean awaitSlot() {
        while (running.size() >= max && !stopping) {
            changed.clear();
            changed.await();
        }
        return !stopping;
    }

    /** Whether {@code max} handlers run now. */
    boolean isFull() {
        return running.size() >= max;
    }

    /**
     * Parks the intake until a handler ends or the server stops, or at most {@code limit} (null: no
     * limit).
     *
     * @return false if the server is stopping
     */
    boolean awaitChange(Duration limit) {
        if (!stopping) {
            changed.clear();
            if (limit == null) {
                changed.await();
            } else {
                changed.await(limit);
            }
        }
        return !stopping;
    }

    /**
     * Parks the intake for {@code pause} (a back-off), or until the server stops.
     *
     * @return false if the server is stopping
     */
    boolean pause(Duration pause) {
        stopRequested.await(pause);
        return !stopping;
    }

    /** Starts a handler fiber and counts it until it ends. */
    void spawn(String name, VoidTask body) {
        Fiber<Void> f = Fiber.spawn(name, body);
        running.add(f);
        f.onExit(handlerEnded);
    }

    /** Notes the intake fiber, so that {@link #stop} can wait for it to end (a server may have none: null). */
    void watch(Fiber<?> intake) {
        intake.onExit(done -> changed.set());
    }

    /**
     * The one stop path: runs {@code stopIntake} (close the listener, or kill the receiver), waits
     * for the intake fiber to end, waits up to {@code grace} for the running handlers (never the
     * calling one), kills those left and waits for them to unwind (at most {@link #KILL_WAIT}), then
     * runs {@code close}. If the calling fiber is killed or times out meanwhile, the handlers left
     * are killed (not waited for) and {@code close} still runs. A second call waits for the first to
     * finish and returns 0.
     *
     * @param grace null: wait as long as they run; zero or negative: kill at once
     * @return how many handlers had to be killed
     */
    int stop(Duration grace, Fiber<?> intake, Runnable stopIntake, Runnable close) {
        Fiber<?> me = Fiber.current();
        if (stopping) {
            if (!running.contains(me)) {
                stopped.await();
            }
            return 0;
        }
        stopping = true;
        boolean finished = false;
        try {
            stopIntake.run();
            stopRequested.set();
            changed.set();
            while (intake != null && intake != me && !intake.isDone()) {
                changed.clear();
                changed.await();
            }
            int killed = 0;
            if (!awaitOthers(me, Deadlines.after(grace))) {
                List<Fiber<?>> left = others(me);
                for (Fiber<?> f : left) {
                    f.kill();
                }
                killed = left.size();
                if (!awaitOthers(me, Deadlines.after(KILL_WAIT))) {
                    LOG.log(System.Logger.Level.WARNING, server + ": " + others(me).size() + " handler(s) still run "
                            + KILL_WAIT.toSeconds() + " s after they were killed (they catch FiberKilledError and"
                            + " go on?): " + others(me) + "; closing anyway");
                }
            }
            finished = true;
            return killed;
        } finally {
            if (!finished) { // the stopping fiber was killed or timed out: leave no handler behind
                for (Fiber<?> f : others(me)) {
                    f.kill();
                }
            }
            close.run();
            stopped.set();
        }
    }

    /** Waits until every handler but {@code me} has ended; false if {@code deadline} came first. */
    private boolean awaitOthers(Fiber<?> me, long deadline) {
        while (othersRunning(me)) {
            changed.clear();
            if (deadline == Deadlines.NONE) {
                changed.await();
            } else if (!changed.await(Duration.ofNanos(Deadlines.remaining(deadline)))) {
                return !othersRunning(me);
            }
        }
        return true;
    }

    /** Whether a handler other than {@code me} still runs (no list built: this is asked at every change). */
    private boolean othersRunning(Fiber<?> me) {
        return running.size() > (running.contains(me) ? 1 : 0);
    }

    /** The handlers other than {@code me}, in spawn order. */
    private List<Fiber<?>> others(Fiber<?> me) {
        List<Fiber<?>> list = new ArrayList<>(running);
        list.remove(me);
        list.sort(Comparator.comparingLong(Fiber::id));
        return list;
    }

    @Override
    public String toString() {
        return server + ": " + running.size() + " handler(s)" + (stopping ? ", stopping" : "");
    }
}
