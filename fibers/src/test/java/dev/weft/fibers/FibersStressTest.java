package dev.weft.fibers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A randomized, seeded stress test of the primitives on one hub: worker fibers do random operations
 * on queues, a semaphore, a lock, events, child fibers, cross-thread {@link AsyncResult}s and
 * {@code imap}/{@code imapUnordered} over a {@link Pool} and a {@link Group}, under random
 * {@link Timeout}s, while a killer fiber kills random workers, random imap workers and now and then a
 * whole group, and platform threads complete results and {@linkplain Hub#submit submit} tasks. At the
 * end it checks the invariants: every item put was got or is still queued (exactly once), permits and
 * lock ownership balance, every worker's {@code finally} ran once, every future and result completed,
 * no fiber is left. Each imap run checks its own: every item comes once (a value, or a cancellation
 * of a killed worker), in order for {@code imap}, all of them unless the consumer stopped early.
 *
 * <p>{@code -Dweft.stress.seconds=N} sets how long it runs (default 3; {@code ./weft stress} runs
 * 60), {@code -Dweft.stress.seed=S} replays a run: the seed is in every failure message.
 */
@org.junit.jupiter.api.Timeout(value = 30, unit = TimeUnit.MINUTES)
class FibersStressTest {
    private static final long SECONDS = Long.getLong("weft.stress.seconds", 3L);
    private static final int WORKERS = 60;
    private static final int PERMITS = 3;

    /** Everything the run records, on the hub thread only (except the cross-thread counters). */
    private static final class Books {
        final BitSet put = new BitSet();
        final BitSet got = new BitSet();
        int nextItem;
        int workersStarted;
        int finallies;
        int permitsHeld;
        int insideLock;
        long ops;
        long timeouts;
        long kills;
        long imapRuns;
        long imapCompleted;
        long imapCancellations;
        long imapWorkerKills;
        long thrown;
        long reported;
        final List<Throwable> unexpected = new ArrayList<>();
        final List<AsyncResult<Integer>> handedOut = new ArrayList<>();
        final List<CompletableFuture<Integer>> futures = java.util.Collections.synchronizedList(new ArrayList<>());
    }

    @Test
    void primitivesSurviveRandomOperationsKillsAndTimeouts() throws Exception {
        long seed = Long.getLong("weft.stress.seed", System.nanoTime());
        String replay = "seed " + seed + " (replay with -Dweft.stress.seed=" + seed + ")";
        Books b = new Books();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong crossThreadCompletions = new AtomicLong();
        LinkedBlockingQueue<AsyncResult<Integer>> toComplete = new LinkedBlockingQueue<>();
        List<Thread> threads = new ArrayList<>();
        long[] rate = new long[1];
        // A second hub that is idle between hand-offs, so that a lost cross-thread wake-up shows as a
        // result not seen for 2 s (on the busy hub a pending timer would mask it).
        AtomicLong handOffs = new AtomicLong();
        AtomicLong lostWakeups = new AtomicLong();
        java.util.concurrent.SynchronousQueue<AsyncResult<Long>> handOver = new java.util.concurrent.SynchronousQueue<>();
        Thread idleHub = Thread.ofPlatform().name("stress-idle-hub").start(() -> {
            try {
                Hub.run(() -> {
                    while (!stop.get()) {
                        AsyncResult<Long> r = new AsyncResult<>();
                        if (!handOver.offer(r, 100, TimeUnit.MILLISECONDS)) {
                            continue;
                        }
                        try {
                            r.get(Duration.ofSeconds(2));
                            handOffs.incrementAndGet();
                        } catch (FiberTimeoutException lost) {
                            lostWakeups.incrementAndGet();
                        }
                    }
                });
            } catch (Exception e) {
                lostWakeups.addAndGet(1_000_000);
            }
        });
        Thread idleHubPartner = Thread.ofPlatform().name("stress-idle-hub-partner").start(() -> {
            try {
                while (!stop.get()) {
                    AsyncResult<Long> r = handOver.poll(100, TimeUnit.MILLISECONDS);
                    if (r != null) {
                        r.set(1L);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });

        Hub.run(() -> {
            Hub hub = Hub.current();
            Random rnd = new Random(seed);
            Queue<Integer> queue = new Queue<>(8);
            Semaphore semaphore = Semaphore.bounded(PERMITS);
            Lock lock = new Lock();
            Event event = new Event();
            Pool pool = new Pool(4);
            Pool imapPool = new Pool(3);
            Group imapGroup = new Group();
            List<Fiber<Void>> workers = new ArrayList<>();
            hub.setUncaughtExceptionHandler((f, t) -> {
                if (t instanceof StressFailure) {
                    b.reported++;
                } else {
                    b.unexpected.add(t);
                }
            });

            // platform threads: complete results, submit tasks that touch the queue
            for (int t = 0; t < 2; t++) {
                long threadSeed = seed + 1 + t;
                threads.add(Thread.ofPlatform().name("stress-completer-" + t).start(() -> {
                    Random r = new Random(threadSeed);
                    try {
                        while (true) { // until the hub rejects a submit: it has closed
                            AsyncResult<Integer> ar = toComplete.poll(1, TimeUnit.MILLISECONDS);
                            if (ar != null) {
                                ar.set(42);
                                crossThreadCompletions.incrementAndGet();
                            }
                            if (r.nextInt(8) == 0) {
                                try {
                                    b.futures.add(hub.submit(() -> {
                                        Fiber.sleep(r.nextInt(2));
                                        return 7;
                                    }));
                                } catch (java.util.concurrent.RejectedExecutionException closing) {
                                    return;
                                }
                            }
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
            }

            VoidTask[] body = new VoidTask[1];
            body[0] = () -> {
                b.workersStarted++;
                Random r = new Random(rnd.nextLong());
                try {
                    while (!stop.get()) {
                        b.ops++;
                        Timeout limit = r.nextInt(4) == 0 ? Timeout.after(Duration.ofNanos(r.nextInt(2_000_000))) : null;
                        try {
                            if (r.nextInt(12) >= 10) {
                                imapRound(r, b, r.nextBoolean() ? imapPool : imapGroup, r.nextBoolean());
                            } else {
                                operate(r, b, queue, semaphore, lock, event, pool, toComplete);
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
            for (int i = 0; i < WORKERS; i++) {
                workers.add(Fiber.spawn("worker-" + i, body[0]));
            }
            Fiber<Void> killer = Fiber.spawn("killer", () -> {
                while (!stop.get()) {
                    Fiber.sleep(1);
                    int victim = rnd.nextInt(workers.size());
                    Fiber<Void> w = workers.get(victim);
                    w.kill();
                    b.kills++;
                    workers.set(victim, Fiber.spawn("worker-r" + b.kills, body[0]));
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
            long start = System.nanoTime();
            Fiber.sleep(Duration.ofSeconds(SECONDS));
            stop.set(true);
            killer.join();
            for (Fiber<Void> w : workers) {
                w.kill();
            }
            assertTrue(Fiber.joinAll(workers, Duration.ofSeconds(30)), "workers did not end; " + replay);
            rate[0] = b.ops * 1_000_000_000L / (System.nanoTime() - start);
            assertTrue(pool.join(Duration.ofSeconds(10)), replay);
            assertTrue(imapPool.join(Duration.ofSeconds(10)), "imap workers left running; " + replay);
            assertTrue(imapGroup.join(Duration.ofSeconds(10)), "imap workers left running; " + replay);
            // results handed to the platform threads: all complete
            for (AsyncResult<Integer> ar; (ar = toComplete.poll()) != null; ) {
                ar.set(42);
            }
            for (AsyncResult<Integer> ar : b.handedOut) {
                assertEquals(42, ar.get(Duration.ofSeconds(10)), "a cross-thread result never arrived; " + replay);
            }
            // drain: each item is got at most once, and everything put is got or still queued
            while (queue.size() > 0) {
                int item = queue.get();
                assertFalse(b.got.get(item), "item " + item + " got twice; " + replay);
                b.got.set(item);
            }
            assertEquals(b.put, b.got, "items lost or invented; " + replay);
            assertEquals(PERMITS, semaphore.available(), "permits leaked; " + replay);
            assertEquals(0, b.permitsHeld, replay);
            assertFalse(lock.isLocked(), "the lock is still held; " + replay);
            assertEquals(b.workersStarted, b.finallies, "a worker's finally did not run exactly once; " + replay);
            long futuresDeadline = System.nanoTime() + 10_000_000_000L;
            for (CompletableFuture<Integer> f : List.copyOf(b.futures)) {
                while (!f.isDone() && System.nanoTime() < futuresDeadline) {
                    Fiber.sleep(1); // their fibers run on this hub: wait cooperatively
                }
                assertTrue(f.isDone(), "a submit future never completed; " + replay);
            }
            Fiber.sleep(20); // children of killed workers end by themselves (they sleep at most 1 ms)
            // what may still run: fibers of tasks the platform threads keep submitting (they stop when the hub closes)
            for (Fiber<?> f : hub.fibers()) {
                assertTrue(f.name().equals("main") || f.name().startsWith("fiber-"), "left: " + f.describe() + "; " + replay);
            }
        });
        idleHub.join(10_000);
        idleHubPartner.join(10_000);
        assertEquals(0, lostWakeups.get(), "cross-thread results not seen for 2 s by an idle hub (lost wake-ups) in "
                + handOffs.get() + " hand-offs; " + replay);
        for (Thread t : threads) {
            t.join(10_000);
            assertFalse(t.isAlive(), "a submitting thread was never told the hub closed; " + replay);
        }
        for (CompletableFuture<Integer> f : List.copyOf(b.futures)) {
            assertTrue(f.isDone(), "a submit future never completed, even after the hub closed; " + replay);
        }
        assertEquals(List.of(), b.unexpected, "unexpected failures; " + replay);
        assertEquals(b.thrown, b.reported, "pool task failures thrown vs reported to the uncaught handler; " + replay);
        assertTrue(b.ops > 1000 && b.kills > 10 && b.timeouts > 10,
                "the run did too little to mean anything: " + b.ops + " ops, " + b.kills + " kills, " + b.timeouts
                        + " timeouts; " + replay);
        assertTrue(b.imapRuns > 50 && b.imapCompleted > 10 && b.imapCancellations > 0 && b.imapWorkerKills > 10,
                "the imap part did too little: " + b.imapRuns + " runs, " + b.imapCompleted + " completed, "
                        + b.imapCancellations + " cancellations, " + b.imapWorkerKills + " worker kills; " + replay);
        if (System.getProperty("weft.stress.seconds") != null) { // ./weft stress: say what it did
            System.out.println("stress [" + Hub.run(() -> Hub.current().backendName()) + "]: " + SECONDS + " s, " + b.ops + " ops (" + rate[0] + "/s), " + b.kills + " kills, "
                        + b.timeouts + " timeouts, " + crossThreadCompletions.get() + " cross-thread completions, "
                        + b.futures.size() + " submits, " + handOffs.get() + " idle-hub hand-offs, " + b.imapRuns
                        + " imap runs (" + b.imapCompleted + " to the end, " + b.imapCancellations + " items of killed"
                        + " workers, " + b.imapWorkerKills + " imap worker kills); " + replay);
        }
    }

    /** A failure the test provokes on purpose (in pool tasks). */
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

    private static final java.util.regex.Pattern CANCELLED_ITEM = java.util.regex.Pattern.compile("item (\\d+) of ");

    /**
     * One imap (or imapUnordered) run on {@code group}, consumed under random short Timeouts that are
     * caught and retried; killed workers show as CancellationExceptions. Checks: no item twice, ordered
     * mode in order, every item once at the end. May be killed or timed out (the caller's Timeout) at
     * any blocking call; then it checks what it saw so far.
     */
    private static void imapRound(Random r, Books b, Group group, boolean ordered) {
        int n = 1 + r.nextInt(8);
        List<Integer> items = java.util.stream.IntStream.range(0, n).boxed().toList();
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
                Integer index = null;
                try (Timeout t = r.nextInt(3) == 0 ? Timeout.after(Duration.ofNanos(r.nextInt(1_000_000))) : null) {
                    try {
                        if (!it.hasNext()) {
                            break;
                        }
                        index = it.next();
                    } catch (java.util.concurrent.CancellationException killed) {
                        java.util.regex.Matcher m = CANCELLED_ITEM.matcher(String.valueOf(killed.getMessage()));
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
    private static void operate(Random r, Books b, Queue<Integer> queue, Semaphore semaphore, Lock lock,
                                Event event, Pool pool, LinkedBlockingQueue<AsyncResult<Integer>> toComplete) {
        switch (r.nextInt(10)) {
            case 9 -> {
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
                AsyncResult<Integer> ar = new AsyncResult<>();
                b.handedOut.add(ar);
                toComplete.add(ar);
                if (ar.get() != 42) {
                    throw new AssertionError("wrong cross-thread value");
                }
            }
            case 7 -> {
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
}
