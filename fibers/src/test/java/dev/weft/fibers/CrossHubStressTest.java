package dev.weft.fibers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.testkit.StressRun;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Issue 24: a randomized, seeded stress test of hand-off across the two hubs of a group and two
 * platform threads. Putters and getters on both hubs and on the threads share small
 * {@link SharedQueue}s under random {@link Timeout}s and timed offers and polls, while a killer
 * fiber on each hub kills its hub's workers mid-wait; cross-hub {@link AsyncResult}s,
 * {@link Event#set()} and {@link Hub#submit} from hub to hub run meanwhile. Invariants: every item
 * whose put returned is got exactly once (or is still queued at the end), no item whose put failed
 * is ever got, every worker's {@code finally} runs once, every cross-hub result and submit arrives.
 *
 * <p>{@code -Dweft.stress.seconds=N} sets how long it runs (default 3), {@code -Dweft.stress.seed=S}
 * replays a run's choices (thread timing is not replayed).
 */
@org.junit.jupiter.api.Timeout(value = 30, unit = TimeUnit.MINUTES)
class CrossHubStressTest {
    private static final int MAX_ITEMS = 50_000_000;
    private static final int WORKERS_PER_HUB = 30;

    private static final class Books {
        final AtomicInteger nextItem = new AtomicInteger();
        /** Per item: 1 put returned, 2 put failed. */
        final AtomicIntegerArray putOutcome = new AtomicIntegerArray(MAX_ITEMS);
        final AtomicIntegerArray got = new AtomicIntegerArray(MAX_ITEMS);
        final AtomicLong ops = new AtomicLong();
        final AtomicLong kills = new AtomicLong();
        final AtomicLong timeouts = new AtomicLong();
        final AtomicLong crossResults = new AtomicLong();
        final AtomicInteger workersStarted = new AtomicInteger();
        final AtomicInteger finallies = new AtomicInteger();
        final ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
    }

    @Test
    void handOffAcrossHubsAndThreadsLosesAndDuplicatesNothingUnderKillsAndTimeouts() throws Exception {
        StressRun stress = StressRun.pick();
        Books b = new Books();
        List<SharedQueue<Integer>> queues = List.of(new SharedQueue<>(1), new SharedQueue<>(4), new SharedQueue<>(16));
        AtomicBoolean stop = new AtomicBoolean();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(stress.seconds());
        List<Thread> threads = new ArrayList<>();
        try (HubGroup group = HubGroup.start(2)) {
            List<CompletableFuture<Void>> hubsDone = new ArrayList<>();
            for (int h = 0; h < 2; h++) {
                long hubSeed = stress.seed() + h;
                int other = 1 - h;
                hubsDone.add(group.spawnOn(h, () -> {
                    runHub(group, other, new Random(hubSeed), b, queues, end);
                    return null;
                }));
            }
            for (int t = 0; t < 2; t++) {
                long threadSeed = stress.seed() + 10 + t;
                threads.add(Thread.ofPlatform().name("stress-thread-" + t).start(() -> {
                    Random r = new Random(threadSeed);
                    while (!stop.get()) {
                        try {
                            operate(r, b, queues);
                        } catch (Throwable e) {
                            b.unexpected.add(e);
                        }
                    }
                }));
            }
            for (CompletableFuture<Void> done : hubsDone) {
                done.get(stress.seconds() + 60, TimeUnit.SECONDS);
            }
            stop.set(true);
            for (Thread t : threads) {
                t.join(30_000);
            }
        }
        for (SharedQueue<Integer> q : queues) {
            q.close();
            Integer left;
            while ((left = q.poll()) != null) {
                record(b, left);
            }
        }
        assertEquals(List.of(), List.copyOf(b.unexpected), "unexpected failures; " + stress.replay());
        int items = b.nextItem.get();
        for (int i = 0; i < items; i++) {
            int outcome = b.putOutcome.get(i);
            int got = b.got.get(i);
            if (outcome == 1) {
                assertEquals(1, got, "item " + i + " was put and got " + got + " times; " + stress.replay());
            } else {
                assertEquals(0, got, "item " + i + " whose put failed (" + outcome + ") was got " + got + " times; " + stress.replay());
            }
        }
        assertEquals(b.workersStarted.get(), b.finallies.get(), "every worker's finally ran once; " + stress.replay());
        assertTrue(b.ops.get() > 5_000 && b.kills.get() > 10 && b.timeouts.get() > 10 && b.crossResults.get() > 10,
                "the run did too little: " + b.ops + " ops, " + b.kills + " kills, " + b.timeouts + " timeouts, "
                        + b.crossResults + " cross-hub results; " + stress.replay());
        stress.report(() -> "cross-hub stress: " + stress.seconds() + " s, " + b.ops + " ops, " + items + " items, " + b.kills
                + " kills, " + b.timeouts + " timeouts, " + b.crossResults + " cross-hub results; " + stress.replay());
    }

    /** One hub's part: workers, a killer, cross-hub results and submits, until {@code end}. */
    private static void runHub(HubGroup group, int other, Random r, Books b, List<SharedQueue<Integer>> queues, long end) throws Exception {
        List<Fiber<Void>> workers = new ArrayList<>();
        Hub.current().setUncaughtExceptionHandler((f, t) -> b.unexpected.add(t));
        for (int w = 0; w < WORKERS_PER_HUB; w++) {
            workers.add(newWorker(new Random(r.nextLong()), b, queues, end));
        }
        while (System.nanoTime() < end) {
            Fiber.sleep(Duration.ofMillis(r.nextInt(3)));
            int i = r.nextInt(workers.size());
            Fiber<Void> victim = workers.get(i);
            if (r.nextInt(3) == 0 && !victim.isDone()) {
                victim.kill();
                b.kills.incrementAndGet();
            }
            if (victim.isDone()) {
                workers.set(i, newWorker(new Random(r.nextLong()), b, queues, end));
            }
            // a result completed by the other hub, and a submit from hub to hub
            AsyncResult<Integer> result = new AsyncResult<>();
            Event seen = new Event();
            int n = r.nextInt(1000);
            Futures.await(group.spawnOn(other, () -> {
                result.set(n);
                seen.set();
                return null;
            }));
            if (result.get(Duration.ofSeconds(10)) != n || !seen.await(Duration.ofSeconds(10))) {
                throw new AssertionError("a cross-hub result or event did not arrive");
            }
            b.crossResults.incrementAndGet();
        }
        // workers still waiting in an untimed get or put (nobody else will come) end by a kill
        if (!Fiber.killAll(workers, Duration.ofSeconds(30))) {
            throw new AssertionError("workers did not end within 30 s of their kill");
        }
    }

    private static Fiber<Void> newWorker(Random r, Books b, List<SharedQueue<Integer>> queues, long end) throws Exception {
        b.workersStarted.incrementAndGet();
        return Fiber.spawn(() -> {
            try {
                while (System.nanoTime() < end) {
                    try {
                        operate(r, b, queues);
                    } catch (FiberTimeoutException expected) {
                        b.timeouts.incrementAndGet();
                    }
                }
            } finally {
                b.finallies.incrementAndGet();
            }
        });
    }

    /** One random operation; in a fiber under a random Timeout now and then. */
    private static void operate(Random r, Books b, List<SharedQueue<Integer>> queues) {
        SharedQueue<Integer> q = queues.get(r.nextInt(queues.size()));
        b.ops.incrementAndGet();
        boolean inFiber = Fiber.inFiber();
        Timeout timeout = inFiber && r.nextInt(4) == 0 ? Timeout.after(Duration.ofNanos(r.nextInt(2_000_000))) : null;
        try {
            switch (r.nextInt(inFiber ? 4 : 3)) { // a thread never waits without a limit: nobody would kill it
                case 0 -> put(b, q, r, inFiber ? false : true);
                case 1 -> put(b, q, r, true);
                case 2 -> {
                    Integer item = q.poll(Duration.ofNanos(r.nextInt(3_000_000)));
                    if (item != null) {
                        record(b, item);
                    } else {
                        b.timeouts.incrementAndGet();
                    }
                }
                default -> record(b, q.get());
            }
        } finally {
            if (timeout != null) {
                timeout.close();
            }
        }
    }

    private static void put(Books b, SharedQueue<Integer> q, Random r, boolean timed) {
        int item = b.nextItem.getAndIncrement();
        boolean added = false;
        try {
            added = timed ? q.offer(item, Duration.ofNanos(r.nextInt(3_000_000))) : putReturning(q, item);
        } finally {
            b.putOutcome.set(item, added ? 1 : 2);
        }
    }

    private static boolean putReturning(SharedQueue<Integer> q, int item) {
        q.put(item);
        return true;
    }

    private static void record(Books b, int item) {
        b.got.incrementAndGet(item);
    }
}
