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
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The fibers stress scenario ({@link FibersStressScenario}) across two hubs plus platform threads
 * (issue 24): each hub of a {@link HubGroup} runs the whole scenario on its own single-hub primitives
 * at once, and its workers also use what crosses hubs: a {@link SharedQueue} shared by both hubs and
 * two platform threads (puts and timed polls), {@link AsyncResult}s and {@link Event}s set by the other
 * hub, and {@link Hub#submit} to the other hub; the platform threads also complete results and put
 * and poll the shared queue. Invariants unchanged: on each hub every item once, no permit or lock
 * held, every worker's {@code finally} once (killed ones included), every imap item once; across hubs
 * every shared item got exactly once (by a fiber of either hub or a thread), no failure reaches a
 * hub's uncaught handler but the provoked ones, each of those exactly once.
 *
 * <p>{@code -Dweft.stress.seconds=N} (default 3; {@code ./weft stress} runs 60), {@code
 * -Dweft.stress.seed=S} replays the draws (the threads' timing is not replayable).
 */
@org.junit.jupiter.api.Timeout(value = 30, unit = TimeUnit.MINUTES)
class CrossHubFibersStressTest {
    private static final int WORKERS_PER_HUB = 30;

    @Test
    void twoHubsAndPlatformThreadsKeepEveryInvariantUnderKillsAndTimeouts() throws Exception {
        StressRun stress = StressRun.pick();
        FibersStressScenario.CrossHub shared = new FibersStressScenario.CrossHub();
        LinkedBlockingQueue<AsyncResult<Integer>> toComplete = new LinkedBlockingQueue<>();
        ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
        AtomicLong reported = new AtomicLong();
        AtomicLong threadOps = new AtomicLong();
        AtomicBoolean threadsStop = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        List<FibersStressScenario.Books> books = new ArrayList<>();
        try (HubGroup group = HubGroup.start(2)) {
            for (int t = 0; t < 2; t++) {
                long threadSeed = stress.seed() + 100 + t;
                threads.add(Thread.ofPlatform().name("stress-thread-" + t).start(() -> {
                    Random r = new Random(threadSeed);
                    try {
                        while (!threadsStop.get()) {
                            AsyncResult<Integer> ar = toComplete.poll(1, TimeUnit.MILLISECONDS);
                            if (ar != null) {
                                ar.set(42);
                            }
                            if (r.nextBoolean()) {
                                int item = shared.nextItem();
                                if (shared.queue.offer(item, Duration.ofNanos(r.nextInt(1_000_000)))) {
                                    shared.put(item);
                                }
                            } else {
                                Integer item = shared.queue.poll(Duration.ofNanos(r.nextInt(1_000_000)));
                                if (item != null) {
                                    shared.got(item);
                                }
                            }
                            threadOps.incrementAndGet();
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } catch (Throwable t2) {
                        unexpected.add(t2);
                    }
                }));
            }
            List<CompletableFuture<FibersStressScenario.Books>> runs = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                int index = i;
                runs.add(group.spawnOn(i, () -> {
                    Hub.current().setUncaughtExceptionHandler((f, t) -> {
                        if (FibersStressScenario.provoked(t)) {
                            reported.incrementAndGet();
                        } else {
                            unexpected.add(t);
                        }
                    });
                    FibersStressScenario scenario = new FibersStressScenario(stress.seed() + index, WORKERS_PER_HUB,
                            new FibersStressScenario.PlatformThreads(toComplete), shared, group.hubs().get(1 - index));
                    scenario.start();
                    Fiber.sleep(stress.length());
                    scenario.finishAndCheck("hub " + index + ", " + stress.replay());
                    return scenario.books();
                }));
            }
            for (CompletableFuture<FibersStressScenario.Books> run : runs) {
                books.add(run.get(5, TimeUnit.MINUTES));
            }
            threadsStop.set(true);
            for (Thread t : threads) {
                t.join(10_000);
                assertFalse(t.isAlive(), "a platform thread did not stop; " + stress.replay());
            }
        }
        shared.drainAndCheck(stress.replay());
        assertEquals(List.of(), List.copyOf(unexpected), "unexpected failures; " + stress.replay());
        long thrown = books.stream().mapToLong(b -> b.thrown).sum();
        assertEquals(thrown, reported.get(), "pool task failures thrown vs reported to the uncaught handlers; " + stress.replay());
        for (int i = 0; i < 2; i++) {
            FibersStressScenario.Books b = books.get(i);
            assertTrue(b.ops > 1000 && b.kills > 10 && b.timeouts > 10 && b.crossHubOps > 100 && b.imapRuns > 50
                    && b.imapCancellations > 0, "hub " + i + " did too little: " + b.ops + " ops, " + b.kills + " kills, "
                    + b.timeouts + " timeouts, " + b.crossHubOps + " cross-hub ops, " + b.imapRuns + " imap runs; " + stress.replay());
        }
        assertTrue(shared.items() > 100 && threadOps.get() > 100, "the shared queue saw too little: " + shared.items()
                + " items, " + threadOps.get() + " thread operations; " + stress.replay());
        stress.report(() -> "stress across 2 hubs [" + Hub.run(() -> Hub.current().backendName()) + "]: " + stress.seconds()
                + " s, per hub " + books.stream().map(b -> b.ops + " ops/" + b.kills + " kills/" + b.crossHubOps
                + " cross-hub").toList() + ", " + shared.items() + " shared items, " + threadOps.get()
                + " thread operations; " + stress.replay());
    }
}
