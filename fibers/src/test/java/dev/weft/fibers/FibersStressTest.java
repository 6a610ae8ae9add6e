package dev.weft.fibers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.testkit.StressRun;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A randomized, seeded stress test of the primitives on one hub ({@link FibersStressScenario} with
 * platform threads): worker fibers do random operations on queues, a semaphore, a lock, events,
 * child fibers, cross-thread {@link AsyncResult}s and {@code imap}/{@code imapUnordered} over a {@link Pool} and a {@link Group}, under random
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
    private static final int WORKERS = 60;

    @Test
    void primitivesSurviveRandomOperationsKillsAndTimeouts() throws Exception {
        StressRun stress = StressRun.pick();
        FibersStressScenario.Books[] books = new FibersStressScenario.Books[1];
        List<Throwable> unexpected = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicLong reported = new AtomicLong();
        List<CompletableFuture<Integer>> futures = java.util.Collections.synchronizedList(new ArrayList<>());
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
            hub.setUncaughtExceptionHandler((f, t) -> {
                if (FibersStressScenario.provoked(t)) {
                    reported.incrementAndGet();
                } else {
                    unexpected.add(t);
                }
            });
            FibersStressScenario scenario = new FibersStressScenario(stress.seed(), WORKERS,
                    new FibersStressScenario.PlatformThreads(toComplete), null, null);
            books[0] = scenario.books();

            // platform threads: complete results, submit tasks
            for (int t = 0; t < 2; t++) {
                long threadSeed = stress.seed() + 1 + t;
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
                                    futures.add(hub.submit(() -> {
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

            long start = System.nanoTime();
            scenario.start();
            Fiber.sleep(stress.length());
            stop.set(true);
            scenario.finishAndCheck(stress.replay());
            rate[0] = scenario.books().ops * 1_000_000_000L / (System.nanoTime() - start);
            long futuresDeadline = System.nanoTime() + 10_000_000_000L;
            for (CompletableFuture<Integer> f : List.copyOf(futures)) {
                while (!f.isDone() && System.nanoTime() < futuresDeadline) {
                    Fiber.sleep(1); // their fibers run on this hub: wait cooperatively
                }
                assertTrue(f.isDone(), "a submit future never completed; " + stress.replay());
            }
            Fiber.sleep(20); // children of killed workers end by themselves (they sleep at most 1 ms)
            // what may still run: fibers of tasks the platform threads keep submitting (they stop when the hub closes)
            for (Fiber<?> f : hub.fibers()) {
                assertTrue(f.name().equals("main") || f.name().startsWith("fiber-"), "left: " + f.describe() + "; " + stress.replay());
            }
        });
        FibersStressScenario.Books b = books[0];
        idleHub.join(10_000);
        idleHubPartner.join(10_000);
        assertEquals(0, lostWakeups.get(), "cross-thread results not seen for 2 s by an idle hub (lost wake-ups) in "
                + handOffs.get() + " hand-offs; " + stress.replay());
        for (Thread t : threads) {
            t.join(10_000);
            assertFalse(t.isAlive(), "a submitting thread was never told the hub closed; " + stress.replay());
        }
        for (CompletableFuture<Integer> f : List.copyOf(futures)) {
            assertTrue(f.isDone(), "a submit future never completed, even after the hub closed; " + stress.replay());
        }
        assertEquals(List.of(), List.copyOf(unexpected), "unexpected failures; " + stress.replay());
        assertEquals(b.thrown, reported.get(), "pool task failures thrown vs reported to the uncaught handler; " + stress.replay());
        assertTrue(b.ops > 1000 && b.kills > 10 && b.timeouts > 10,
                "the run did too little to mean anything: " + b.ops + " ops, " + b.kills + " kills, " + b.timeouts
                        + " timeouts; " + stress.replay());
        assertTrue(b.imapRuns > 50 && b.imapCompleted > 10 && b.imapCancellations > 0 && b.imapWorkerKills > 10,
                "the imap part did too little: " + b.imapRuns + " runs, " + b.imapCompleted + " completed, "
                        + b.imapCancellations + " cancellations, " + b.imapWorkerKills + " worker kills; " + stress.replay());
        stress.report(() -> "stress [" + Hub.run(() -> Hub.current().backendName()) + "]: " + stress.seconds() + " s, " + b.ops + " ops (" + rate[0] + "/s), " + b.kills + " kills, "
                    + b.timeouts + " timeouts, " + crossThreadCompletions.get() + " cross-thread completions, "
                    + futures.size() + " submits, " + handOffs.get() + " idle-hub hand-offs, " + b.imapRuns
                    + " imap runs (" + b.imapCompleted + " to the end, " + b.imapCancellations + " items of killed"
                    + " workers, " + b.imapWorkerKills + " imap worker kills); " + stress.replay());
    }
}
