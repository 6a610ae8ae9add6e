package dev.weft.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.fibers.Fiber;
import dev.weft.fibers.FiberTimeoutException;
import dev.weft.fibers.Hub;
import dev.weft.fibers.NotInFiberException;
import dev.weft.fibers.Timeout;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ThreadPool#offload}'s limits (issue 16 item 8): a withdrawn call never starts, nothing
 * starts after {@code Hub.run} returned, the queue is bounded, and 200,000 hand-offs lose nothing.
 */
@org.junit.jupiter.api.Timeout(120)
class ThreadPoolLimitsTest {

    @AfterEach
    void restoreProperties() {
        System.clearProperty("weft.offload.threads");
        System.clearProperty("weft.offload.queue");
    }

    @Test
    void offloadOutsideAFiberThrowsBeforeRunningTheCall() throws Exception {
        AtomicBoolean ran = new AtomicBoolean();
        Hub hub = Hub.open(null);
        try {
            // on the hub thread, but not in a fiber
            assertThrows(NotInFiberException.class, () -> ThreadPool.offload(() -> ran.getAndSet(true)));
        } finally {
            hub.close();
        }
        assertThrows(NotInFiberException.class, () -> ThreadPool.offload(() -> ran.getAndSet(true)));
        TimeUnit.MILLISECONDS.sleep(50);
        assertFalse(ran.get(), "the call must not run");
    }

    @Test
    void aKilledCallersQueuedCallIsWithdrawnAndNeverStarts() throws Exception {
        System.setProperty("weft.offload.threads", "1");
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean secondStarted = new AtomicBoolean();
        Hub.run(() -> {
            Fiber<String> first = Fiber.spawn("first", () -> ThreadPool.offload(() -> {
                release.await(10, TimeUnit.SECONDS); // holds the only thread
                return "first";
            }));
            Fiber<Boolean> second = Fiber.spawn("second", () -> ThreadPool.offload(() -> secondStarted.getAndSet(true)));
            Fiber.sleep(Duration.ofMillis(20)); // both are waiting; the second call is queued
            assertTrue(second.kill(Duration.ofSeconds(1)));
            release.countDown();
            assertEquals("first", first.get());
            // a later call runs on the freed thread: the withdrawn one would have run before it
            assertEquals("third", ThreadPool.offload(() -> "third"));
            return null;
        });
        assertFalse(secondStarted.get(), "the killed caller's call was withdrawn from the queue");
    }

    @Test
    void aTimedOutCallersQueuedCallIsWithdrawn() throws Exception {
        System.setProperty("weft.offload.threads", "1");
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean started = new AtomicBoolean();
        Hub.run(() -> {
            Fiber<String> first = Fiber.spawn("first", () -> ThreadPool.offload(() -> {
                release.await(10, TimeUnit.SECONDS);
                return "first";
            }));
            Fiber.yield();
            try (Timeout t = Timeout.after(Duration.ofMillis(30))) {
                assertThrows(FiberTimeoutException.class, () -> ThreadPool.offload(() -> started.getAndSet(true)));
            }
            release.countDown();
            first.get();
            assertEquals("after", ThreadPool.offload(() -> "after"));
            return null;
        });
        assertFalse(started.get());
    }

    @Test
    void nothingStartsAfterHubRunReturned() throws Exception {
        System.setProperty("weft.offload.threads", "2");
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean hubReturned = new AtomicBoolean();
        AtomicInteger startedLate = new AtomicInteger();
        AtomicInteger started = new AtomicInteger();
        Hub.run(() -> {
            for (int i = 0; i < 50; i++) {
                Fiber.spawn("caller-" + i, () -> ThreadPool.offload(() -> {
                    started.incrementAndGet();
                    if (hubReturned.get()) {
                        startedLate.incrementAndGet();
                    }
                    release.await(10, TimeUnit.SECONDS);
                    return null;
                }));
            }
            Fiber.sleep(Duration.ofMillis(50)); // 2 running, 48 queued; main returns: the hub kills the callers
            return null;
        });
        hubReturned.set(true);
        release.countDown();
        TimeUnit.MILLISECONDS.sleep(200); // time for a queued call to start, if one were left
        assertEquals(0, startedLate.get(), "calls started after Hub.run returned");
        assertEquals(2, started.get(), "only the two that were running when the hub closed");
    }

    @Test
    void theQueueIsBoundedAndAFullQueueIsAClearRejection() throws Exception {
        System.setProperty("weft.offload.threads", "1");
        System.setProperty("weft.offload.queue", "2");
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<RejectedExecutionException> rejected = new AtomicReference<>();
        Hub.run(() -> {
            for (int i = 0; i < 3; i++) { // one runs, two queue
                Fiber.spawn("caller-" + i, () -> ThreadPool.offload(() -> release.await(10, TimeUnit.SECONDS)));
            }
            Fiber.sleep(Duration.ofMillis(20));
            rejected.set(assertThrows(RejectedExecutionException.class, () -> ThreadPool.offload(() -> 1)));
            release.countDown();
            return null;
        });
        String m = rejected.get().getMessage();
        assertTrue(m.contains("2") && m.contains("weft.offload.queue"), m);
    }

    @Test
    void twoHundredThousandOffloadsInARowLoseNoWakeUp() throws Exception {
        long sum = Hub.run(() -> {
            long s = 0;
            for (int i = 0; i < 200_000; i++) {
                s += ThreadPool.offload(() -> 1);
            }
            return s;
        });
        assertEquals(200_000, sum);
    }

    @Test
    void aCallThatOutlivesItsHubCompletesQuietlyAndExecuteFromItsThreadIsRejected() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch finished = new CountDownLatch(1);
        AtomicReference<Hub> hub = new AtomicReference<>();
        AtomicReference<Throwable> fromExecute = new AtomicReference<>();
        AtomicReference<Throwable> poolThreadDied = new AtomicReference<>();
        Thread.UncaughtExceptionHandler saved = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> poolThreadDied.set(e));
        try {
            Hub.run(() -> {
                hub.set(Hub.current());
                Fiber.spawn("caller", () -> ThreadPool.offload(() -> {
                    release.await(10, TimeUnit.SECONDS); // still running when Hub.run returns
                    try {
                        hub.get().execute(() -> { });
                    } catch (Throwable e) {
                        fromExecute.set(e);
                    }
                    finished.countDown();
                    return "late"; // its completion races the closed hub: dropped, not thrown
                }));
                Fiber.sleep(Duration.ofMillis(20));
                return null; // the hub kills the caller and closes
            });
            release.countDown();
            assertTrue(finished.await(10, TimeUnit.SECONDS));
            TimeUnit.MILLISECONDS.sleep(50); // the pool thread completes the result after the latch
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(saved);
        }
        assertTrue(fromExecute.get() instanceof RejectedExecutionException, String.valueOf(fromExecute.get()));
        assertEquals(null, poolThreadDied.get(), "nothing was thrown on the pool thread");
    }
}
