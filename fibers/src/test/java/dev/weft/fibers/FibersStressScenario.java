package dev.weft.fibers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * The fibers stress scenario, on one hub: worker fibers do random operations on a queue, a
 * semaphore, a re-entrant lock, an event, child fibers and {@code imap}/{@code imapUnordered} runs
 * over a {@link Pool} and a {@link Group}, each under random short {@link Timeout}s, while a killer
 * fiber kills a random worker every millisecond (and a random imap worker, now and then a whole imap
 * group). {@link #finishAndCheck} checks the invariants: every item put is got exactly once, no
 * permit or lock is held, every worker's {@code finally} ran exactly once (killed ones included),
 * every imap run saw each item once (a value, or the cancellation of a killed worker), in order for
 * {@code imap}.
 *
 * <p>Used by {@code FibersStressTest} (one hub, with platform threads), {@code
 * CrossHubFibersStressTest} (on each hub of a group at once, with the cross-hub parts) and the sockets
 * module's {@code FibersStressSimTest} (virtual time: no platform threads, so deterministic per seed).
 * Optional parts: {@link PlatformThreads} (cross-thread results completed by platform threads, and
 * pool tasks that fail on purpose, reported to the hub's uncaught handler) and {@link CrossHub} (a
 * {@link SharedQueue} shared with another hub and platform threads; results and events set, and tasks
 * submitted, by the other hub).
 *
 * <p>Thread rule: make it, {@link #start()} and {@link #finishAndCheck} in fibers of the hub it runs on.
 */
public final class FibersStressScenario {
    /** Permits of the scenario's semaphore. */
    public static final int PERMITS = 3;
    private static final Pattern CANCELLED_ITEM = Pattern.compile("item (\\d+) of ");

    /** What a run counted, on its hub thread. */
    public static final class Books {
        final BitSet put = new BitSet();
        final BitSet got = new BitSet();
        int nextItem;
        public int workersStarted;
        public int finallies;
        int permitsHeld;
        int insideLock;
        public long ops;
        public long timeouts;
        public long kills;
        public long imapRuns;
        public long imapCompleted;
        public long imapCancellations;
        public long imapWorkerKills;
        /** Pool tasks that failed on purpose (each must reach the hub's uncaught handler once). */
        public long thrown;
        public long crossHubOps;
        final List<AsyncResult<Integer>> handedOut = new ArrayList<>();

        /** Items put into the hub's queue. */
        public int items() {
            return nextItem;
        }
    }

    /** Platform threads' part: results they complete (they take them from {@code toComplete}). */
    public record PlatformThreads(LinkedBlockingQueue<AsyncResult<Integer>> toComplete) {
    }

    /**
     * What two hubs (and platform threads) share: a {@link SharedQueue} and the books of its items, in
     * concurrent sets. {@link #drainAndCheck} at the end, once every hub's run has finished.
     */
    public static final class CrossHub {
        public final SharedQueue<Integer> queue = new SharedQueue<>(8);
        private final AtomicInteger nextItem = new AtomicInteger();
        private final Set<Integer> put = ConcurrentHashMap.newKeySet();
        private final Set<Integer> got = ConcurrentHashMap.newKeySet();

        /** A new item number, for a putter of any hub or thread. */
        public int nextItem() {
            return nextItem.getAndIncrement();
        }

        /** Records a put that returned. Any thread. */
        public void put(int item) {
            put.add(item);
        }

        /** Records a get; an item got twice is an error. Any thread. */
        public void got(int item) {
            if (!got.add(item)) {
                throw new AssertionError("shared item " + item + " got twice");
            }
        }

        /** Takes what is left in the queue and checks every item put was got exactly once. Any thread, at the end. */
        public void drainAndCheck(String replay) {
            for (Integer item; (item = queue.poll()) != null; ) {
                got(item);
            }
            assertEquals(new java.util.TreeSet<>(put), new java.util.TreeSet<>(got), "shared items lost or invented; " + replay);
        }

        /** Items put so far. */
        public int items() {
            return put.size();
        }
    }

    private final Random rnd;
    private final Books b = new Books();
    private final PlatformThreads threads;
    private final CrossHub crossHub;
    private final Hub otherHub;
    private final Queue<Integer> queue = new Queue<>(8);
    private final Semaphore semaphore = Semaphore.bounded(PERMITS);
    private final Lock lock = new Lock();
    private final Event event = new Event();
    private final Pool pool = new Pool(4);
    private final Pool imapPool = new Pool(3);
    private final Group imapGroup = new Group();
    private final List<Fiber<Void>> workers = new ArrayList<>();
    /** Killed ones included: each must end and run its finally. */
    private final List<Fiber<Void>> everyWorker = new ArrayList<>();
    private final int workerCount;
    private boolean stop;
    private Fiber<Void> killer;

    /**
     * A scenario of {@code workers} workers drawing from {@code seed}; {@code threads} and {@code
     * crossHub} (with the {@code otherHub} that shares it) may be null.
     */
    public FibersStressScenario(long seed, int workers, PlatformThreads threads, CrossHub crossHub, Hub otherHub) {
        this.rnd = new Random(seed);
        this.workerCount = workers;
        this.threads = threads;
        this.crossHub = crossHub;
        this.otherHub = otherHub;
    }

    /** What it counted. */
    public Books books() {
        return b;
    }

    /** Whether {@code t} is a failure the scenario provokes on purpose (in pool tasks). */
    public static boolean provoked(Throwable t) {
        return t instanceof StressFailure;
    }

    /** Starts the workers and the killer on the current hub. */
    public void start() {
        VoidTask body = () -> {
            b.workersStarted++;
            Random r = new Random(rnd.nextLong());
            try {
                while (!stop) {
                    b.ops++;
                    Timeout limit = r.nextInt(4) == 0 ? Timeout.after(Duration.ofNanos(r.nextInt(2_000_000))) : null;
                    try {
                        if (r.nextInt(12) >= 10) {
                            imapRound(r, r.nextBoolean() ? imapPool : imapGroup, r.nextBoolean());
                        } else {
                            operate(r);
                        }
                    } catch (FiberTimeoutException e) {
                        b.timeouts++;
                    } finally {
                        if (limit != null) {
                            limit.close();
                        }
                    }
                }
            } finally {
                b.finallies++;
            }
        };
        for (int i = 0; i < workerCount; i++) {
            workers.add(Fiber.spawn("worker-" + i, body));
        }
        everyWorker.addAll(workers);
        killer = Fiber.spawn("killer", () -> {
            while (!stop) {
                Fiber.sleep(1);
                int victim = rnd.nextInt(workers.size());
                workers.get(victim).kill();
                b.kills++;
                Fiber<Void> replacement = Fiber.spawn("worker-r" + b.kills, body);
                workers.set(victim, replacement);
                everyWorker.add(replacement);
                Group imaps = rnd.nextBoolean() ? imapPool : imapGroup;
                List<Fiber<?>> imapWorkers = imaps.fibers();
                if (rnd.nextInt(40) == 0) {
                    imaps.kill(); // every imap worker of it (Group.kill, Pool.kill)
                    b.imapWorkerKills += imapWorkers.size();
                } else if (!imapWorkers.isEmpty()) {
                    imapWorkers.get(rnd.nextInt(imapWorkers.size())).kill();
                    b.imapWorkerKills++;
                }
            }
        });
    }

    /**
     * Stops the killer and the workers, waits for every worker (killed ones included), the pools and
     * the cross-thread results, drains the queue and checks the invariants; {@code replay} goes into
     * every failure message.
     */
    public void finishAndCheck(String replay) {
        stop = true;
        killer.join();
        for (Fiber<Void> w : workers) {
            w.kill();
        }
        assertTrue(Fiber.joinAll(everyWorker, Duration.ofSeconds(30)), "workers (killed ones included) did not end; " + replay);
        assertTrue(pool.join(Duration.ofSeconds(10)), "pool tasks left running; " + replay);
        assertTrue(imapPool.join(Duration.ofSeconds(10)), "imap workers left running; " + replay);
        assertTrue(imapGroup.join(Duration.ofSeconds(10)), "imap workers left running; " + replay);
        if (threads != null) {
            for (AsyncResult<Integer> ar; (ar = threads.toComplete().poll()) != null; ) {
                ar.set(42);
            }
        }
        for (AsyncResult<Integer> ar : b.handedOut) {
            assertEquals(42, ar.get(Duration.ofSeconds(10)), "a cross-thread result never arrived; " + replay);
        }
        while (queue.size() > 0) {
            int item = queue.get();
            assertFalse(b.got.get(item), "item " + item + " got twice; " + replay);
            b.got.set(item);
        }
        assertEquals(b.put, b.got, "items lost or invented; " + replay);
        assertEquals(PERMITS, semaphore.available(), "permits leaked; " + replay);
        assertEquals(0, b.permitsHeld, replay);
        assertFalse(lock.isLocked(), "the lock is still held; " + replay);
        assertEquals(b.workersStarted, b.finallies, () -> "a worker's finally did not run exactly once; still alive: "
                + Hub.current().fibers().stream().filter(f -> f.name().startsWith("worker")).map(Fiber::toString).toList()
                + "; " + replay);
    }

    /** A failure the scenario provokes on purpose (in pool tasks). */
    private static final class StressFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StressFailure() {
            super("provoked", null, false, false);
        }
    }

    /** A failure an imap worker throws on purpose: handed to the consumer, which stops there. */
    private static final class ImapFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ImapFailure() {
            super("provoked in an imap worker", null, false, false);
        }
    }

    /**
     * One imap (or imapUnordered) run on {@code group}, consumed under random short Timeouts that are
     * caught and retried; killed workers show as CancellationExceptions naming their item. Checks: no
     * item twice, ordered mode in order, every item once at the end. May be killed or timed out (the
     * caller's Timeout) at any blocking call; then it checks what it saw so far.
     */
    private void imapRound(Random r, Group group, boolean ordered) {
        int n = 1 + r.nextInt(8);
        List<Integer> items = IntStream.range(0, n).boxed().toList();
        boolean failOne = r.nextInt(10) == 0;
        int failAt = r.nextInt(n);
        long seed = r.nextLong();
        FiberFunction<Integer, Integer> f = x -> {
            Fiber.sleep(new Random(seed + x).nextInt(3));
            if (failOne && x == failAt) {
                throw new ImapFailure();
            }
            return x;
        };
        IMap<Integer> it = ordered ? group.imap(f, items, 3) : group.imapUnordered(f, items, 3);
        b.imapRuns++;
        BitSet seen = new BitSet();
        int expectNext = 0;
        boolean close = r.nextBoolean();
        try {
            while (true) {
                Integer index;
                try (Timeout t = r.nextInt(3) == 0 ? Timeout.after(Duration.ofNanos(r.nextInt(1_000_000))) : null) {
                    try {
                        if (!it.hasNext()) {
                            break;
                        }
                        index = it.next();
                    } catch (CancellationException killed) {
                        Matcher m = CANCELLED_ITEM.matcher(String.valueOf(killed.getMessage()));
                        if (!m.find()) {
                            throw new AssertionError("a cancellation that names no item: " + killed);
                        }
                        index = Integer.parseInt(m.group(1));
                        b.imapCancellations++;
                    } catch (FiberTimeoutException e) {
                        if (t == null || !e.is(t)) {
                            throw e; // the operation's own limit: leave the iteration
                        }
                        continue; // ours: retry, nothing may be lost
                    }
                }
                if (seen.get(index)) {
                    throw new AssertionError("imap item " + index + " came twice");
                }
                seen.set(index);
                if (ordered && index != expectNext) {
                    throw new AssertionError("imap item " + index + " came where " + expectNext + " was due");
                }
                expectNext++;
            }
            if (seen.cardinality() != n) {
                throw new AssertionError("imap ended with " + seen.cardinality() + " of " + n + " items: " + seen);
            }
            b.imapCompleted++;
        } catch (ImapFailure expected) {
            // fail-fast: the iteration is over
        } finally {
            if (close) {
                it.close(); // else left as a break leaves it: its workers run out on their own
            }
        }
    }

    /** One random operation; may block, time out or be killed at any blocking call. */
    private void operate(Random r) throws Exception {
        int threadKinds = threads != null ? 2 : 0;
        int kind = r.nextInt(8 + threadKinds + (crossHub != null ? 5 : 0));
        if (kind >= 8 && kind < 8 + threadKinds) {
            if (kind == 8) {
                poolTask(r);
            } else {
                AsyncResult<Integer> ar = new AsyncResult<>();
                b.handedOut.add(ar);
                threads.toComplete().add(ar);
                if (ar.get() != 42) {
                    throw new AssertionError("wrong cross-thread value");
                }
            }
            return;
        }
        if (kind >= 8) {
            crossHubOperation(r, kind - 8 - threadKinds);
            return;
        }
        switch (kind) {
            case 0, 1 -> {
                int item = b.nextItem++;
                queue.put(item);
                b.put.set(item); // no switch between the put returning and this line
            }
            case 2, 3 -> {
                Integer item = queue.poll(Duration.ofNanos(r.nextInt(1_000_000)));
                if (item != null) {
                    if (b.got.get(item)) {
                        throw new AssertionError("item " + item + " got twice");
                    }
                    b.got.set(item);
                }
            }
            case 4 -> {
                semaphore.acquire();
                b.permitsHeld++;
                try {
                    if (b.permitsHeld > PERMITS) {
                        throw new AssertionError(b.permitsHeld + " permits held of " + PERMITS);
                    }
                    Fiber.sleep(r.nextInt(2));
                } finally {
                    b.permitsHeld--;
                    semaphore.release();
                }
            }
            case 5 -> {
                try (Lock.Held held = lock.lock()) {
                    b.insideLock++;
                    try {
                        if (b.insideLock > 1) {
                            throw new AssertionError(b.insideLock + " fibers inside the lock");
                        }
                        Fiber.yield();
                        try (Lock.Held again = lock.lock()) {
                            Fiber.yield();
                        }
                    } finally {
                        b.insideLock--;
                    }
                }
            }
            case 6 -> {
                if (r.nextBoolean()) {
                    event.set();
                    event.clear();
                } else {
                    event.await(Duration.ofNanos(r.nextInt(500_000)));
                }
            }
            default -> {
                Fiber<Integer> child = Fiber.spawn(() -> {
                    Fiber.sleep(r.nextInt(2));
                    return 3;
                });
                switch (r.nextInt(3)) {
                    case 0 -> {
                        if (child.get() != 3) {
                            throw new AssertionError("wrong child value");
                        }
                    }
                    case 1 -> child.kill();
                    default -> {
                        if (!child.join(Duration.ofMillis(5))) {
                            child.kill();
                        }
                    }
                }
            }
        }
    }

    private void poolTask(Random r) {
        boolean fail = r.nextInt(3) == 0;
        int sleep = r.nextInt(2);
        pool.spawn(() -> {
            Fiber.sleep(sleep);
            if (fail) {
                b.thrown++;
                throw new StressFailure();
            }
        });
    }

    /** The cross-hub parts: the shared queue, and a result, an event and a task across to the other hub. */
    private void crossHubOperation(Random r, int kind) throws Exception {
        b.crossHubOps++;
        switch (kind) {
            case 0 -> {
                int item = crossHub.nextItem();
                crossHub.queue.put(item);
                crossHub.put(item); // no switch between the put returning and this line
            }
            case 1 -> {
                Integer item = crossHub.queue.poll(Duration.ofNanos(r.nextInt(1_000_000)));
                if (item != null) {
                    crossHub.got(item);
                }
            }
            case 2 -> {
                AsyncResult<Integer> ar = new AsyncResult<>();
                b.handedOut.add(ar);
                otherHub.execute(() -> ar.set(42));
                if (ar.get() != 42) {
                    throw new AssertionError("wrong value from the other hub");
                }
            }
            case 3 -> {
                Event fromOther = new Event();
                otherHub.execute(fromOther::set);
                fromOther.await(Duration.ofNanos(r.nextInt(2_000_000)));
            }
            default -> {
                CompletableFuture<Integer> answer = otherHub.submit(() -> 9);
                if (Futures.await(answer) != 9) {
                    throw new AssertionError("wrong answer from the other hub");
                }
            }
        }
    }
}
