package dev.weft.fibers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.hub.WrongThreadException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class EventTest extends AbstractWaitTest<Event> {
    @Override
    Event create() {
        return new Event();
    }

    @Override
    void satisfy(Event e) {
        e.set();
    }

    @Override
    void waitForever(Event e) {
        e.await();
    }

    @Override
    boolean waitTimed(Event e, Duration d) {
        return e.await(d);
    }

    /**
     * A set marks each waiter it wakes with the fiber's {@code signalled} flag, which queues and
     * semaphores also use for reservations: a later wait of that fiber on one of them must not take
     * the stale mark for a permit or an item (they clear it as their wait begins).
     */
    @Test
    void aFiberWokenBySetDoesNotCarryTheMarkIntoItsNextWait() throws Exception {
        String r = Hub.run(() -> {
            Event e = new Event();
            Event viaWaitAny = new Event();
            Semaphore none = new Semaphore(0);
            Queue<String> empty = new Queue<>();
            Fiber<String> direct = Fiber.spawn(() -> {
                e.await();
                return "permit " + none.tryAcquire(Duration.ofMillis(30));
            });
            Fiber<String> many = Fiber.spawn(() -> {
                Waitable.waitAny(java.util.List.of(viaWaitAny));
                return "item " + empty.poll(Duration.ofMillis(30));
            });
            Fiber.yield();
            e.set();
            viaWaitAny.set();
            return direct.get() + ", " + many.get() + ", permits " + none.available();
        });
        assertEquals("permit false, item null, permits 0", r);
    }

    @Test
    void setWakesAllWaitersInFifoOrder() throws Exception {
        String trace = Hub.run(() -> {
            Event e = new Event();
            StringBuilder sb = new StringBuilder();
            for (String name : new String[] {"a", "b", "c"}) {
                Fiber.spawn(name, () -> {
                    sb.append(name).append(" waits\n");
                    e.await();
                    sb.append(name).append(" woke\n");
                });
            }
            Fiber.yield();
            sb.append("set\n");
            e.set();
            Fiber.yield();
            return sb.toString();
        });
        assertEquals("""
                a waits
                b waits
                c waits
                set
                a woke
                b woke
                c woke
                """, trace);
    }

    @Test
    void aWaiterWokenBySetReturnsEvenIfClearedBeforeItRuns() throws Exception {
        assertTrue(Hub.run(() -> {
            Event e = new Event();
            Fiber<Boolean> w = Fiber.spawn(() -> e.await(Duration.ofSeconds(5)));
            Fiber.yield();
            e.set();
            e.clear();
            return w.get();
        }));
    }

    @Test
    void clearMakesLaterWaitsBlock() throws Exception {
        Hub.run(() -> {
            Event e = new Event();
            e.set();
            assertTrue(e.await(Duration.ZERO));
            e.clear();
            assertFalse(e.isSet());
            assertFalse(e.await(Duration.ofMillis(5)));
        });
    }

    @Test
    void anotherThreadGetsAWrongThreadExceptionNamingBothThreadsForClear() throws Exception {
        Hub.run(() -> {
            Event e = new Event();
            CompletableFuture<Throwable> seen = new CompletableFuture<>();
            Thread t = new Thread(() -> seen.complete(assertThrows(WrongThreadException.class, e::clear)), "intruder");
            t.start();
            AsyncResult<Void> joined = new AsyncResult<>();
            seen.whenComplete((x, y) -> joined.set(null));
            joined.get(Duration.ofSeconds(5));
            String m = seen.join().getMessage();
            assertTrue(m.contains("'intruder'") && m.contains(Thread.currentThread().getName()), m);
        });
    }

    /** gevent's Event.set from another thread (issue 14 item 6): 10,000 hand-offs, each waking the waiter. */
    @Test
    void setFromAnotherThreadWakesTheWaiter() throws Exception {
        int[] woken = new int[1];
        Hub.run(() -> {
            try (AutoCloseable alive = Hub.current().keepAlive()) {
                for (int i = 0; i < 10_000; i++) {
                    Event e = new Event();
                    int[] before = new int[1];
                    Thread setter = Thread.ofPlatform().start(() -> {
                        before[0] = 42; // happens-before the waiter's return
                        e.set();
                    });
                    assertTrue(e.await(Duration.ofSeconds(10)), "round " + i);
                    assertEquals(42, before[0]);
                    woken[0]++;
                    setter.join();
                }
            }
        });
        assertEquals(10_000, woken[0]);
    }
}
