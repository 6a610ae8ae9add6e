package dev.weft.fibers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

@org.junit.jupiter.api.Timeout(30)
class WaitableTest {

    @Test
    void waitAnyReturnsTheFirstOfAFiberAnEventAndAnAsyncResultToBeReady() throws Exception {
        Hub.run(() -> {
            Event event = new Event();
            AsyncResult<String> result = new AsyncResult<>();
            Fiber<Void> fiber = Fiber.spawn(() -> Fiber.sleep(10_000));
            Fiber.spawn(() -> {
                Fiber.sleep(20);
                event.set();
            });
            List<Waitable> all = List.of(fiber, event, result);
            long start = System.nanoTime();
            assertSame(event, Waitable.waitAny(all));
            assertTrue(System.nanoTime() - start >= Duration.ofMillis(19).toNanos());
            fiber.kill();
            Waitable first = Waitable.waitAny(List.of(result, fiber));
            assertSame(fiber, first);
            assertNull(Waitable.waitAny(List.of(result), Duration.ofMillis(5)));
        });
    }

    @Test
    void anAsyncResultCompletedByAnotherThreadWakesWaitAny() throws Exception {
        assertEquals("from a thread", Hub.run(() -> {
            AsyncResult<String> result = new AsyncResult<>();
            Event never = new Event();
            Thread t = new Thread(() -> result.set("from a thread"));
            t.start();
            assertSame(result, Waitable.waitAny(List.of(never, result)));
            t.join();
            return result.get();
        }));
    }

