package dev.weft.hub.sim;

import dev.weft.hub.ReadyOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The order among a simulated hub's ready fibers. A batch is the fibers ready when it begins (those
 * made ready meanwhile wait for the next iteration, so timers and deliveries get a turn every
 * iteration whatever the fibers do); each resumed fiber is one traced decision and costs
 * {@link SimSettings#stepNanos()} of virtual time. A fiber that throws {@value #SPIN_LIMIT}
 * interruptions in one step without switching is a livelock: the run fails. Simulation thread.
 */
abstract class SimOrder implements ReadyOrder {
    /** Interruptions thrown in one step without a switch that count as a livelock. */
    static final int SPIN_LIMIT = 10_000;

    final SimPoller poller;
    private int batchLeft;
    private int spins;
    Runnable running;

    SimOrder(SimPoller poller) {
        this.poller = poller;
    }

    static SimOrder of(SimPoller poller, SimSettings s) {
        SplittableRandom rng = new SplittableRandom(s.seed()).split();
        return switch (s.policy()) {
            case FIFO -> new Fifo(poller);
            case RANDOM -> new RandomOrder(poller, rng);
            case PCT -> new Pct(poller, rng, s.pctDepth(), s.pctSteps());
        };
    }

    static long idOf(Runnable r) {
        return r instanceof Identified i ? i.readyId() : -1;
    }

    /** Removes and returns the callback to run next; the queue is not empty. */
    abstract Runnable take();

    @Override
    public void beginBatch() {
        batchLeft = size();
    }

    @Override
    public Runnable next() {
        int n = size();
        if (batchLeft <= 0 || n == 0) {
            running = null;
            return null;
        }
        batchLeft--;
        Runnable r = take();
        running = r;
        spins = 0;
        poller.stepped(idOf(r), n);
        return r;
    }

    @Override
    public void threwWithoutSwitching() {
        if (++spins >= SPIN_LIMIT) {
            throw poller.livelock(idOf(running), spins);
        }
    }

    /** First ready, first run: a real hub's order. */
    static final class Fifo extends SimOrder {
        private final ArrayDeque<Runnable> queue = new ArrayDeque<>();

        Fifo(SimPoller poller) {
            super(poller);
        }

        @Override
        Runnable take() {
            return queue.pollFirst();
        }

        @Override
        public void add(Runnable callback) {
            poller.sim.fiberReady(idOf(callback), idOf(running));
            queue.addLast(callback);
        }

        @Override
        public boolean removeIfNext(Runnable callback) {
            if (queue.peekFirst() == callback) { // the inline start of a joined child, as on a real hub
                queue.pollFirst();
                return true;
            }
            return false;
        }

        @Override
        public boolean remove(Runnable callback) {
            return queue.removeLastOccurrence(callback);
        }

        @Override
        public int size() {
            return queue.size();
        }

        @Override
        public void clear() {
            queue.clear();
        }
    }

    /** An order that picks by index from a list kept in a deterministic order (insertion, swap removal). */
    abstract static class Picking extends SimOrder {
        final ArrayList<Runnable> list = new ArrayList<>();

        Picking(SimPoller poller) {
            super(poller);
        }

        abstract int choose();

        @Override
        Runnable take() {
            int i = choose();
            int last = list.size() - 1;
            Runnable r = list.get(i);
            list.set(i, list.get(last));
            list.remove(last);
            return r;
        }

        @Override
        public void add(Runnable callback) {
            poller.sim.fiberReady(idOf(callback), idOf(running));
            list.add(callback);
        }

        @Override
        public boolean removeIfNext(Runnable callback) {
            return false; // a joined child is not started inline: it runs when the order picks it
        }

        @Override
        public boolean remove(Runnable callback) {
            int i = list.lastIndexOf(callback);
            if (i < 0) {
                return false;
            }
            list.remove(i);
            return true;
        }

        @Override
        public int size() {
            return list.size();
        }

        @Override
        public void clear() {
            list.clear();
        }
    }

    /** A uniform seeded choice among the ready fibers. */
    static final class RandomOrder extends Picking {
        private final SplittableRandom rng;

        RandomOrder(SimPoller poller, SplittableRandom rng) {
            super(poller);
            this.rng = rng;
        }

        @Override
        int choose() {
            return list.size() == 1 ? 0 : rng.nextInt(list.size());
        }
    }

    /**
     * PCT (Burckhardt, Kothari, Musuvathi, Nagarakatte, ASPLOS 2010), with shuttle's refinements: each
     * fiber gets a random priority at or above d when first seen; d - 1 change points are drawn from
     * [1, k]; at the i-th, the running fiber's priority drops to i (below every initial one); the
     * ready fiber of highest priority runs. A fiber that yields (made ready again while it runs) drops
     * below every other, so a spinning yielder cannot starve the rest. Steps count only with two or
     * more ready fibers; {@link SimPoller#pctSteps()} reports the count, for the next run's k.
     */
    static final class Pct extends Picking {
        private final SplittableRandom rng;
        private final Map<Long, Long> priority = new HashMap<>();
        private final long[] changeAt;
        private final int depth;
        long steps;
        private long lowest;

        Pct(SimPoller poller, SplittableRandom rng, int depth, long k) {
            super(poller);
            this.rng = rng;
            this.depth = depth;
            this.changeAt = new long[depth - 1];
            for (int i = 0; i < changeAt.length; i++) {
                changeAt[i] = 1 + rng.nextLong(k);
            }
        }

        private long priorityOf(Runnable r) {
            return priority.computeIfAbsent(idOf(r), id -> depth + (rng.nextLong() >>> 2));
        }

        @Override
        public void add(Runnable callback) {
            if (callback == running) {
                priority.put(idOf(callback), --lowest); // it yielded: below every other
            }
            super.add(callback);
        }

        @Override
        int choose() {
            int n = list.size();
            if (n > 1) {
                steps++;
                for (int i = 0; i < changeAt.length; i++) {
                    if (changeAt[i] == steps && running != null) {
                        priority.put(idOf(running), (long) (i + 1));
                    }
                }
            }
            int best = 0;
            long bp = priorityOf(list.get(0));
            for (int i = 1; i < n; i++) {
                long p = priorityOf(list.get(i));
                if (p > bp) {
                    bp = p;
                    best = i;
                }
            }
            return best;
        }
    }
}
