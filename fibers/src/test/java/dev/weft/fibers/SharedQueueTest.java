package dev.weft.fibers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Issue 24, item 3: a bounded queue shared by fibers of different hubs and platform threads. */
@org.junit.jupiter.api.Timeout(60)
class SharedQueueTest {

    @Test
    void fibersOnTwoHubsHandOverInOrderThroughABoundedQueue() throws Exception {
        SharedQueue<Integer> q = new SharedQueue<>(4);
        try (HubGroup group = HubGroup.start(2)) {
            CompletableFuture<List<Integer>> got = group.spawnOn(1, () -> {
                List<Integer> items = new ArrayList<>();
                for (int i = 0; i < 20_000; i++) {
                    items.add(q.get());
                }
                return items;
            });
            group.spawnOn(0, () -> {
                for (int i = 0; i < 20_000; i++) {
                    q.put(i);
                }
                return null;
            }).get(30, TimeUnit.SECONDS);
            List<Integer> items = got.get(30, TimeUnit.SECONDS);
            for (int i = 0; i < items.size(); i++) {
                assertEquals(i, items.get(i));
            }
            assertEquals(20_000, items.size());
        }
    }

    @Test
    void anIdleHubWakesForEveryPutOfAThreadWithNoWakeUpLost() throws Exception {
        SharedQueue<Integer> toHub = new SharedQueue<>(1);
        SharedQueue<Integer> back = new SharedQueue<>(1);
        try (HubGroup group = HubGroup.start(1)) {
            // the hub has no timers and nothing else to do: a lost wake-up would leave it asleep for good
            CompletableFuture<Void> echo = group.spawnOn(0, () -> {
                for (int i = 0; i < 5_000; i++) {
                    back.put(toHub.get() + 1);
                }
                return null;
            });
            for (int i = 0; i < 5_000; i++) {
                toHub.put(i);
                assertEquals(i + 1, back.get());
            }
            echo.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aThreadGetterBlocksUntilAFiberPuts() throws Exception {
        SharedQueue<String> q = new SharedQueue<>(2);
        try (HubGroup group = HubGroup.start(1)) {
            CompletableFuture<String> taken = CompletableFuture.supplyAsync(q::get);
            group.spawnOn(0, () -> {
                q.put("from a fiber");
                return null;
            }).get(10, TimeUnit.SECONDS);
            assertEquals("from a fiber", taken.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void aKilledOrTimedOutGetterTakesNothing() throws Exception {
        SharedQueue<String> q = new SharedQueue<>(2);
        try (HubGroup group = HubGroup.start(2)) {
            String seen = group.spawnOn(1, () -> {
                Fiber<String> getter = Fiber.spawn(() -> q.get());
                Fiber.yield(); // the getter runs until it parks in get
                getter.kill(Duration.ofSeconds(5));
                String timedOut;
                try (Timeout t = Timeout.after(Duration.ofMillis(20))) {
                    timedOut = q.get();
                } catch (FiberTimeoutException expected) {
                    timedOut = "timed out";
                }
                return getter.state() + ", " + timedOut + ", " + q.poll(Duration.ofMillis(20));
            }).get(10, TimeUnit.SECONDS);
            assertEquals("KILLED, timed out, null", seen);
            group.spawnOn(0, () -> {
                q.put("a");
                return null;
            }).get(10, TimeUnit.SECONDS);
            assertEquals("a", group.spawnOn(1, () -> q.get()).get(10, TimeUnit.SECONDS), "the item is still there");
        }
    }

    @Test
    void aPutThatTimesOutOnAFullQueueAddsNothing() throws Exception {
        SharedQueue<String> q = new SharedQueue<>(1);
        try (HubGroup group = HubGroup.start(1)) {
            String seen = group.spawnOn(0, () -> {
                q.put("first");
                boolean second = q.offer("second", Duration.ofMillis(20));
                Fiber<Void> putter = Fiber.spawn(() -> q.put("third"));
                Fiber.yield(); // the putter runs until it parks in put
                putter.kill(Duration.ofSeconds(5));
                return second + ", " + putter.state() + ", " + q.size();
            }).get(10, TimeUnit.SECONDS);
            assertEquals("false, KILLED, 1", seen);
            assertFalse(q.offer("fourth"));
            assertFalse(q.offer("fourth", Duration.ofMillis(10)), "a thread's timed offer");
            assertEquals("first", q.poll());
            assertNull(q.poll());
        }
    }

    @Test
    void closeWakesWaitersOnHubsAndThreads() throws Exception {
        SharedQueue<String> q = new SharedQueue<>(1);
        try (HubGroup group = HubGroup.start(2)) {
            CompletableFuture<String> fiberGetter = group.spawnOn(1, () -> {
                try {
                    return q.get();
                } catch (QueueClosedException e) {
                    return "fiber: " + e.getMessage();
                }
            });
            CompletableFuture<String> threadGetter = CompletableFuture.supplyAsync(() -> {
                try {
                    return q.get();
                } catch (QueueClosedException e) {
                    return "thread: " + e.getMessage();
                }
            });
            while (!q.toString().contains("2 getters")) {
                Thread.onSpinWait();
            }
            q.close();
            assertEquals("fiber: the SharedQueue is closed and empty", fiberGetter.get(10, TimeUnit.SECONDS));
            assertEquals("thread: the SharedQueue is closed and empty", threadGetter.get(10, TimeUnit.SECONDS));
            assertThrows(QueueClosedException.class, () -> q.put("late"));
        }
    }

    @Test
    void anInterruptedThreadTakesNothingAndKeepsItsFlag() throws Exception {
        SharedQueue<String> q = new SharedQueue<>(1);
        CompletableFuture<String> seen = new CompletableFuture<>();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                seen.complete(q.get());
            } catch (IllegalStateException e) {
                seen.complete(e.getMessage() + ", interrupted " + Thread.currentThread().isInterrupted()
                        + ", cause " + e.getCause().getClass().getSimpleName());
            }
        });
        while (!q.toString().contains("1 getters")) {
            Thread.onSpinWait();
        }
        t.interrupt();
        assertEquals("interrupted while waiting on a SharedQueue, interrupted true, cause InterruptedException",
                seen.get(10, TimeUnit.SECONDS));
        assertTrue(q.offer("x"));
        assertTrue(q.toString().startsWith("SharedQueue(1 of 1, 0 getters"), q.toString());
    }

    @Test
    void aHubThreadOutsideAnyFiberIsRefused() throws Exception {
        SharedQueue<String> q = new SharedQueue<>(1);
        try (HubGroup group = HubGroup.start(1)) {
            CompletableFuture<String> seen = new CompletableFuture<>();
            group.hubs().get(0).loop().execute(() -> {
                try {
                    q.get();
                    seen.complete("returned");
                } catch (NotInFiberException e) {
                    seen.complete(e.getMessage());
                }
            });
            assertTrue(seen.get(10, TimeUnit.SECONDS).startsWith("SharedQueue.get was called on the hub thread '"),
                    seen.get());
            assertThrows(IllegalArgumentException.class, () -> new SharedQueue<>(0));
        }
    }
}