    /** Fibers that each end when their event is set, so the test decides the order, not a clock. */
    private static List<Fiber<Integer>> fibersEndingOnEvents(List<Event> events) {
        List<Fiber<Integer>> fibers = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            int n = i;
            fibers.add(Fiber.spawn(() -> {
                events.get(n).await();
                return n;
            }));
        }
        return fibers;
    }

    @Test
    void waitAllWithACountReturnsOnceThatManyAreReady() throws Exception {
        String trace = Hub.run(() -> {
            List<Event> events = List.of(new Event(), new Event(), new Event(), new Event());
            List<Fiber<Integer>> fibers = fibersEndingOnEvents(events);
            StringBuilder sb = new StringBuilder();
            Fiber.spawn(() -> {
                for (int n : new int[] {2, 1, 0}) {
                    events.get(n).set();
                    Fiber.sleep(5);
                }
            });
            for (Fiber<Integer> f : Waitable.waitAll(fibers, 2, null)) {
                sb.append(f.get()).append(' ');
            }
            sb.append("| ");
            for (Fiber<Integer> f : Waitable.waitAll(fibers, Duration.ofMillis(500))) {
                sb.append(f.get()).append(' ');
            }
            events.get(3).set();
            Waitable.waitAll(fibers);
            sb.append("| all done: ").append(fibers.stream().allMatch(Fiber::isDone));
            return sb.toString();
        });
        assertEquals("1 2 | 0 1 2 | all done: true", trace);
    }

    @Test
    void iwaitYieldsEachObjectAsItBecomesReadyAndStopsAtTheTimeout() throws Exception {
        String trace = Hub.run(() -> {
            List<Event> events = List.of(new Event(), new Event(), new Event(), new Event());
            List<Fiber<Integer>> fibers = fibersEndingOnEvents(events);
            Queue<String> taken = new Queue<>();
            Fiber.spawn(() -> {
                for (int n : new int[] {2, 0, 1}) {
                    events.get(n).set();
                    taken.get(); // the consumer took it: set the next one
                }
            });
            StringBuilder sb = new StringBuilder();
            for (Fiber<Integer> f : Waitable.iwait(fibers, Duration.ofMillis(1000))) {
                sb.append(f.get()).append(' ');
                taken.put("ok");
            }
            events.get(3).set();
            return sb.toString();
        });
        assertEquals("2 0 1 ", trace);
    }

    @Test
    void anEventSetAndClearedBeforeTheWaiterRunsStillCounts() throws Exception {
        Hub.run(() -> {
            Event e = new Event();
            Fiber<Waitable> waiter = Fiber.spawn(() -> Waitable.waitAny(List.of(e)));
            Fiber.yield();
            e.set();
            e.clear();
            assertSame(e, waiter.get(Duration.ofSeconds(5)));
        });
    }

    @Test
    void waitingOnAFiberDoesNotHideItsFailure() throws Exception {
        AtomicReference<Throwable> uncaught = new AtomicReference<>();
        Hub.run(() -> {
            Hub.current().setUncaughtExceptionHandler((f, t) -> uncaught.set(t));
            Fiber<Void> failing = Fiber.spawn(() -> {
                throw new IllegalStateException("nobody gets me");
            });
            Waitable.waitAny(List.of(failing));
        });
        assertEquals("nobody gets me", uncaught.get().getMessage());
    }

    @Test
    void killAndTimeoutLeaveNoSubscriptionBehind() throws Exception {
        Hub.run(() -> {
            Event e = new Event();
            Fiber<Void> target = Fiber.spawn(() -> Fiber.sleep(10_000));
            Fiber<Void> waiter = Fiber.spawn(() -> {
                Waitable.waitAny(List.of(e, target));
            });
            Fiber.yield();
            assertTrue(e.toString().contains("1 waiting"), e.toString());
            waiter.kill();
            Fiber.yield();
            assertTrue(e.toString().contains("0 waiting"), e.toString());
            try (Timeout t = Timeout.after(Duration.ofMillis(5))) {
                assertThrows(FiberTimeoutException.class, () -> Waitable.waitAll(List.of(e)));
            }
            assertTrue(e.toString().contains("0 waiting"), e.toString());
            target.kill();
        });
    }

    @Test
    void objectsOfAnotherHubAndEmptyCollectionsAreRefused() throws Exception {
        java.util.concurrent.CompletableFuture<Event> foreign = new java.util.concurrent.CompletableFuture<>();
        Thread other = new Thread(() -> {
            try {
                Hub.run(() -> foreign.complete(new Event()));
            } catch (Exception e) {
                foreign.completeExceptionally(e);
            }
        });
        other.start();
        Event theirs = foreign.get(10, java.util.concurrent.TimeUnit.SECONDS);
        other.join();
        Hub.run(() -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Waitable.waitAny(List.of(theirs), Duration.ofMillis(1)));
            assertTrue(e.getMessage().contains("another hub"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Waitable.waitAny(List.of()));
            Waitable.waitAll(List.of());
        });
    }

    /**
     * Issue 23, item 26 (gevent's iwait keeps its links between items): an Event set and cleared while
     * the consumer handles an earlier object is still returned.
     */
    @Test
    void iwaitReturnsAnEventSetAndClearedWhileTheConsumerHandledAnEarlierObject() throws Exception {
        List<String> seen = Hub.run(() -> {
            Event first = new Event();
            Event blink = new Event();
            List<String> got = new ArrayList<>();
            Fiber.spawn(() -> first.set());
            for (Event e : Waitable.iwait(List.of(first, blink), Duration.ofSeconds(5))) {
                got.add(e == first ? "first" : "blink");
                if (e == first) {
                    Fiber.spawn(() -> {
                        blink.set();
                        blink.clear(); // set and cleared while the consumer is busy below
                    });
                    Fiber.sleep(5);
                }
            }
            return got;
        });
        assertEquals(List.of("first", "blink"), seen);
    }

    @Test
    void iwaitOfNothingEndsAtOnceAndAnEventSetBeforeTheIterationIsReadyAtOnce() throws Exception {
        Hub.run(() -> {
            assertTrue(!Waitable.iwait(List.<Event>of(), null).iterator().hasNext());
            Event set = new Event();
            set.set();
            assertSame(set, Waitable.iwait(List.of(set), Duration.ZERO).iterator().next());
            Event never = new Event();
            assertTrue(!Waitable.iwait(List.of(never), Duration.ofMillis(5)).iterator().hasNext(), "the timeout ends it");
        });
    }

    /**
     * gevent's test__issue467: iwait over fibers (one already ended) whose consumer switches between
     * items (a sleep) while the others end: every fiber comes once, none is missed.
     */
    @Test
    void iwaitOverFibersThatEndWhileTheConsumerSleepsReturnsEachOnce() throws Exception {
        List<Throwable> uncaught = new ArrayList<>();
        int finished = Hub.run(() -> {
            Hub.current().setUncaughtExceptionHandler((f, t) -> uncaught.add(t));
            Fiber<String> done = Fiber.spawn(() -> "done");
            done.join();
            List<Fiber<?>> workers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                int n = i;
                workers.add(Fiber.spawn(() -> {
                    if (n == 2) {
                        throw new IllegalArgumentException("worker " + n);
                    }
                    return n;
                }));
            }
            workers.add(done);
            int count = 0;
            for (Fiber<?> f : Waitable.iwait(workers, null)) {
                assertTrue(f.isDone());
                count++;
                Fiber.sleep(10); // the others end meanwhile
            }
            return count;
        });
        assertEquals(4, finished);
        assertEquals(1, uncaught.size(), "the failure nobody joined is reported once: " + uncaught);
    }
}
